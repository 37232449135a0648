// Shared pieces for the benchmarks: start the real server as its own process,
// seed data, drive load with autocannon, read the server's memory. Data
// directories, the admin and signing in come from the tests' support
// (test/support/env.ts, session.ts), so both make and reach a server the same way.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/database.ts";
import type { Prisma } from "../src/generated/prisma/client.ts";
import { createLogger } from "../src/log.ts";
import { serverRowOf as registeredRowOf } from "../src/servers/service.ts";
import { validateRegistration, type TransportValue } from "../src/servers/validate.ts";
import { ADMIN, dropData, freePort, newDataEnv } from "../test/support/env.ts";
import { signInAsAdmin } from "../test/support/session.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export type Target = { kind: "pglite" } | { kind: "postgres"; url: string };

/** Settings for a fresh database: a new DATA_DIR, and on PostgreSQL a new schema. */
export async function freshEnv(target: Target): Promise<Record<string, string>> {
  const env = await newDataEnv({
    dirPrefix: "mcp-registry-bench",
    schemaPrefix: "bench",
    postgresUrl: target.kind === "postgres" ? target.url : undefined,
  });
  // Limits high enough never to refuse the load generator, so the limiter's cost is still measured.
  return { ...env, LOG_LEVEL: "warn", RATE_LIMIT_PER_MINUTE: "1000000", RATE_LIMIT_ANONYMOUS_PER_MINUTE: "1000000" };
}

export const dropEnv = dropData;

/** What a benchmark server is registered with, and the state (enabled, health) it is seeded in. */
export type BenchServer = {
  id: string;
  name: string;
  description: string;
  path: string;
  proxyPassUrl: string;
  tags: string[];
  metadata: Prisma.InputJsonObject;
  transport?: TransportValue;
  enabled: boolean;
  healthStatus?: "HEALTHY";
};

/**
 * The one place the benchmarks turn a server into its database row: the register
 * mutation's own rules (validateRegistration: normalised fields, defaults) and the
 * write path's row builder (src/servers/service.ts serverRowOf: derived columns), so
 * seeded rows are the rows registering writes.
 */
export function serverRowOf(s: BenchServer): Prisma.ServerCreateManyInput {
  const { id, enabled, healthStatus, ...input } = s;
  const checked = validateRegistration(input);
  if (!checked.ok) throw new Error(`bench server ${s.path} is not valid: ${JSON.stringify(checked.errors)}`);
  return { id, ...registeredRowOf(checked.value), enabled, ...(healthStatus ? { healthStatus } : {}) };
}

export type SeededServer = { server: BenchServer; tools?: Omit<Prisma.ToolCreateManyInput, "serverId">[] };

/** Inserts servers (and their tools) straight into the database, in batches, through serverRowOf. */
export async function insertServers(
  env: Record<string, string>,
  servers: Iterable<SeededServer>,
): Promise<void> {
  const config = loadConfig(env);
  const db = await openDatabase(config.database, createLogger({ level: "warn" }));
  try {
    const batch = 1_000;
    let rows: Prisma.ServerCreateManyInput[] = [];
    let tools: Prisma.ToolCreateManyInput[] = [];
    const flush = async () => {
      if (rows.length > 0) await db.prisma.server.createMany({ data: rows });
      if (tools.length > 0) await db.prisma.tool.createMany({ data: tools });
      rows = [];
      tools = [];
    };
    for (const { server, tools: own = [] } of servers) {
      rows.push(serverRowOf(server));
      for (const t of own) tools.push({ ...t, serverId: server.id });
      if (rows.length === batch) await flush();
    }
    await flush();
  } finally {
    await db.close();
  }
}

/**
 * Seeds servers (each with `toolsPerServer` tools) straight into the database, in
 * batches; `edit` may change the i-th server before it is written.
 */
export async function seed(
  env: Record<string, string>,
  servers: number,
  toolsPerServer: number,
  edit: (seeded: SeededServer, i: number) => SeededServer = (seeded) => seeded,
): Promise<void> {
  function* generated() {
    for (let i = 0; i < servers; i += 1) {
      const id = randomUUID();
      yield edit({
        server: {
          id,
          name: `Server ${i}`,
          description: `Benchmark server number ${i}, with a description of ordinary length.`,
          path: `/bench/s${String(i).padStart(6, "0")}`,
          proxyPassUrl: `http://127.0.0.1:9/s/${i}/mcp`,
          tags: ["bench", `group-${i % 50}`],
          metadata: { team: `team-${i % 20}`, region: "eu-west-1" },
          enabled: i % 10 !== 0,
          healthStatus: "HEALTHY" as const,
        },
        tools: Array.from({ length: toolsPerServer }, (_, t) => ({
          name: `tool_${t}`,
          description: `Tool ${t} of server ${i}`,
          inputSchema: { type: "object", properties: { q: { type: "string" } } },
        })),
      }, i);
    }
  }
  await insertServers(env, generated());
}

