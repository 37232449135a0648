// Traces, exported over OTLP/HTTP to a small receiver this test starts: the spans the
// server makes, how they nest, the W3C traceparent they continue and pass upstream, and
// what they never carry.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { sampleTools, startMcpServer } from "../support/mcp-server.ts";
import { RegisterServer, ToggleServer } from "../support/operations.ts";
import { INITIALIZE, registerUpstream, rpc } from "../gateway/harness.ts";

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: OtlpValue }[];
  status?: { code?: number };
};
type Span = Omit<OtlpSpan, "attributes"> & { attributes: Record<string, unknown>; service: unknown };

/** An OTLP/HTTP receiver: keeps every span of every JSON export it is sent. */
async function startReceiver() {
  const spans: Span[] = [];
  const contentTypes = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      contentTypes.add(`${req.method} ${req.url} ${req.headers["content-type"]}`);
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue;
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans) {
            const attributes: Record<string, unknown> = {};
            for (const a of s.attributes ?? []) attributes[a.key] = a.value.stringValue ?? a.value.intValue ?? a.value.boolValue ?? a.value.doubleValue;
            spans.push({ ...s, attributes, service });
          }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, spans, contentTypes, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An upstream that records the headers of every request and answers 404 (the check fails; the headers are what matter). */
