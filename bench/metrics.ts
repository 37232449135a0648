// What metrics cost the hot paths: the list (graphql-list's first page), identity
// (auth-viewer's `{ viewer { username } }` under a bearer JWT and a session cookie) and
// the gateway (tools/call of an echo tool), each against two servers running side by
// side on identical data, one with METRICS=true (the default) and one with METRICS=false.
// The machine is shared, so the two are measured interleaved, A B B A per round, with a
// fresh pair of processes each round, and compared by requests/s over all rounds and by
// server CPU per request.
import { randomUUID } from "node:crypto";
import { FIRST_PAGE_QUERY } from "./graphql-list.ts";
import { VIEWER_QUERY } from "./auth-viewer.ts";
import { startIdp, type Idp } from "../test/support/idp.ts";
import { startMcpProcesses } from "./health-sweep.ts";
import { ADMIN_ENV, cpuMsOf, dropEnv, freshEnv, insertServers, load, productionBuild, seed, signIn, startProcess, type Proc } from "./support.ts";

const CONNECTIONS = 16;
const ADMIN_GROUP = "mcp-registry-admin";

export type MetricsRow = {
  workload: string;
  metrics: "on" | "off";
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuUsPerRequest: number;
  requests: number;
  /** On/off requests/s of each round's fresh pair, in per cent (on the "on" row). */
  roundRatios?: number[] | undefined;
};

type Side = { metrics: "on" | "off"; server: Proc; cookie: string; token: string; gatewayToken: string | undefined };

type Workload = {
  name: string;
  path: (side: Side) => string;
  body: string;
  headers: (side: Side) => Record<string, string>;
};

const CALL = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hello" } } });

