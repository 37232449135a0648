import { randomUUID } from "node:crypto";
import http from "node:http";
import { startMcpProcesses } from "./health-sweep.ts";
import { ADMIN_ENV, freshEnv, insertServers, productionBuild, signIn, startProcess } from "./support.ts";
import fsp from "node:fs/promises";
async function cpuMsOf(pid: number): Promise<[number, number]> {
  const stat = await fsp.readFile(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [Number(f[11]) * 10, Number(f[12]) * 10];
}
const ACCEPT = { accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" };
const LIST = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
const INITIALIZE = JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } } });
async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...ACCEPT, ...headers }, body });
  return { status: res.status, text: await res.text(), session: res.headers.get("mcp-session-id") };
}
async function openSession(url: string, headers: Record<string, string>) {
  const init = await post(url, INITIALIZE, headers);
  await post(url, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), { ...headers, "mcp-session-id": init.session! });
  return init.session!;
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function once(url: string, headers: Record<string, string>): Promise<{ ttfb: number; total: number; chunks: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", agent, headers: { "content-type": "application/json", ...ACCEPT, ...headers, "content-length": Buffer.byteLength(LIST) } }, (res) => {
      let ttfb = 0, chunks = 0, bytes = 0;
      res.on("data", (c: Buffer) => { if (!chunks) ttfb = performance.now() - t0; chunks++; bytes += c.length; });
      res.on("end", () => resolve({ ttfb, total: performance.now() - t0, chunks, bytes }));
    });
    req.on("error", reject);
    req.end(LIST);
  });
}
const main = await productionBuild();
const [lister] = await startMcpProcesses(1, { echoTools: 500, stateful: true });
const env = await freshEnv({ kind: "pglite" });
await insertServers(env, [{ server: { id: randomUUID(), name: "l", description: "", path: "/bench-list", proxyPassUrl: `${lister!.url}/mcp`, tags: [], metadata: {}, enabled: true, transport: "STREAMABLE_HTTP" as const } }]);
const registry = await startProcess(main, { ...env, ...ADMIN_ENV, HEALTH_CHECKS: "false", GATEWAY_RATE_LIMIT_PER_MINUTE: "10000000", GATEWAY_TOOL_RATE_LIMIT_PER_MINUTE: "10000000" }, (process.env.XNODE ?? "").split(" ").filter(Boolean));
const cookie = await signIn(registry.url);
const gen = await fetch(`${registry.url}/api/tokens/generate`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ scopes: ["list_service", "use_service"], expires_in: 3600 }) });
const token = ((await gen.json()) as { tokens: { access_token: string } }).tokens.access_token;
const auth = { authorization: `Bearer ${token}` };
const direct = `${lister!.url}/mcp`, through = `${registry.url}/bench-list/mcp`;
const ds = await openSession(direct, {}), gs = await openSession(through, auth);
const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (let round = 0; round < 3; round++) {
  for (const [name, url, h] of [["direct", direct, { "mcp-session-id": ds }], ["gateway", through, { ...auth, "mcp-session-id": gs }]] as const) {
    const r: { ttfb: number; total: number; chunks: number; bytes: number }[] = [];
    const c0 = await cpuMsOf(registry.child.pid!);
    for (let i = 0; i < 300; i++) r.push(await once(url, h as Record<string, string>));
    const c1 = await cpuMsOf(registry.child.pid!); const cpu = `user ${((c1[0] - c0[0]) / 300).toFixed(2)} sys ${((c1[1] - c0[1]) / 300).toFixed(2)}`;
    console.log(name.padEnd(8), "ttfb p50", med(r.map((x) => x.ttfb)).toFixed(2), "total p50", med(r.map((x) => x.total)).toFixed(2), "chunks p50", med(r.map((x) => x.chunks)), "bytes", r[0]!.bytes, "registry cpu/req", cpu);
  }
}
await registry.stop();
process.exit(0);
