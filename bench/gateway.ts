// The MCP gateway's cost: tools/call of an echo tool on a loopback MCP SDK server (its own
// process), through the gateway at /{path}/mcp with a registry token and directly, in the
// same run, at concurrency 1 and 16; and a filtered tools/list of 500 tools answered over
// SSE, through the gateway with a restricted provider token and directly. Each comparison runs
// in `rounds` rounds, direct and gateway alternating which goes first (the host's load drifts
// between rows), and the added latency is the median of each round's own difference.
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startIdp } from "../test/support/idp.ts";
import { startMcpProcesses } from "./health-sweep.ts";
import { ADMIN_ENV, cpuMsOf, dropEnv, freshEnv, insertServers, load, productionBuild, rssOf, signIn, startProcess, type Load } from "./support.ts";

/** cpuUsPerRequest: the registry's CPU per request through the gateway (user + system). */
export type GatewayRow = { case: string; variant: string; connections: number; cpuUsPerRequest?: number } & Load;
/** added: per case and connections, each round's gateway minus direct (p50, p99, ms), and the median of those. */
export type Added = { case: string; variant: string; connections: number; p50: number[]; p99: number[]; medianP50: number; medianP99: number };
export type GatewayResult = { rows: GatewayRow[]; added: Added[]; rssMb: number; peakMb: number; seconds: number; rounds: number; runtime: string };

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
export async function gatewayBench(opts: { seconds: number; rounds?: number; nodeArgs?: string[]; runtime?: "production" | "tsx" }): Promise<GatewayResult> {
  const rounds = Math.max(1, opts.rounds ?? 1);
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
    const rows: GatewayRow[] = [];
    const added: Added[] = [];
    /** Measures the variants (the first is the baseline) for `rounds` rounds, alternating the order. */
    const compare = async (kase: string, connections: number, body: string, variants: (readonly [string, string, Record<string, string>])[]) => {
      const totals = variants.map(() => ({ requests: 0, seconds: 0, errors: 0, non2xx: 0, cpuMs: 0, p50: [] as number[], p99: [] as number[], coarse50: [] as number[], coarse99: [] as number[] }));
      for (let round = 0; round < rounds; round++) {
        const order = variants.map((_, i) => i);
        if (round % 2 === 1) order.reverse();
        for (const i of order) {
          const [variant, url, headers] = variants[i]!;
          await load({ url, body, headers, connections, seconds: Math.min(2, opts.seconds) });
          const cpuBefore = await cpuMsOf(registry.child.pid!);
          const result = await load({ url, body, headers, connections, seconds: opts.seconds, fineLatency: connections === 1 });
          const t = totals[i]!;
          t.cpuMs += (await cpuMsOf(registry.child.pid!)) - cpuBefore;
          t.requests += result.requests;
          t.seconds += opts.seconds;
          t.errors += result.errors;
          t.non2xx += result.non2xx;
          t.p50.push(result.fine?.p50 ?? result.p50);
          t.p99.push(result.fine?.p99 ?? result.p99);
          console.error(`  ${kase} ${variant} c=${connections} (round ${round + 1}/${rounds}): ${result.rps}/s p50 ${result.fine?.p50 ?? result.p50} ms p99 ${result.fine?.p99 ?? result.p99} ms`);
        }
      }
      variants.forEach(([variant], i) => {
        const t = totals[i]!;
        const through = variant.startsWith("through");
        const fine = connections === 1 ? { p50: median(t.p50), p99: median(t.p99), mean: 0 } : undefined;
        rows.push({
          case: kase,
          variant,
          connections,
          rps: Math.round(t.requests / t.seconds),
          p50: median(t.p50),
          p99: median(t.p99),
          errors: t.errors,
          non2xx: t.non2xx,
          requests: t.requests,
          ...(fine ? { fine } : {}),
          ...(through ? { cpuUsPerRequest: Math.round((t.cpuMs * 1000) / Math.max(1, t.requests)) } : {}),
        });
        if (i === 0) return;
        const base = totals[0]!;
        const d50 = t.p50.map((x, r) => round2(x - base.p50[r]!));
        const d99 = t.p99.map((x, r) => round2(x - base.p99[r]!));
        added.push({ case: kase, variant, connections, p50: d50, p99: d99, medianP50: median(d50), medianP99: median(d99) });
      });
    };
    for (const connections of [1, 16]) {
      await compare("tools/call echo", connections, CALL, [
        ["direct (baseline)", direct, ACCEPT],
        ["through the gateway", through, { ...ACCEPT, ...auth }],
      ]);
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
    await compare("tools/list over SSE", 1, LIST, [
      ["direct, 500 tools (baseline)", listDirect, { ...ACCEPT, "mcp-session-id": directSession }],
      ["through the gateway, unfiltered (a caller allowed every tool)", listThrough, { ...ACCEPT, ...auth, "mcp-session-id": adminSession }],
      [`through the gateway, filtered to ${count}`, listThrough, { ...ACCEPT, ...restricted, "mcp-session-id": gatewaySession }],
    ]);
    const memory = await rssOf(registry.child.pid!);
    return { rows, added, ...memory, seconds: opts.seconds, rounds, runtime: opts.runtime === "tsx" ? "src/ through tsx" : "the production build" };
  } finally {
    await registry.stop();
    for (const p of [echo, lister]) p.child.kill("SIGTERM");
    await idp.close();
    await dropEnv(env);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? sorted[mid]! : round2((sorted[mid - 1]! + sorted[mid]!) / 2);
};
const round2 = (x: number) => Math.round(x * 100) / 100;

export function gatewayMarkdown(result: GatewayResult, date: string, machine: string): string {
  const find = (c: string, v: string, n: number) => result.rows.find((r) => r.case === c && r.variant.startsWith(v) && r.connections === n);
  const ms = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(2));
  // The median of each round's own difference: a round's gateway and direct ran back to back.
  const added = (c: string, n: number, q: "p50" | "p99", via = "through") => {
    const a = result.added.find((x) => x.case === c && x.variant.startsWith(via) && x.connections === n);
    if (!a) return "-";
    const each = q === "p50" ? a.p50 : a.p99;
    return `${ms(q === "p50" ? a.medianP50 : a.medianP99)} ms${each.length > 1 ? ` (rounds: ${each.map(ms).join(", ")})` : ""}`;
  };
  const d16 = find("tools/call echo", "direct", 16);
  const g16 = find("tools/call echo", "through", 16);
  return [
    `### MCP gateway: through /{path}/mcp vs direct (${result.rounds} round${result.rounds === 1 ? "" : "s"} of ${result.seconds} s per row, alternating; the registry runs ${result.runtime})`,
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
    `Added latency at concurrency 1 (median of the rounds): p50 ${added("tools/call echo", 1, "p50")} (target ≤ 1), p99 ${added("tools/call echo", 1, "p99")} (target ≤ 3). ` +
      `Throughput at concurrency 16: ${d16 && g16 ? (g16.rps / d16.rps).toFixed(2) : "-"} × direct (target ≥ 0.7). ` +
      `Registry RSS ${result.rssMb} MB, peak ${result.peakMb} MB (target ≤ 300). ` +
      `Filtered tools/list of 500 tools over SSE: added p50 ${added("tools/list over SSE", 1, "p50", "through the gateway, filtered")} (target ≤ 2); ` +
      `unfiltered (the same answer passed through): added p50 ${added("tools/list over SSE", 1, "p50", "through the gateway, unfiltered")}.`,
  ].join("\n");
}