export async function metricsOverhead(opts: {
  servers: number;
  seconds: number;
  rounds: number;
  gateway: boolean;
  /** Only the workloads whose names contain one of these. */
  only?: string[];
  /** Which server is started and measured first in round 1 (a positional bias shows up as a flipped result). */
  first?: "on" | "off";
  /** Extra Node flags for both servers; `{metrics}` becomes on or off (e.g. a --cpu-prof-dir per side). */
  nodeArgs?: string[];
  /** The production build (what `npm run start:prod` and the Dockerfile run; the default) or src/ through tsx. */
  runtime?: "production" | "tsx";
}): Promise<MetricsRow[]> {
  const idp = await startIdp();
  const echo = opts.gateway ? (await startMcpProcesses(1, { echoTools: 1 }))[0] : undefined;
  const envs = [await freshEnv({ kind: "pglite" }), await freshEnv({ kind: "pglite" })];
  const sides: Side[] = [];
  try {
    for (const env of envs) {
      await seed(env, opts.servers, 5);
      if (echo) {
        await insertServers(env, [
          {
            server: { id: randomUUID(), name: "echo", description: "", path: "/bench-echo", proxyPassUrl: `${echo.url}/mcp`, tags: [], metadata: {}, enabled: true, transport: "STREAMABLE_HTTP" },
            tools: [{ name: "echo", description: "Echo", inputSchema: { type: "object" } }],
          },
        ]);
      }
    }
    console.error(`  seeded ${opts.servers} servers twice`);
    // tsx's transpiled closures carry a __name() call each, which the hot paths would pay per request.
    const main = opts.runtime === "tsx" ? "src/main.ts" : await productionBuild();
    const startSide = async (metrics: "on" | "off"): Promise<Side> => {
      const i = metrics === "on" ? 0 : 1;
      const server = await startProcess(main, {
        ...envs[i]!,
        ...ADMIN_ENV,
        ADMIN_GROUP,
        METRICS: metrics === "on" ? "true" : "false",
        HEALTH_CHECKS: "false",
        GATEWAY_RATE_LIMIT_PER_MINUTE: "10000000",
        GATEWAY_TOOL_RATE_LIMIT_PER_MINUTE: "10000000",
        OIDC_PROVIDERS: "keycloak",
        OIDC_KEYCLOAK_ISSUER: idp.issuer,
        OIDC_KEYCLOAK_CLIENT_ID: idp.webClient.clientId,
        OIDC_KEYCLOAK_CLIENT_SECRET: idp.webClient.clientSecret,
        OIDC_KEYCLOAK_AUDIENCE: idp.audience,
      }, (opts.nodeArgs ?? []).map((a) => a.replaceAll("{metrics}", metrics)));
      const cookie = await signIn(server.url);
      return { metrics, server, cookie, token: await jwt(idp), gatewayToken: echo ? await registryToken(server.url, cookie) : undefined };
    };

    const workloads: Workload[] = [
      { name: "graphql-list: first page, response cache on", path: () => "/graphql", body: JSON.stringify({ query: FIRST_PAGE_QUERY }), headers: (s) => ({ cookie: s.cookie }) },
      { name: "auth-viewer: bearer JWT", path: () => "/graphql", body: JSON.stringify({ query: VIEWER_QUERY }), headers: (s) => ({ authorization: `Bearer ${s.token}` }) },
      { name: "auth-viewer: session cookie", path: () => "/graphql", body: JSON.stringify({ query: VIEWER_QUERY }), headers: (s) => ({ cookie: s.cookie }) },
    ];
    if (echo) {
      workloads.push({
        name: "gateway: tools/call echo",
        path: () => "/bench-echo/mcp",
        body: CALL,
        headers: (s) => ({ authorization: `Bearer ${s.gatewayToken}`, accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" }),
      });
    }
    const chosen = workloads.filter((x) => !opts.only || opts.only.some((o) => x.name.includes(o)));
    const totals = new Map(chosen.map((w) => [w.name, { on: emptyTotals(), off: emptyTotals(), roundRatios: [] as number[] }]));
    // A fresh pair of processes every round: one process's luck (heap layout, JIT decisions, where
    // PGlite's memory landed) lasts its whole life, so two long-lived servers compare two lucks as much
    // as metrics on and off. Which side starts first alternates with the round too.
    const first = opts.first === "off" ? 1 : 0;
    for (let round = 0; round < opts.rounds; round++) {
      const order = (round + first) % 2 === 0 ? (["on", "off"] as const) : (["off", "on"] as const);
      for (const m of order) sides.push(await startSide(m));
      await checkMetricsEndpoints(sides);
      for (const w of chosen) {
        console.error(`  round ${round + 1}/${opts.rounds}: ${w.name}…`);
        const t = totals.get(w.name)!;
        const before = { on: t.on.requests, off: t.off.requests };
        await interleavedRound(w, sides, opts.seconds, round + first, t);
        const gained = (m: "on" | "off") => t[m].requests - before[m];
        t.roundRatios.push(gained("on") / Math.max(1, gained("off")));
      }
      for (const s of sides.splice(0)) await s.server.stop();
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
    const rows: MetricsRow[] = [];
    for (const w of chosen) {
      const t = totals.get(w.name)!;
      for (const m of ["on", "off"] as const) {
        const x = t[m];
        rows.push({
          workload: w.name,
          metrics: m,
          rps: Math.round(x.requests / Math.max(1, x.seconds)),
          p50: median(x.p50),
          p99: median(x.p99),
          errors: x.errors,
          cpuUsPerRequest: Math.round((x.cpuMs * 1000) / Math.max(1, x.requests)),
          requests: x.requests,
          roundRatios: m === "on" ? t.roundRatios.map((r) => Math.round(r * 1000) / 10) : undefined,
        });
      }
    }
    return rows;
  } finally {
    for (const s of sides) await s.server.stop();
    echo?.child.kill();
    await idp.close();
    for (const env of envs) await dropEnv(env);
  }
}

type Totals = { requests: number; seconds: number; errors: number; cpuMs: number; p50: number[]; p99: number[] };

function emptyTotals(): Totals {
  return { requests: 0, seconds: 0, errors: 0, cpuMs: 0, p50: [], p99: [] };
}

async function jwt(idp: Idp): Promise<string> {
  return idp.issueAccessToken({ preferredUsername: ADMIN_ENV.ADMIN_USERNAME, groups: [ADMIN_GROUP], expiresIn: 3600 });
}

async function registryToken(base: string, cookie: string): Promise<string> {
  const res = await fetch(`${base}/api/tokens/generate`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ scopes: ["list_service", "use_service"], expires_in: 3600 }),
  });
  return ((await res.json()) as { tokens: { access_token: string } }).tokens.access_token;
}

