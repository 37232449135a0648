// Health sweep benchmark: one full sweep of 1,000 registered servers, served by a
// few real MCP SDK server processes on many paths, at concurrency 100; then a sweep
// of 1,000 servers that accept connections and never answer, which must end in
// about timeout × ceil(1000 / concurrency).
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { dropEnv, freshEnv, insertServers, ROOT, startProcess, type Target } from "./support.ts";

export type SweepRow = {
  database: string;
  variant: string;
  servers: number;
  concurrency: number;
  timeoutMs: number;
  sweepMs: number;
  cpuMs: number;
  cores: number;
  healthy: number;
  unhealthy: number;
  expectedMs?: number;
};

type McpProcess = { url: string; child: ChildProcess };

export async function startMcpProcesses(count: number, options: Record<string, unknown>): Promise<McpProcess[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "test/support/mcp-server-cli.ts", JSON.stringify(options)], {
        cwd: ROOT,
        stdio: ["pipe", "pipe", "inherit"],
      });
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
        child.once("exit", (code) => reject(new Error(`MCP server process exited with ${code}`)));
      });
      return { url, child };
    }),
  );
}

function seedServers(env: Record<string, string>, urls: string[]): Promise<void> {
  return insertServers(
    env,
    urls.map((url, i) => ({
      server: {
        id: randomUUID(),
        name: `Upstream ${i}`,
        description: "",
        path: `/sweep/s${String(i).padStart(4, "0")}`,
        proxyPassUrl: url,
        tags: [],
        metadata: {},
        enabled: true,
        transport: "STREAMABLE_HTTP" as const,
      },
    })),
  );
}

type Report = { servers: number; ms: number; cpuMs: number; healthy: number; unhealthy: number };

/**
 * Starts the registry, whose scheduler sweeps at once and again right after (the
 * interval is shorter than a sweep), and reads `count` sweep reports from its log:
 * the first discovers every tool list, later ones find them unchanged.
 */
async function sweeps(env: Record<string, string>, settings: Record<string, string>, count: number, nodeArgs: string[] = []) {
  const server = await startProcess("src/main.ts", { ...env, ...settings, LOG_LEVEL: "info" }, nodeArgs);
  try {
    let log = "";
    server.child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
    return await new Promise<Report[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sweep reports within 10 minutes:\n${log.slice(-2000)}`)), 600_000);
      const poll = setInterval(() => {
        const lines = log.split("\n").filter((l) => l.includes('"msg":"health sweep done"'));
        if (lines.length >= count) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(lines.slice(0, count).map((l) => JSON.parse(l) as Report));
        }
      }, 50);
    });
  } finally {
    await server.stop();
  }
}

export async function healthSweep(
  target: Target,
  opts: { servers: number; concurrency: number; hangTimeoutMs: number; nodeArgs?: string[] },
): Promise<SweepRow[]> {
  const database = target.kind === "pglite" ? "PGlite (embedded)" : "PostgreSQL 15";
  const rows: SweepRow[] = [];
  const settings = (timeoutMs: number) => ({
    HEALTH_CHECK_CONCURRENCY: String(opts.concurrency),
    HEALTH_CHECK_INTERVAL_SECONDS: "1",
    HEALTH_CHECK_TIMEOUT_MS: String(timeoutMs),
  });

  for (const variant of ["answering", "never answering"] as const) {
    const hang = variant === "never answering";
    const processes = await startMcpProcesses(4, hang ? { hang: true } : {});
    const env = await freshEnv(target);
    try {
      const urls = Array.from({ length: opts.servers }, (_, i) => `${processes[i % processes.length]!.url}/s/${i}/mcp`);
      await seedServers(env, urls);
      const timeoutMs = hang ? opts.hangTimeoutMs : 10_000;
      console.error(`  sweeping ${opts.servers} ${variant} servers on ${target.kind}…`);
      const reports = await sweeps(env, settings(timeoutMs), hang ? 1 : 2, opts.nodeArgs);
      reports.forEach((r, i) =>
        rows.push({
          database,
          variant: hang ? `${variant}` : `${variant}, ${i === 0 ? "first sweep (discovers every tool)" : "next sweep (tools unchanged)"}`,
          servers: r.servers,
          concurrency: opts.concurrency,
          timeoutMs,
          sweepMs: r.ms,
          cpuMs: r.cpuMs,
          cores: +(r.cpuMs / r.ms).toFixed(2),
          healthy: r.healthy,
          unhealthy: r.unhealthy,
          ...(hang ? { expectedMs: timeoutMs * Math.ceil(opts.servers / opts.concurrency) } : {}),
        }),
      );
    } finally {
      for (const p of processes) p.child.kill("SIGTERM");
      await dropEnv(env);
    }
  }
  return rows;
}
