// POST /api/search/semantic against the real server, over tools the registry really
// discovered from MCP SDK servers: the original product's answer shape (checked against
// /openapi.json), ranking and filters, who sees what, and a table of refused bodies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { freePort, startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { DISCOVERY_ENV, discoverServers } from "../support/discovered.ts";
import type { TestMcpServer } from "../support/mcp-server.ts";
import { restContract, type Contract } from "../support/rest-contract.ts";

let app: TestApp;
let contract: Contract;
let mcps: TestMcpServer[] = [];
let wendyToken: string;

type Answer = {
  query: string;
  search_mode: string;
  servers: {
    path: string;
    server_name: string;
    description: string;
    tags: string[];
    num_tools: number;
    is_enabled: boolean;
    relevance_score: number;
    match_context: string;
    matching_tools: { tool_name: string; description: string; relevance_score: number; match_context: string; inputSchema: unknown }[];
    endpoint_url: string;
  }[];
  tools: { server_path: string; server_name: string; tool_name: string; description: string; inputSchema: { properties?: Record<string, unknown> }; relevance_score: number; match_context: string; endpoint_url: string }[];
  total_servers: number;
  total_tools: number;
  error?: { code: string; message: string };
};

beforeAll(async () => {
  const port = await freePort();
  app = await startApp({ env: { ...DISCOVERY_ENV, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
  contract = await restContract(app.url);
  mcps = await discoverServers(app, [
    {
      path: "/weather",
      name: "Weather",
      description: "Forecasts and current conditions for any city",
      tags: ["public", "weather"],
      tools: [
        { name: "get_forecast", description: "Get the weather forecast for a city", inputSchema: { city: z.string().describe("City name") } },
        { name: "current_conditions", description: "Current temperature and wind", inputSchema: { city: z.string() } },
      ],
    },
    {
      path: "/calendar",
      name: "Calendar",
      description: "Team calendars",
      tags: ["internal"],
      tools: [
        { name: "create_event", description: "Add an event to a calendar at a given time", inputSchema: { title: z.string(), start: z.string() } },
        { name: "list_events", description: "Events between two dates", inputSchema: { from: z.string(), to: z.string() } },
      ],
    },
    {
      path: "/finance",
      name: "Finance",
      description: "Stock market data",
      tags: ["internal"],
      tools: [{ name: "get_stock_price", description: "The latest stock price of a ticker", inputSchema: { ticker: z.string() } }],
    },
    {
      path: "/old-crm",
      name: "Old CRM",
      description: "Customer records, being retired",
      disabled: true,
      tools: [{ name: "find_customer", description: "Find a customer record by name", inputSchema: { name: z.string() } }],
    },
  ]);
  const problems = await app.auth.policy.update(
    { groups: { "weather-team": [{ servers: ["/weather", "/weather/*"], permissions: ["list_service", "use_service"] }] } },
    "test",
  );
  expect(problems).toEqual([]);
  wendyToken = await tokenFor(app, { subject: "wendy", username: "wendy", groups: ["weather-team"], scopes: ["list_service", "use_service"] });
});

afterAll(async () => {
  await stopApp(app);
  await Promise.all(mcps.map((m) => m.close()));
});

const URL_PATH = "/api/search/semantic";

async function post(body: unknown, opts: { token?: string | null; raw?: string; type?: string } = {}): Promise<{ status: number; json: Answer }> {
  const headers: Record<string, string> = { "content-type": opts.type ?? "application/json" };
  const token = opts.token === undefined ? app.adminToken : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${app.url}${URL_PATH}`, { method: "POST", headers, body: opts.raw ?? JSON.stringify(body) });
  const text = await res.text();
  contract.check("POST", URL_PATH, { status: res.status, headers: res.headers, text });
  return { status: res.status, json: JSON.parse(text) as Answer };
}

function descending(scores: number[]): boolean {
  return scores.every((s, i) => s >= 0 && s <= 1 && (i === 0 || scores[i - 1]! >= s));
}

describe("POST /api/search/semantic", () => {
  it("answers the original product's shape: ranked servers and tools with scores, snippets, schemas and gateway URLs", async () => {
    const { status, json } = await post({ query: "weather forecast for a city" });
    expect(status).toBe(200);
    expect(json.query).toBe("weather forecast for a city");
    expect(json.search_mode).toBe("lexical-only");
    expect(json.servers[0]).toMatchObject({
      path: "/weather",
      server_name: "Weather",
      description: "Forecasts and current conditions for any city",
      tags: ["public", "weather"],
      num_tools: 2,
      is_enabled: true,
      endpoint_url: `${app.url}/weather/mcp`,
    });
    expect(json.servers[0]!.match_context).not.toBe("");
    expect(json.servers[0]!.matching_tools.map((t) => t.tool_name)).toContain("get_forecast");
    expect(json.tools[0]).toMatchObject({ server_path: "/weather", server_name: "Weather", tool_name: "get_forecast", endpoint_url: `${app.url}/weather/mcp` });
    expect(json.tools[0]!.inputSchema.properties).toHaveProperty("city");
    expect(json.tools[0]!.match_context.length).toBeGreaterThan(0);
    expect(descending(json.servers.map((s) => s.relevance_score))).toBe(true);
    expect(descending(json.tools.map((t) => t.relevance_score))).toBe(true);
    expect(json.total_servers).toBeGreaterThanOrEqual(json.servers.length);
    expect(json.total_tools).toBeGreaterThanOrEqual(json.tools.length);
    expect(json.tools.map((t) => t.tool_name)).not.toContain("get_stock_price");
  });

  it("finds a tool by its description when the query shares no word with its name", async () => {
    const { json } = await post({ query: "add an event to my calendar", entity_types: ["tool"] });
    expect(json.tools[0]).toMatchObject({ tool_name: "create_event", server_path: "/calendar" });
  });

  it("answers only the kinds asked for, at most max_results of each", async () => {
    const tools = await post({ query: "weather", entity_types: ["tool"] });
    expect(tools.json.servers).toEqual([]);
    expect(tools.json.total_servers).toBe(0);
    expect(tools.json.tools.length).toBeGreaterThan(0);
    const servers = await post({ query: "weather", entity_types: ["mcp_server"] });
    expect(servers.json.tools).toEqual([]);
    expect(servers.json.total_tools).toBe(0);
    expect(servers.json.servers.map((s) => s.path)).toContain("/weather");
    const both = await post({ query: "city", entity_types: [], max_results: 1 });
    expect(both.json.servers.length).toBeLessThanOrEqual(1);
    expect(both.json.tools).toHaveLength(1);
    expect(both.json.total_tools).toBeGreaterThanOrEqual(2);
  });

  it("leaves disabled servers out unless include_disabled, and filters by tags", async () => {
    const without = await post({ query: "find a customer record" });
    expect([...without.json.servers.map((s) => s.path), ...without.json.tools.map((t) => t.server_path)]).not.toContain("/old-crm");
    const withDisabled = await post({ query: "find a customer record", include_disabled: true });
    expect(withDisabled.json.tools[0]).toMatchObject({ tool_name: "find_customer", server_path: "/old-crm" });
    expect(withDisabled.json.servers.find((s) => s.path === "/old-crm")?.is_enabled).toBe(false);
    const tagged = await post({ query: "city", tags: ["internal"] });
    expect(tagged.json.tools.map((t) => t.server_path)).not.toContain("/weather");
    expect(tagged.json.servers.map((s) => s.path)).not.toContain("/weather");
  });

  it("answers empty lists when nothing is relevant", async () => {
    const { status, json } = await post({ query: "translate a poem into Latin" });
    expect(status).toBe(200);
    expect(json).toMatchObject({ servers: [], tools: [], total_servers: 0, total_tools: 0 });
  });

  it("a restricted user only ever gets their servers and tools", async () => {
    for (const query of ["stock price of a ticker", "add an event to a calendar", "city", "weather forecast"]) {
      const { status, json } = await post({ query, include_disabled: true, max_results: 50 }, { token: wendyToken });
      expect(status).toBe(200);
      const paths = [...json.servers.map((s) => s.path), ...json.tools.map((t) => t.server_path)];
      expect(paths.every((p) => p === "/weather"), `${query}: ${paths.join(", ")}`).toBe(true);
    }
    const { json } = await post({ query: "weather forecast" }, { token: wendyToken });
    expect(json.tools[0]?.tool_name).toBe("get_forecast");
  });

  it("refuses an anonymous caller with 401, as the other /api routes do", async () => {
    const { status, json } = await post({ query: "weather" }, { token: null });
    expect(status).toBe(401);
    expect(json.error?.code).toBe("UNAUTHENTICATED");
  });

  const hostile: { name: string; body?: unknown; raw?: string; type?: string; status: number; code: string }[] = [
    { name: "a NUL byte in the query", raw: '{"query":"wea\\u0000ther"}', status: 400, code: "BAD_REQUEST" },
    { name: "a lone surrogate in the query", raw: '{"query":"\\ud800 weather"}', status: 400, code: "BAD_REQUEST" },
    { name: "a lone surrogate in a tag", raw: '{"query":"weather","tags":["\\udc00"]}', status: 400, code: "BAD_REQUEST" },
    { name: "a huge max_results", body: { query: "weather", max_results: 1e12 }, status: 400, code: "VALIDATION_ERROR" },
    { name: "max_results 51", body: { query: "weather", max_results: 51 }, status: 400, code: "VALIDATION_ERROR" },
    { name: "max_results 0", body: { query: "weather", max_results: 0 }, status: 400, code: "VALIDATION_ERROR" },
    { name: "a fractional max_results", body: { query: "weather", max_results: 2.5 }, status: 400, code: "VALIDATION_ERROR" },
    { name: "max_results as a string", body: { query: "weather", max_results: "10" }, status: 400, code: "VALIDATION_ERROR" },
    { name: "a query that is a number", body: { query: 42 }, status: 400, code: "VALIDATION_ERROR" },
    { name: "no query", body: { entity_types: ["tool"] }, status: 400, code: "VALIDATION_ERROR" },
    { name: "a whitespace-only query", body: { query: " \t\n " }, status: 400, code: "VALIDATION_ERROR" },
    { name: "a query over 500 characters", body: { query: "w".repeat(501) }, status: 400, code: "VALIDATION_ERROR" },
    { name: "an unknown entity type", body: { query: "weather", entity_types: ["a2a_agent"] }, status: 400, code: "VALIDATION_ERROR" },
    { name: "entity_types as a string", body: { query: "weather", entity_types: "tool" }, status: 400, code: "VALIDATION_ERROR" },
    { name: "tags as a string", body: { query: "weather", tags: "public" }, status: 400, code: "VALIDATION_ERROR" },
    { name: "include_disabled as a string", body: { query: "weather", include_disabled: "yes" }, status: 400, code: "VALIDATION_ERROR" },
    { name: "too many tags", body: { query: "weather", tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, status: 400, code: "VALIDATION_ERROR" },
    { name: "a JSON array", body: [{ query: "weather" }], status: 400, code: "BAD_REQUEST" },
    { name: "JSON null", raw: "null", status: 400, code: "BAD_REQUEST" },
    { name: "text that is not JSON", raw: "query=weather", status: 400, code: "BAD_REQUEST" },
    { name: "deep nesting", raw: `{"query":"weather","tags":${"[".repeat(200)}${"]".repeat(200)}}`, status: 400, code: "BAD_REQUEST" },
    { name: "a form body", raw: "query=weather", type: "application/x-www-form-urlencoded", status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
    { name: "a body over 16 KiB", body: { query: "weather", padding: "x".repeat(20_000) }, status: 413, code: "PAYLOAD_TOO_LARGE" },
  ];

  it.each(hostile)("refuses $name with $status $code", async ({ body, raw, type, status, code }) => {
    const res = await post(body, { raw, type });
    expect(res.status).toBe(status);
    expect(res.json.error?.code).toBe(code);
    expect(res.json.error?.message.length).toBeGreaterThan(0);
  });

  it("ignores fields it does not know, as the original product does", async () => {
    const { status, json } = await post({ query: "weather forecast", unknown_field: true, max_results: 3 });
    expect(status).toBe(200);
    expect(json.tools[0]?.tool_name).toBe("get_forecast");
  });
});