/** The "on" server must answer /metrics and the "off" one must not: otherwise the comparison is of nothing. */
async function checkMetricsEndpoints(sides: Side[]): Promise<void> {
  for (const s of sides) {
    const res = await fetch(`${s.server.url}/metrics`);
    const text = await res.text();
    const ok = s.metrics === "on" ? res.status === 200 && text.includes("http_server_requests_total") : res.status === 404;
    if (!ok) throw new Error(`metrics ${s.metrics}: GET /metrics answered ${res.status}`);
  }
}

/** One round of one workload: a warm-up per side, then A B B A (B A A B in odd rounds), so drift in the machine's load falls on both sides alike. */
async function interleavedRound(w: Workload, sides: Side[], seconds: number, round: number, totals: { on: Totals; off: Totals }): Promise<void> {
  const run = (s: Side, secs: number) =>
    load({ url: `${s.server.url}${w.path(s)}`, body: w.body, headers: w.headers(s), connections: CONNECTIONS, seconds: secs, fineLatency: true });
  for (const s of sides) {
    const first = await fetch(`${s.server.url}${w.path(s)}`, { method: "POST", headers: { "content-type": "application/json", ...w.headers(s) }, body: w.body });
    if (first.status !== 200) throw new Error(`${w.name} (metrics ${s.metrics}): ${first.status} ${(await first.text()).slice(0, 200)}`);
    await run(s, 2); // warm-up
  }
  const on = sides.find((s) => s.metrics === "on")!;
  const off = sides.find((s) => s.metrics === "off")!;
  const [a, b] = round % 2 === 0 ? [on, off] : [off, on];
  for (const s of [a, b, b, a]) {
    const cpu = await cpuMsOf(s.server.child.pid!);
    const result = await run(s, seconds);
    const t = totals[s.metrics];
    t.cpuMs += (await cpuMsOf(s.server.child.pid!)) - cpu;
    t.requests += result.requests;
    t.seconds += seconds;
    t.errors += result.errors + result.non2xx;
    t.p50.push(result.fine?.p50 ?? result.p50);
    t.p99.push(result.fine?.p99 ?? result.p99);
  }
}

export function metricsMarkdown(rows: MetricsRow[], opts: { servers: number; seconds: number; rounds: number; runtime?: string }, date: string, machine: string): string {
  const lines = [
    `### Metrics overhead (METRICS on vs off, two servers side by side on identical data, ${opts.servers.toLocaleString("en")} servers, concurrency ${CONNECTIONS}, ${opts.rounds} rounds of A B B A × ${opts.seconds} s, a fresh pair of processes each round; ${opts.runtime === "tsx" ? "src/ through tsx" : "the production build"})`,
    "",
    `${date} · ${machine}`,
    "",
    "| workload | metrics | requests/s | p50 ms | p99 ms | errors | server CPU µs/request | on/off requests/s | on/off CPU/request |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const off = (w: string) => rows.find((r) => r.workload === w && r.metrics === "off");
  for (const r of rows) {
    const base = off(r.workload);
    const ratio = (x: number, y: number | undefined) => (r.metrics === "on" && y ? `${((x / y) * 100).toFixed(1)} %` : "");
    lines.push(
      `| ${r.workload} | ${r.metrics} | ${r.rps.toLocaleString("en")} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.cpuUsPerRequest} | ${ratio(r.rps, base?.rps)} | ${ratio(r.cpuUsPerRequest, base?.cpuUsPerRequest)} |`,
    );
  }
  const verdicts = [...new Set(rows.map((r) => r.workload))].map((w) => {
    const on = rows.find((r) => r.workload === w && r.metrics === "on")!;
    const base = off(w)!;
    const ratio = on.rps / base.rps;
    const rounds = on.roundRatios?.length ? `; rounds ${on.roundRatios.map((x) => `${x.toFixed(1)} %`).join(", ")}` : "";
    return `${w}: ${ratio >= 0.95 ? "within 5 %" : "**more than 5 % slower**"} (${(ratio * 100).toFixed(1)} %${rounds})`;
  });
  lines.push("", `Target: with metrics on, each within 5 % of off in the same run. ${verdicts.join("; ")}.`);
  return lines.join("\n");
}
