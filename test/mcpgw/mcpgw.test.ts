// The registry as an MCP server at /mcpgw/mcp, through the MCP SDK's own client: each tool
// answers only what the caller may see, and only a signed-in caller gets in.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { z } from "zod";
import { DISCOVERY_ENV, discoverServers } from "../support/discovered.ts";
import type { TestMcpServer } from "../support/mcp-server.ts";
import { signInAsAdmin } from "../support/session.ts";

let app: TestApp;
let policyDir: string;
let weatherToken: string;
let mcps: TestMcpServer[] = [];

beforeAll(async () => {
  policyDir = await fs.mkdtemp(path.join(os.tmpdir(), "mcpgw-policy-"));
  const policyFile = path.join(policyDir, "policy.yaml");
  await fs.writeFile(
    policyFile,
    ["groups:", "  weather-team:", "    - servers: [/weather, /weather/*]", "      permissions: [list_service, use_service]"].join("\n"),
  );
  const port = await freePort();
  app = await startApp({ env: { ...DISCOVERY_ENV, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ACCESS_POLICY_FILE: policyFile } });
  // Discovered for real, so that the search index holds their documents; search_tools looks in enabled servers only.
  mcps = await discoverServers(app, [
    {
      path: "/weather",
      name: "Weather",
      description: "Forecasts and current conditions",
      tools: [
        { name: "get_forecast", description: "Get the weather forecast for a city", inputSchema: { city: z.string() } },
        { name: "current_conditions", description: "Current temperature and wind", inputSchema: { city: z.string() } },
      ],
    },
    { path: "/weather/eu", name: "EU weather", description: "European weather alerts", tools: [{ name: "alerts", description: "Severe weather alerts in Europe" }] },
    {
      path: "/finance",
      name: "Finance",
      description: "Stock market data",
      tools: [
        { name: "get_stock_price", description: "The latest stock price of a ticker", inputSchema: { ticker: z.string() } },
        { name: "fx_convert", description: "Convert money between currencies at today's exchange rate", inputSchema: { amount: z.number(), from: z.string(), to: z.string() } },
      ],
    },
  ]);
  weatherToken = await tokenFor(app, { subject: "wendy", username: "wendy", groups: ["weather-team"], scopes: ["list_service", "use_service"] });
});

afterAll(async () => {
  await stopApp(app);
  await Promise.all(mcps.map((m) => m.close()));
  await fs.rm(policyDir, { recursive: true, force: true });
});

async function connect(headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "mcpgw-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${app.url}/mcpgw/mcp`), { requestInit: { headers } }));
  return client;
}