async function startRecordingUpstream() {
  const headers: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    headers.push(req.headers);
    req.resume();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return { url, headers, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let app: TestApp;

beforeAll(async () => {
  receiver = await startReceiver();
  app = await startApp({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "registry-under-test",
      OTEL_BSP_SCHEDULE_DELAY: "50",
      HEALTH_CHECKS: "true",
      HEALTH_CHECK_INTERVAL_SECONDS: "3600",
      HEALTH_CHECK_TIMEOUT_MS: "2000",
    },
  });
});
afterAll(async () => {
  await stopApp(app);
  await receiver?.close();
});

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";

async function spansOfTrace(traceId: string, until: (spans: Span[]) => boolean): Promise<Span[]> {
  await expect.poll(() => until(receiver.spans.filter((s) => s.traceId === traceId)), { timeout: 10_000, interval: 50 }).toBe(true);
  return receiver.spans.filter((s) => s.traceId === traceId);
}

describe("traces over OTLP/HTTP", () => {
  it("are off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, and then go to {endpoint}/v1/traces", () => {
    expect(loadConfig({}).telemetry.tracesUrl).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }).telemetry.tracesUrl).toBe("http://collector:4318/v1/traces");
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: "api-key" })).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: "api-key=s%3Dcret,x-team=ops" }).telemetry.headers).toEqual({ "api-key": "s=cret", "x-team": "ops" });
  });

  it("continue the caller's traceparent: an HTTP server span, the GraphQL operation under it, its SQL under that", async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${app.adminToken}`,
        traceparent: `00-${TRACE}-${PARENT}-01`,
      },
      body: JSON.stringify({
        query: "query TracedList($secret: String!) { server(path: $secret) { name } servers(first: 5) { totalCount } }",
        variables: { secret: "/hunter2-variable" },
      }),
    });
    expect(res.status).toBe(200);
    const spans = await spansOfTrace(TRACE, (s) => s.some((x) => x.name === "query TracedList") && s.some((x) => x.name === "POST /graphql"));
    const server = spans.find((s) => s.name === "POST /graphql")!;
    expect(server).toMatchObject({ parentSpanId: PARENT, kind: 2, service: "registry-under-test" });
    expect(server.attributes).toMatchObject({ "http.route": "/graphql", "http.request.method": "POST", "http.response.status_code": 200 });
    const operation = spans.find((s) => s.name === "query TracedList")!;
    expect(operation.parentSpanId).toBe(server.spanId);
    expect(operation.attributes).toMatchObject({ "graphql.operation.type": "query", "graphql.operation.name": "TracedList" });
    // The resolvers' queries under the operation; the credential's lookup before it, under the request.
    const queries = spans.filter((s) => s.name.startsWith("db "));
    expect(queries.filter((q) => q.parentSpanId === operation.spanId).length).toBeGreaterThan(0);
    for (const q of queries) {
      expect([operation.spanId, server.spanId]).toContain(q.parentSpanId);
      expect(q.kind).toBe(3);
      expect(q.attributes["db.operation.name"]).toMatch(/^(select|with|other)$/);
    }
    // Variables, SQL text and tokens never reach a span.
    const exported = JSON.stringify(spans);
    expect(exported).not.toContain("hunter2-variable");
    expect(exported).not.toContain(app.adminToken);
    expect(exported.toLowerCase()).not.toContain("from \"");
    expect([...receiver.contentTypes]).toContain("POST /v1/traces application/json");
  });

  it("carry a health check's trace to the upstream in traceparent", async () => {
    const upstream = await startRecordingUpstream();
    try {
      await app.gqlOk(RegisterServer, { input: { name: "traced", path: "/traced", proxyPassUrl: upstream.url, transport: "STREAMABLE_HTTP" } });
      await app.gqlOk(ToggleServer, { path: "/traced", enabled: true });
      // Enabling checks the server at once (in the toggle's own trace): let that check end first.
      await expect.poll(() => receiver.spans.some((s) => s.name === "health.check" && s.attributes["mcp.server.path"] === "/traced"), { timeout: 10_000 }).toBe(true);
      upstream.headers.length = 0;
      const trace = "0af7651916cd43dd8448eb211c80319c";
      const inTrace = () => receiver.spans.filter((s) => s.traceId === trace && s.name === "health.check");
      // The span ends with the probe; the check goes on writing its result, and a refresh that
      // comes meanwhile joins that check (in the toggle's trace) rather than start another.
      // On a loaded database that write can outlast the span's export: then refresh again.
      for (let attempt = 0; attempt < 3 && inTrace().length === 0; attempt++) {
        const res = await fetch(`${app.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${app.adminToken}`, traceparent: `00-${trace}-b7ad6b7169203331-01` },
          body: JSON.stringify({ query: "mutation { refreshServer(path: \"/traced\") { __typename } }" }),
        });
        expect(res.status).toBe(200);
        await expect.poll(() => inTrace().length > 0, { timeout: 5_000, interval: 50 }).toBe(true).catch(() => undefined);
      }
      expect(inTrace().length).toBeGreaterThan(0);
      const sent = upstream.headers.map((h) => h.traceparent);
      expect(sent.length).toBeGreaterThan(0);
      // Every request the probe sent carries this trace, with a health.check span of it as the parent
      // (a check of a second attempt may still be exporting its span: wait for it).
      const parentOf = (traceparent: unknown) => new RegExp(`^00-${trace}-([0-9a-f]{16})-01$`).exec(String(traceparent))?.[1];
      for (const traceparent of sent) expect(parentOf(traceparent), String(traceparent)).toBeDefined();
      await expect.poll(() => sent.every((t) => inTrace().some((c) => c.spanId === parentOf(t))), { timeout: 10_000, interval: 50 }).toBe(true);
      for (const check of inTrace()) expect(check.attributes).toMatchObject({ "mcp.server.path": "/traced" });
    } finally {
      await upstream.close();
    }
  });

  it("record a gateway tool call as `tools/call {tool}` with the MCP attributes and nothing of its arguments", async () => {
    const observer = app.observability.gatewayObserver()!;
    observer.toolCall({ subject: "alice", authMethod: "bearer", path: "/weather", tool: "forecast", outcome: "upstream_error", latencyMs: 120, sessionId: "sess-secret-1" });
    await expect.poll(() => receiver.spans.some((s) => s.name === "tools/call forecast"), { timeout: 10_000, interval: 50 }).toBe(true);
    const span = receiver.spans.find((s) => s.name === "tools/call forecast")!;
    expect(span.attributes).toEqual({
      "mcp.method.name": "tools/call",
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "forecast",
      "mcp.server.path": "/weather",
      "error.type": "upstream_error",
    });
    expect(span.status?.code).toBe(2);
    expect(JSON.stringify(span)).not.toContain("sess-secret-1");
  });

  it("trace a gateway tools/call as `tools/call {tool}` under the request, and carry the trace to the upstream", async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const upstream = await startMcpServer({
      onRequest: (req) => void seen.push({ ...req.headers }),
      tools: [{ ...sampleTools[0]!, handler: async () => ({ content: [{ type: "text", text: "ok" }], structuredContent: { text: "ok" } }) }],
    });
    try {
      await registerUpstream(app, "/gw-traced", upstream.mcpUrl());
      const trace = "5b8aa5a2d2c872e8321cf37308d69df2";
      const headers = { authorization: `Bearer ${app.adminToken}`, traceparent: `00-${trace}-051581bf3cb55c13-01`, "mcp-protocol-version": "2025-06-18" };
      const url = `${app.url}/gw-traced/mcp`;
      expect((await rpc(url, INITIALIZE, headers)).status).toBe(200);
      seen.length = 0;
      const call = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "echo", arguments: { text: "argument-never-traced" } } };
      const res = await rpc(url, call, headers);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('"ok"');
      const spans = await spansOfTrace(trace, (x) => x.some((s) => s.name === "tools/call echo"));
      const tool = spans.find((s) => s.name === "tools/call echo")!;
      const request = spans.find((s) => s.spanId === tool.parentSpanId)!;
      expect(request.name).toBe("POST gateway");
      expect(tool.attributes).toMatchObject({ "mcp.method.name": "tools/call", "gen_ai.tool.name": "echo", "mcp.server.path": "/gw-traced" });
      // The health check that enabling started may reach the upstream too, in its own trace.
      expect(seen.map((h) => h.traceparent).filter((t) => t?.includes(trace))).toEqual([`00-${trace}-${request.spanId}-01`]);
      expect(JSON.stringify(spans)).not.toContain("argument-never-traced");
    } finally {
      await upstream.close();
    }
  });

  it("a request without traceparent starts a new trace", async () => {
    const before = new Set(receiver.spans.map((s) => s.traceId));
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    await expect.poll(() => receiver.spans.some((s) => s.name === "GET /health" && !before.has(s.traceId)), { timeout: 10_000, interval: 50 }).toBe(true);
    const health = receiver.spans.find((s) => s.name === "GET /health" && !before.has(s.traceId))!;
    expect(health.parentSpanId ?? "").toBe("");
  });
});