export type Proc = { url: string; child: ChildProcess; stop(): Promise<void> };

/** The Node flags of `npm start` (heap limits), so the benchmark runs the server as users do. */
async function startFlags(): Promise<string[]> {
  const pkg = JSON.parse(await fs.readFile(path.join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((a) => a.startsWith("--max-"));
}

/** The production build's entry point (`npm run build`; what `npm run start:prod` and the Dockerfile run). */
export const PRODUCTION_MAIN = "dist/src/main.js";

/** Builds the production bundle once per bench run; returns the entry point to start. */
let built: Promise<string> | undefined;
export function productionBuild(): Promise<string> {
  built ??= new Promise<string>((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    child.on("exit", (code) => (code === 0 ? resolve(PRODUCTION_MAIN) : reject(new Error(`npm run build exited with ${code}`))));
  });
  return built;
}

/** Starts a script of this repo as its own Node process and waits for its "running at" line. */
export async function startProcess(script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Proc> {
  const port = String(await freePort());
  const main = script === "src/main.ts" || script === PRODUCTION_MAIN;
  const flags = [...(main ? await startFlags() : []), ...nodeArgs];
  // The production build runs as `npm run start:prod` does: compiled JavaScript, no tsx.
  const loader = script.endsWith(".ts") ? ["--import", "tsx"] : [];
  const child = spawn(process.execPath, [...flags, ...loader, script], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: port, HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/[^\s)]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${script} exited with ${code}:\n${out}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Resident memory of a process now and at its peak, in MB (Linux /proc). */
export async function rssOf(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await fs.readFile(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb("VmRSS") / 1024), peakMb: Math.round(kb("VmHWM") / 1024) };
}

/** CPU time a process has used so far (user + system, all threads), in ms (Linux /proc, 10 ms ticks). */
export async function cpuMsOf(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime (fields 14, 15) at USER_HZ 100
}

export type Load = {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
  /** With `fineLatency`: percentiles of the 2xx responses to 0.01 ms (autocannon's own are whole ms). */
  fine?: { p50: number; p99: number; mean: number };
};

/** Drives POST (or GET) requests at a fixed concurrency for a fixed time. */
export async function load(opts: {
  url: string;
  method?: "GET" | "POST";
  body?: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  /** autocannon's request sequence (e.g. a setupRequest that changes a header per request). */
  requests?: autocannon.Request[];
  fineLatency?: boolean;
}): Promise<Load> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        method: opts.method ?? "POST",
        body: opts.body,
        headers: { "content-type": "application/json", ...opts.headers },
        connections: opts.connections,
        duration: opts.seconds,
        ...(opts.requests ? { requests: opts.requests } : {}),
      },
      (err: unknown, res: autocannon.Result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    if (opts.fineLatency) {
      instance.on("response", (_client, status, _bytes, ms) => {
        if (status >= 200 && status < 300) times.push(ms);
      });
    }
  });
  const out: Load = {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
  if (opts.fineLatency && times.length > 0) {
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    const round = (ms: number) => Math.round(ms * 100) / 100;
    out.fine = { p50: round(at(0.5)), p99: round(at(0.99)), mean: round(times.reduce((a, b) => a + b, 0) / times.length) };
  }
  return out;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Signs in through the local admin form (the tests' helper); returns the Cookie header (session id and its signature). */
export async function signIn(base: string, credentials = ADMIN): Promise<string> {
  const cookie = await signInAsAdmin(base, credentials);
  if (!cookie.includes("mcp_gateway_session=")) throw new Error(`sign-in set no session cookie: ${cookie}`);
  return cookie;
}

/**
 * Runs `unit` (one logical fetch, maybe several requests) from `workers` concurrent
 * loops for `seconds`, and reports units/s and per-unit latency. For comparing one
 * REST call with the GraphQL requests a client needs for the same data.
 */
export async function unitLoad(unit: () => Promise<void>, opts: { workers: number; seconds: number }): Promise<Load> {
  const times: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.workers }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await unit();
          times.push(performance.now() - t0);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 100) / 100;
  return { rps: Math.round((times.length / elapsed) * 10) / 10, p50: at(0.5), p99: at(0.99), errors, non2xx: 0, requests: times.length };
}

/** The local admin's settings, as the tests set them (test/support/env.ts). */
export const ADMIN_ENV = { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password };

/**
 * The registry as `npm start` runs it on `env`, with health checks off (only the
 * benchmark changes anything) and the response cache on or off, signed in as the
 * local admin: the process and the session's Cookie header.
 */
export async function startSignedIn(env: Record<string, string>, opts: { cache: boolean; nodeArgs?: string[] }): Promise<{ server: Proc; cookie: string }> {
  const server = await startProcess(
    "src/main.ts",
    {
      ...env,
      GRAPHQL_RESPONSE_CACHE: String(opts.cache),
      HEALTH_CHECKS: "false",
      ...ADMIN_ENV,
    },
    opts.nodeArgs,
  );
  try {
    return { server, cookie: await signIn(server.url) };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
