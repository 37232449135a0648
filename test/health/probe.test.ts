// The health probe against real MCP servers (the SDK's McpServer) on loopback.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { probe, shouldFallBack, type ProbeReason } from "../../src/health/probe.ts";
import { transportsFor } from "../../src/servers/transport.ts";
import type { TransportValue } from "../../src/servers/validate.ts";
import { createGuardedFetch } from "../../src/health/ssrf.ts";
import { sampleTools, startMcpServer, type McpServerOptions, type TestMcpServer } from "../support/mcp-server.ts";

const TIMEOUT_MS = 1_000;
const servers: TestMcpServer[] = [];

async function server(options: McpServerOptions = {}): Promise<TestMcpServer> {
  const s = await startMcpServer(options);
  servers.push(s);
  return s;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A fetch that records `METHOD /path` of every request the probe makes. */
function recordingFetch(): { fetch: typeof fetch; requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    fetch: (input, init) => {
      requests.push(`${init?.method ?? "GET"} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
  };
}

type Endpoint = "mcp" | "sse";
const urlOf = (s: TestMcpServer, endpoint: Endpoint, id?: string | number) =>
  endpoint === "mcp" ? s.mcpUrl(id) : s.sseUrl(id);

describe("probe of a healthy server", () => {
  let ok: TestMcpServer;
  let legacy: TestMcpServer;
  beforeAll(async () => {
    ok = await server({ name: "ok-server", version: "2.3.4" });
    legacy = await server({ streamable: false });
  });

  it.each([
    ["STREAMABLE_HTTP", "mcp", "STREAMABLE_HTTP"],
    ["SSE", "sse", "SSE"],
    ["AUTO", "mcp", "STREAMABLE_HTTP"],
    ["AUTO", "sse", "SSE"],
  ] as const)("transport %s on /%s is healthy over %s", async (transport, endpoint, used) => {
    const r = await probe(urlOf(ok, endpoint), { transport, timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({
      status: "HEALTHY",
      reason: null,
      transport: used,
      serverInfo: { name: "ok-server", version: "2.3.4" },
      capabilities: { tools: { listChanged: true } },
    });
    expect(r.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(r.tools.map((t) => t.name)).toEqual(["echo", "add"]);
    expect(r.timings.initializeMs).toBeGreaterThanOrEqual(0);
    expect(r.timings.listToolsMs).toBeGreaterThanOrEqual(0);
    expect(r.latencyMs).toBeLessThan(TIMEOUT_MS);
  });

  it("AUTO falls back to SSE when the endpoint refuses the Streamable HTTP POST", async () => {
    const { fetch, requests } = recordingFetch();
    const r = await probe(legacy.mcpUrl(), { transport: "AUTO", timeoutMs: TIMEOUT_MS, fetch });
    expect(r.status).toBe("HEALTHY");
    expect(r.transport).toBe("SSE");
    expect(requests.slice(0, 2)).toEqual(["POST /mcp", "GET /mcp"]);
  });

  it("AUTO on a URL ending in /sse goes straight to SSE", async () => {
    const { fetch, requests } = recordingFetch();
    const r = await probe(ok.sseUrl(), { transport: "AUTO", timeoutMs: TIMEOUT_MS, fetch });
    expect(r.transport).toBe("SSE");
    expect(requests[0]).toBe("GET /sse");
    expect(requests).not.toContain("POST /sse");
  });

  it("STREAMABLE_HTTP does not fall back to SSE", async () => {
    const r = await probe(legacy.mcpUrl(), { transport: "STREAMABLE_HTTP", timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ status: "UNHEALTHY", reason: "HTTP 405", transport: null, tools: [] });
  });

  it("each path prefix is probed as its own server", async () => {
    const r = await probe(ok.mcpUrl(42), { transport: "AUTO", timeoutMs: TIMEOUT_MS });
    expect(r.serverInfo?.name).toBe("ok-server-42");
  });

  it.each(["mcp", "sse"] as const)("discovers title, description, schemas and annotations over /%s", async (endpoint) => {
    const r = await probe(urlOf(ok, endpoint), { transport: "AUTO", timeoutMs: TIMEOUT_MS });
    expect(r.tools).toEqual([
      {
        name: "echo",
        title: "Echo",
        description: "Echo the input text back",
        inputSchema: expect.objectContaining({
          type: "object",
          properties: { text: { type: "string", description: "text to echo" } },
          required: ["text"],
        }),
        outputSchema: expect.objectContaining({ type: "object", properties: { text: { type: "string" } } }),
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      {
        name: "add",
        title: "Add numbers", // from annotations.title when the tool has no title
        description: "Add two numbers",
        inputSchema: expect.objectContaining({ type: "object", required: ["a", "b"] }),
        outputSchema: null,
        annotations: { title: "Add numbers", readOnlyHint: true, idempotentHint: true },
      },
    ]);
  });

  it("leaves no session or stream open on the server after probing", async () => {
    const s = await server();
    for (const [transport, url] of [
      ["STREAMABLE_HTTP", s.mcpUrl()],
      ["SSE", s.sseUrl()],
    ] as const) {
      expect((await probe(url, { transport, timeoutMs: TIMEOUT_MS })).status).toBe("HEALTHY");
    }
    await vi.waitFor(() => expect(s.stats()).toMatchObject({ liveSseSessions: 0, liveMcpServers: 0 }), { timeout: 2_000 });
  });
});

describe("probe sees tool changes", () => {
  it.each(["mcp", "sse"] as const)("a changed tool set shows on the next probe over /%s", async (endpoint) => {
    const s = await server();
    const before = await probe(urlOf(s, endpoint), { transport: "AUTO", timeoutMs: TIMEOUT_MS });
    s.setTools([
      sampleTools[0]!,
      { name: "search", description: "Search documents", inputSchema: { query: z.string() } },
    ]);
    const after = await probe(urlOf(s, endpoint), { transport: "AUTO", timeoutMs: TIMEOUT_MS });
    expect(before.tools.map((t) => t.name)).toEqual(["echo", "add"]);
    expect(after.tools.map((t) => t.name)).toEqual(["echo", "search"]);
    expect(after.tools[1]).toMatchObject({ title: null, description: "Search documents", annotations: null });
  });

  it.each(["mcp", "sse"] as const)("follows nextCursor through every tools/list page over /%s", async (endpoint) => {
    const tools = Array.from({ length: 7 }, (_, i) => ({ name: `tool_${i}`, description: `tool ${i}` }));
    const s = await server({ pageSize: 2, tools });
    const r = await probe(urlOf(s, endpoint), { transport: "AUTO", timeoutMs: TIMEOUT_MS });
    expect(r.status).toBe("HEALTHY");
    expect(r.tools.map((t) => t.name)).toEqual(tools.map((t) => t.name));
  });

  it("a server without tools is healthy with none", async () => {
    const s = await server({ tools: [] });
    const r = await probe(s.mcpUrl(), { transport: "AUTO", timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ status: "HEALTHY", tools: [] });
  });
});

describe("probe of an unhealthy server", () => {
  it.each([
    ["STREAMABLE_HTTP", "mcp"],
    ["SSE", "sse"],
    ["AUTO", "mcp"],
  ] as const)("a server that never answers is a timeout after the budget (%s on /%s)", async (transport, endpoint) => {
    const s = await server({ hang: true });
    const r = await probe(urlOf(s, endpoint), { transport, timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ status: "UNHEALTHY", reason: "timeout", transport: null });
    expect(r.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(r.latencyMs).toBeLessThan(TIMEOUT_MS + 400);
    // The probe's connections were torn down, not left hanging in the pool.
    await vi.waitFor(() => expect(s.stats().openSockets).toBe(0), { timeout: 2_000 });
  });

  it.each([
    ["AUTO", "mcp"],
    ["STREAMABLE_HTTP", "mcp"],
    ["SSE", "sse"],
  ] as const)("a stopped server is connection refused, then healthy once restarted (%s on /%s)", async (transport, endpoint) => {
    const s = await server();
    const url = urlOf(s, endpoint);
    await s.stop();
    const down = await probe(url, { transport, timeoutMs: TIMEOUT_MS });
    expect(down).toMatchObject({ status: "UNHEALTHY", reason: "connection refused" });
    expect(down.latencyMs).toBeLessThan(TIMEOUT_MS);
    await s.start();
    expect(urlOf(s, endpoint)).toBe(url);
    expect((await probe(url, { transport, timeoutMs: TIMEOUT_MS })).status).toBe("HEALTHY");
  });

  // One row per failure: what the server does, transport, endpoint, the reason, and the requests AUTO makes.
  it.each([
    [{ status500: true }, "STREAMABLE_HTTP", "mcp", "HTTP 500", 1],
    [{ status500: true }, "SSE", "sse", "HTTP 500", 1],
    [{ status500: true }, "AUTO", "mcp", "HTTP 500", 1], // a 5xx would fail over SSE too: no fallback
    [{ notMcp: true }, "STREAMABLE_HTTP", "mcp", "not an MCP server", 1],
    [{ notMcp: true }, "SSE", "sse", "not an MCP server", 1],
    [{ notMcp: true }, "AUTO", "mcp", "not an MCP server", 2], // Streamable HTTP, then SSE
    [{ requireBearer: "s3cret" }, "AUTO", "mcp", "auth failed", 1], // an auth failure is not a reason to try SSE
    [{ requireBearer: "s3cret" }, "SSE", "sse", "auth failed", 1],
  ] satisfies [McpServerOptions, TransportValue, Endpoint, ProbeReason, number][])(
    "%j over %s on /%s is %j",
    async (mode, transport, endpoint, reason, requestCount) => {
      const s = await server(mode);
      const { fetch, requests } = recordingFetch();
      const r = await probe(urlOf(s, endpoint), { transport, timeoutMs: TIMEOUT_MS, fetch });
      expect(r).toMatchObject({ status: "UNHEALTHY", reason, transport: null, serverInfo: null, tools: [] });
      expect(requests).toHaveLength(requestCount);
    },
  );

  it("an unknown path is HTTP 404", async () => {
    const s = await server();
    const r = await probe(`${s.baseUrl()}/nope`, { transport: "STREAMABLE_HTTP", timeoutMs: TIMEOUT_MS });
    expect(r.reason).toBe("HTTP 404");
  });

  it("a URL that does not parse is a network error, not an exception", async () => {
    const r = await probe("not a url", { transport: "AUTO", timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ status: "UNHEALTHY", reason: "network error" });
  });
});

describe("probe of a server that requires a bearer token", () => {
  let s: TestMcpServer;
  beforeAll(async () => {
    s = await server({ requireBearer: "s3cret-token" });
  });

  it.each([
    ["no token", undefined, "STREAMABLE_HTTP", "UNHEALTHY", "auth failed"],
    ["no token", undefined, "SSE", "UNHEALTHY", "auth failed"],
    ["a wrong token", "Bearer wrong-token", "STREAMABLE_HTTP", "UNHEALTHY", "auth failed"],
    ["a wrong token", "Bearer wrong-token", "SSE", "UNHEALTHY", "auth failed"],
    ["the token", "Bearer s3cret-token", "STREAMABLE_HTTP", "HEALTHY", null],
    ["the token", "Bearer s3cret-token", "SSE", "HEALTHY", null],
  ] as const)("with %s over %s it is %s", async (_label, authorization, transport, status, reason) => {
    const headers = authorization === undefined ? undefined : { Authorization: authorization };
    const url = transport === "SSE" ? s.sseUrl() : s.mcpUrl();
    const r = await probe(url, { transport, timeoutMs: TIMEOUT_MS, headers });
    expect(r).toMatchObject({ status, reason });
    // Credentials never end up in what the probe reports.
    expect(JSON.stringify(r)).not.toMatch(/s3cret|wrong-token/);
  });
});

describe("probe through the SSRF guard", () => {
  it.each([
    ["STREAMABLE_HTTP", "mcp", "127.0.0.1"],
    ["SSE", "sse", "127.0.0.1"],
    ["AUTO", "mcp", "localhost"],
  ] as const)("a denied address is blocked before any request (%s on /%s via %s)", async (transport, endpoint, host) => {
    const s = await server();
    const guarded = createGuardedFetch({ allow: [], deny: ["127.0.0.0/8", "::1/128"] });
    try {
      const url = urlOf(s, endpoint).replace("127.0.0.1", host);
      const r = await probe(url, { transport, timeoutMs: TIMEOUT_MS, fetch: guarded });
      expect(r).toMatchObject({ status: "UNHEALTHY", reason: "blocked" });
      expect(s.stats().requests).toBe(0);
    } finally {
      await guarded.close();
    }
  });

  it.each(["mcp", "sse"] as const)("an allowed address is probed through the guard over /%s", async (endpoint) => {
    const s = await server();
    const guarded = createGuardedFetch({ allow: [], deny: [] });
    try {
      const url = urlOf(s, endpoint).replace("127.0.0.1", "localhost");
      const r = await probe(url, { transport: "AUTO", timeoutMs: TIMEOUT_MS, fetch: guarded });
      expect(r.status).toBe("HEALTHY");
      expect(s.stats().requests).toBeGreaterThan(0);
    } finally {
      await guarded.close();
    }
  });
});

describe("transport rules", () => {
  it.each([
    ["http://h/mcp", "AUTO", ["STREAMABLE_HTTP", "SSE"]],
    ["http://h/", "AUTO", ["STREAMABLE_HTTP", "SSE"]],
    ["http://h/sse", "AUTO", ["SSE"]],
    ["http://h/s/1/SSE/", "AUTO", ["SSE"]],
    ["http://h/sse", "STREAMABLE_HTTP", ["STREAMABLE_HTTP"]],
    ["http://h/mcp", "SSE", ["SSE"]],
  ] as const)("%s with %s tries %j", (url, choice, expected) => {
    expect(transportsFor(new URL(url), choice)).toEqual(expected);
  });

  it.each([
    ["HTTP 404", true],
    ["HTTP 405", true],
    ["HTTP 400", true],
    ["not an MCP server", true],
    ["protocol error", true],
    ["HTTP 500", false],
    ["HTTP 302", false],
    ["auth failed", false],
    ["timeout", false],
    ["connection refused", false],
    ["blocked", false],
    ["network error", false],
  ] as const)("AUTO falls back to SSE after %j: %s", (reason, expected) => {
    expect(shouldFallBack(reason)).toBe(expected);
  });
});
