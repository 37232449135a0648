// What metrics cost the hot paths: the list (graphql-list's first page), identity
// (auth-viewer's `{ viewer { username } }` under a bearer JWT and a session cookie) and
// the gateway (tools/call of an echo tool), each against two servers running side by
// side on identical data, one with METRICS=true (the default) and one with METRICS=false.
// The machine is shared, so the two are measured interleaved, A B B A per round, and
// compared by requests/s over all rounds and by server CPU per request.
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
    const order = opts.first === "off" ? (["off", "on"] as const) : (["on", "off"] as const);
    // tsx's transpiled closures carry a __name() call each, which the hot paths would pay per request.
    const main = opts.runtime === "tsx" ? "src/main.ts" : await productionBuild();
    for (const [i, metrics] of order.entries()) {
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
      sides.push({ metrics, server, cookie, token: await jwt(idp), gatewayToken: echo ? await registryToken(server.url, cookie) : undefined });
    }
    await checkMetricsEndpoints(sides);

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
    const rows: MetricsRow[] = [];
    for (const w of workloads.filter((x) => !opts.only || opts.only.some((o) => x.name.includes(o)))) {
      console.error(`  ${w.name}…`);
      rows.push(...(await interleaved(w, sides, opts)));
    }
    return rows;
  } finally {
    for (const s of sides) await s.server.stop();
    echo?.child.kill();
    await idp.close();
    for (const env of envs) await dropEnv(env);
  }
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

/** A B B A per round (then B A A B, and so on), so drift in the machine's load falls on both sides alike. */
async function interleaved(w: Workload, sides: Side[], opts: { seconds: number; rounds: number }): Promise<MetricsRow[]> {
  const run = (s: Side, seconds: number) =>
    load({ url: `${s.server.url}${w.path(s)}`, body: w.body, headers: w.headers(s), connections: CONNECTIONS, seconds, fineLatency: true });
  for (const s of sides) {
    const first = await fetch(`${s.server.url}${w.path(s)}`, { method: "POST", headers: { "content-type": "application/json", ...w.headers(s) }, body: w.body });
    if (first.status !== 200) throw new Error(`${w.name} (metrics ${s.metrics}): ${first.status} ${(await first.text()).slice(0, 200)}`);
    await run(s, 2); // warm-up
  }
  const totals = new Map(sides.map((s) => [s, { requests: 0, seconds: 0, errors: 0, cpuMs: 0, p50: [] as number[], p99: [] as number[] }]));
  for (let round = 0; round < opts.rounds; round++) {
    const [a, b] = round % 2 === 0 ? [sides[0]!, sides[1]!] : [sides[1]!, sides[0]!];
    for (const s of [a, b, b, a]) {
      const cpu = await cpuMsOf(s.server.child.pid!);
      const result = await run(s, opts.seconds);
      const t = totals.get(s)!;
      t.cpuMs += (await cpuMsOf(s.server.child.pid!)) - cpu;
      t.requests += result.requests;
      t.seconds += opts.seconds;
      t.errors += result.errors + result.non2xx;
      t.p50.push(result.fine?.p50 ?? result.p50);
      t.p99.push(result.fine?.p99 ?? result.p99);
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  return sides.map((s) => {
    const t = totals.get(s)!;
    return {
      workload: w.name,
      metrics: s.metrics,
      rps: Math.round(t.requests / t.seconds),
      p50: median(t.p50),
      p99: median(t.p99),
      errors: t.errors,
      cpuUsPerRequest: Math.round((t.cpuMs * 1000) / Math.max(1, t.requests)),
      requests: t.requests,
    };
  });
}

export function metricsMarkdown(rows: MetricsRow[], opts: { servers: number; seconds: number; rounds: number; runtime?: string }, date: string, machine: string): string {
  const lines = [
    `### Metrics overhead (METRICS on vs off, two servers side by side on identical data, ${opts.servers.toLocaleString("en")} servers, concurrency ${CONNECTIONS}, ${opts.rounds} rounds of A B B A × ${opts.seconds} s; ${opts.runtime === "tsx" ? "src/ through tsx" : "the production build"})`,
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
    return `${w}: ${ratio >= 0.95 ? "within 5 %" : "**more than 5 % slower**"} (${(ratio * 100).toFixed(1)} %)`;
  });
  lines.push("", `Target: with metrics on, each within 5 % of off in the same run. ${verdicts.join("; ")}.`);
  return lines.join("\n");
}
