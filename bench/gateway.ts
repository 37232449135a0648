// The MCP gateway's cost: tools/call of an echo tool on a loopback MCP SDK server (its own
// process), through the gateway at /{path}/mcp with a registry token and directly, in the
// same run, at concurrency 1 and 16; and a filtered tools/list of 500 tools answered over
// SSE, through the gateway with a restricted provider token and directly.
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startIdp } from "../test/support/idp.ts";
import { startMcpProcesses } from "./health-sweep.ts";
import { ADMIN_ENV, cpuMsOf, dropEnv, freshEnv, insertServers, load, productionBuild, rssOf, signIn, startProcess, type Load } from "./support.ts";

/** cpuUsPerRequest: the registry's CPU per request through the gateway (user + system). */
export type GatewayRow = { case: string; variant: string; connections: number; cpuUsPerRequest?: number } & Load;
export type GatewayResult = { rows: GatewayRow[]; rssMb: number; peakMb: number; seconds: number; runtime: string };

const ACCEPT = { accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" };
const CALL = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hello" } } });
const LIST = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
});

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string; session: string | null }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...ACCEPT, ...headers }, body });
  return { status: res.status, text: await res.text(), session: res.headers.get("mcp-session-id") };
}

/** A session on a stateful upstream (directly or through the gateway): its id. */
async function openSession(url: string, headers: Record<string, string>): Promise<string> {
  const init = await post(url, INITIALIZE, headers);
  if (init.status !== 200 || !init.session) throw new Error(`initialize at ${url}: ${init.status} ${init.text.slice(0, 200)}`);
  await post(url, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), { ...headers, "mcp-session-id": init.session });
  return init.session;
}