async function callJson(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError ?? false).toBe(false);
  return result.structuredContent as Record<string, unknown>;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("/mcpgw/mcp", () => {
  it("offers its five tools", async () => {
    const client = await connect(bearer(app.adminToken));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["get_server", "health", "list_servers", "list_tools", "search_tools"]);
    expect(client.getServerVersion()?.name).toBe("mcp-gateway-registry");
    await client.close();
  });

  it("finds the tool for a task in plain words, ranked, with its gateway URL, input schema, score and snippet", async () => {
    const client = await connect(bearer(app.adminToken));
    const r = await callJson(client, "search_tools", { query: "What is the weather forecast for Paris?", limit: 3 });
    expect(r.searchMode).toBe("lexical-only");
    const tools = r.tools as { name: string; serverPath: string; gatewayUrl: string; inputSchema: { properties?: Record<string, unknown> }; callable: boolean; score: number; matchContext: string }[];
    expect(tools[0]).toMatchObject({ name: "get_forecast", serverPath: "/weather", gatewayUrl: `${app.url}/weather/mcp`, callable: true });
    expect(tools[0]!.inputSchema).toMatchObject({ type: "object", properties: { city: { type: "string" } } });
    expect(tools[0]!.score).toBeGreaterThan(0);
    expect(tools[0]!.score).toBeLessThanOrEqual(1);
    expect(tools[0]!.matchContext.toLowerCase()).toContain("forecast");
    expect(tools.map((t) => t.score)).toEqual([...tools.map((t) => t.score)].sort((a, b) => b - a));
    expect(tools.length).toBeLessThanOrEqual(3);
    expect(tools.map((t) => t.name)).not.toContain("get_stock_price");
    const none = await callJson(client, "search_tools", { query: "translate a poem into Latin" });
    expect(none.tools).toEqual([]);
    await client.close();
  });

  it("finds a tool whose name shares no word with the question", async () => {
    const client = await connect(bearer(app.adminToken));
    const r = await callJson(client, "search_tools", { query: "What is today's exchange rate between currencies?" });
    expect((r.tools as { name: string; serverPath: string }[])[0]).toMatchObject({ name: "fx_convert", serverPath: "/finance" });
    await client.close();
  });

  it("answers a question it cannot search (only whitespace) as a tool error", async () => {
    const client = await connect(bearer(app.adminToken));
    const r = await client.callTool({ name: "search_tools", arguments: { query: "   " } });
    expect(r.isError).toBe(true);
    await client.close();
  });

  it("list_servers' search ranks servers by the search index, with scores", async () => {
    const client = await connect(bearer(app.adminToken));
    const r = await callJson(client, "list_servers", { search: "severe alerts in europe" });
    const servers = r.servers as { path: string; score: number; gatewayUrl: string }[];
    expect(servers[0]).toMatchObject({ path: "/weather/eu", gatewayUrl: `${app.url}/weather/eu/mcp` });
    expect(servers[0]!.score).toBeGreaterThan(0);
    expect(servers.map((s) => s.path)).not.toContain("/finance");
    expect(r.totalCount).toBeGreaterThanOrEqual(servers.length);
    const none = await callJson(client, "list_servers", { search: "translate a poem into Latin" });
    expect(none).toMatchObject({ totalCount: 0, servers: [], nextCursor: null });
    const all = await callJson(client, "list_servers", { search: "  " });
    expect((all.servers as unknown[]).length).toBe(3);
    await client.close();
  });

  it("answers a restricted user only about their servers and tools", async () => {
    const client = await connect(bearer(weatherToken));
    const servers = await callJson(client, "list_servers");
    expect((servers.servers as { path: string; canUse: boolean }[]).map((s) => [s.path, s.canUse])).toEqual([
      ["/weather", true],
      ["/weather/eu", true],
    ]);
    const tools = await callJson(client, "list_tools");
    expect((tools.tools as { name: string }[]).map((t) => t.name).sort()).toEqual(["alerts", "current_conditions", "get_forecast"]);
    const stock = await callJson(client, "search_tools", { query: "stock price of a ticker" });
    expect(stock.tools).toEqual([]);
    const ranked = await callJson(client, "list_servers", { search: "stock market data" });
    expect((ranked.servers as { path: string }[]).map((s) => s.path).every((p) => p.startsWith("/weather"))).toBe(true);
    const hidden = await client.callTool({ name: "get_server", arguments: { path: "/finance" } });
    expect(hidden.isError).toBe(true);
    expect(JSON.stringify(hidden.content)).toContain("No server at /finance");
    const financeTools = await callJson(client, "list_tools", { server: "/finance" });
    expect(financeTools).toMatchObject({ totalCount: 0, tools: [] });
    const health = await callJson(client, "health");
    expect(health.counts).toMatchObject({ total: 2, healthy: 2, disabled: 0 });
    expect((health.servers as { path: string }[]).map((s) => s.path)).toEqual(["/weather", "/weather/eu"]);
    const weather = await callJson(client, "get_server", { path: "weather" });
    expect(weather).toMatchObject({ path: "/weather", gatewayUrl: `${app.url}/weather/mcp`, canUse: true });
    expect((weather.tools as { name: string }[]).map((t) => t.name)).toEqual(["current_conditions", "get_forecast"]);
    await client.close();
  });

  it("accepts X-Authorization: Bearer and the session cookie", async () => {
    const ways: Record<string, string>[] = [{ "x-authorization": `Bearer ${weatherToken}` }, { cookie: await signInAsAdmin(app.url) }];
    for (const headers of ways) {
      const client = await connect(headers);
      const r = await callJson(client, "list_servers");
      expect((r.servers as unknown[]).length).toBeGreaterThanOrEqual(2);
      await client.close();
    }
  });

  it("refuses a caller who is not signed in with 401 and a Bearer challenge", async () => {
    const res = await fetch(`${app.url}/mcpgw/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    const metadataUrl = `${app.url}/.well-known/oauth-protected-resource/mcpgw/mcp`;
    expect(res.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${metadataUrl}", scope="list_service"`);
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32001 }, id: null });
    await expect(connect({})).rejects.toThrow();
    const metadata = await fetch(metadataUrl);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({ resource: `${app.url}/mcpgw/mcp`, authorization_servers: [], scopes_supported: ["list_service"] });
    const forged = await fetch(`${app.url}/mcpgw/mcp`, { method: "POST", headers: { authorization: "Bearer not.a.token", "content-type": "application/json" }, body: "{}" });
    expect(forged.status).toBe(401);
    expect(forged.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("answers GET and DELETE with 405 (stateless: no stream, no session)", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await fetch(`${app.url}/mcpgw/mcp`, { method, headers: bearer(app.adminToken) });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
    }
  });
});