/** runtime: the production build (what a deployment runs; the default) or src/ through tsx. */
export async function gatewayBench(opts: { seconds: number; nodeArgs?: string[]; runtime?: "production" | "tsx" }): Promise<GatewayResult> {
  const main = opts.runtime === "tsx" ? "src/main.ts" : await productionBuild();
  const [echo, lister] = await Promise.all([
    startMcpProcesses(1, { echoTools: 1 }).then((p) => p[0]!),
    startMcpProcesses(1, { echoTools: 500, stateful: true }).then((p) => p[0]!),
  ]);
  const idp = await startIdp({});
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "bench-gateway-"));
  const policyFile = path.join(dir, "policy.yaml");
  // tool_1* names 111 of the 500 tools: the filter drops most of the list.
  await fs.writeFile(policyFile, ["groups:", "  bench-filtered:", "    - servers: all", "      permissions: [list_service, use_service]", "      tools: [echo, tool_1*]"].join("\n"));
  const env = await freshEnv({ kind: "pglite" });
  const server = (p: string, url: string) => ({
    server: { id: randomUUID(), name: p, description: "", path: p, proxyPassUrl: `${url}/mcp`, tags: [], metadata: {}, enabled: true, transport: "STREAMABLE_HTTP" as const },
  });
  await insertServers(env, [server("/bench-echo", echo.url), server("/bench-list", lister.url)]);
  const registry = await startProcess(main, {
    ...env,
    ...ADMIN_ENV,
    HEALTH_CHECKS: "false",
    GATEWAY_RATE_LIMIT_PER_MINUTE: "10000000",
    GATEWAY_TOOL_RATE_LIMIT_PER_MINUTE: "10000000",
    ACCESS_POLICY_FILE: policyFile,
    OIDC_PROVIDERS: "keycloak",
    OIDC_KEYCLOAK_ISSUER: idp.issuer,
    OIDC_KEYCLOAK_CLIENT_ID: idp.webClient.clientId,
    OIDC_KEYCLOAK_CLIENT_SECRET: idp.webClient.clientSecret,
    OIDC_KEYCLOAK_AUDIENCE: idp.audience,
  }, opts.nodeArgs);
  const rows: GatewayRow[] = [];
  try {
    const cookie = await signIn(registry.url);
    const generated = await fetch(`${registry.url}/api/tokens/generate`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ scopes: ["list_service", "use_service"], expires_in: 3600 }),
    });
    const token = ((await generated.json()) as { tokens: { access_token: string } }).tokens.access_token;
    const auth = { authorization: `Bearer ${token}` };

    const direct = `${echo.url}/mcp`;
    const through = `${registry.url}/bench-echo/mcp`;
    const [a, b] = [await post(direct, CALL, {}), await post(through, CALL, auth)];
    if (a.status !== 200 || a.text !== b.text) throw new Error(`echo answers differ: ${a.status} ${a.text} / ${b.status} ${b.text}`);
    for (const connections of [1, 16]) {
      for (const [variant, url, headers] of [
        ["direct (baseline)", direct, ACCEPT],
        ["through the gateway", through, { ...ACCEPT, ...auth }],
      ] as const) {
        await load({ url, body: CALL, headers, connections, seconds: Math.min(2, opts.seconds) });
        const cpuBefore = await cpuMsOf(registry.child.pid!);
        const result = await load({ url, body: CALL, headers, connections, seconds: opts.seconds, fineLatency: connections === 1 });
        const cpu = (await cpuMsOf(registry.child.pid!)) - cpuBefore;
        const through = variant.startsWith("through");
        rows.push({ case: "tools/call echo", variant, connections, ...result, ...(through ? { cpuUsPerRequest: Math.round((cpu * 1000) / Math.max(1, result.requests)) } : {}) });
        console.error(`  echo ${variant} c=${connections}: ${result.rps}/s p50 ${result.fine?.p50 ?? result.p50} ms p99 ${result.fine?.p99 ?? result.p99} ms`);
      }
    }

    const restricted = { authorization: `Bearer ${await idp.issueAccessToken({ groups: ["bench-filtered"], expiresIn: 3600 })}` };
    const listDirect = `${lister.url}/mcp`;
    const listThrough = `${registry.url}/bench-list/mcp`;
    const directSession = await openSession(listDirect, {});
    const gatewaySession = await openSession(listThrough, restricted);
    const adminSession = await openSession(listThrough, auth);
    const shown = await post(listThrough, LIST, { ...restricted, "mcp-session-id": gatewaySession });
    const count = (shown.text.match(/"name":"/g) ?? []).length;
    if (!shown.text.startsWith("event:") && !shown.text.startsWith("id:")) throw new Error(`tools/list was not answered over SSE: ${shown.text.slice(0, 100)}`);
    console.error(`  tools/list through the gateway shows ${count} of 500 tools`);
    for (const [variant, url, headers] of [
      ["direct, 500 tools (baseline)", listDirect, { ...ACCEPT, "mcp-session-id": directSession }],
      ["through the gateway, unfiltered (a caller allowed every tool)", listThrough, { ...ACCEPT, ...auth, "mcp-session-id": adminSession }],
      [`through the gateway, filtered to ${count}`, listThrough, { ...ACCEPT, ...restricted, "mcp-session-id": gatewaySession }],
    ] as const) {
      await load({ url, body: LIST, headers, connections: 1, seconds: Math.min(2, opts.seconds) });
      const cpuBefore = await cpuMsOf(registry.child.pid!);
      const result = await load({ url, body: LIST, headers, connections: 1, seconds: opts.seconds, fineLatency: true });
      const cpu = (await cpuMsOf(registry.child.pid!)) - cpuBefore;
      const through = variant.startsWith("through");
      rows.push({ case: "tools/list over SSE", variant, connections: 1, ...result, ...(through ? { cpuUsPerRequest: Math.round((cpu * 1000) / Math.max(1, result.requests)) } : {}) });
      console.error(`  list ${variant}: ${result.rps}/s p50 ${result.fine?.p50} ms`);
    }
    const memory = await rssOf(registry.child.pid!);
    return { rows, ...memory, seconds: opts.seconds, runtime: opts.runtime === "tsx" ? "src/ through tsx" : "the production build" };
  } finally {
    await registry.stop();
    for (const p of [echo, lister]) p.child.kill("SIGTERM");
    await idp.close();
    await dropEnv(env);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export function gatewayMarkdown(result: GatewayResult, date: string, machine: string): string {
  const find = (c: string, v: string, n: number) => result.rows.find((r) => r.case === c && r.variant.startsWith(v) && r.connections === n);
  const ms = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(2));
  const added = (c: string, n: number, q: "p50" | "p99", via = "through") => {
    const [d, g] = [find(c, "direct", n), find(c, via, n)];
    return d?.fine && g?.fine ? ms(g.fine[q] - d.fine[q]) : "-";
  };
  const d16 = find("tools/call echo", "direct", 16);
  const g16 = find("tools/call echo", "through", 16);
  return [
    `### MCP gateway: through /{path}/mcp vs direct (${result.seconds} s per row; the registry runs ${result.runtime})`,
    "",
    `${date} · ${machine}`,
    "",
    "| case | variant | connections | requests/s | p50 ms | p99 ms | errors | registry CPU µs/request |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...result.rows.map(
      (r) =>
        `| ${r.case} | ${r.variant} | ${r.connections} | ${r.rps} | ${r.fine ? ms(r.fine.p50) : r.p50} | ${r.fine ? ms(r.fine.p99) : r.p99} | ${r.errors + r.non2xx} | ${r.cpuUsPerRequest ?? "-"} |`,
    ),
    "",
    `Added latency at concurrency 1: p50 ${added("tools/call echo", 1, "p50")} ms (target ≤ 1), p99 ${added("tools/call echo", 1, "p99")} ms (target ≤ 3). ` +
      `Throughput at concurrency 16: ${d16 && g16 ? (g16.rps / d16.rps).toFixed(2) : "-"} × direct (target ≥ 0.7). ` +
      `Registry RSS ${result.rssMb} MB, peak ${result.peakMb} MB (target ≤ 300). ` +
      `Filtered tools/list of 500 tools over SSE: added p50 ${added("tools/list over SSE", 1, "p50", "through the gateway, filtered")} ms (target ≤ 2); ` +
      `unfiltered (the same answer passed through): added p50 ${added("tools/list over SSE", 1, "p50", "through the gateway, unfiltered")} ms.`,
  ].join("\n");
}
