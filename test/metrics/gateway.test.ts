// The gateway's observer for metrics: its labels stay bounded whatever tools a client
// calls, and mcp.server.operation.duration has the semantic conventions' buckets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayObserver } from "../../src/gateway/target.ts";
import { gatewayMetricsObserver } from "../../src/metrics/gateway.ts";
import { MCP_OPERATION_BUCKETS, Metrics } from "../../src/metrics/registry.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { sampleTools, startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { Refresh, RegisterServer } from "../support/operations.ts";
import { bearer, connectClient, registerUpstream } from "../gateway/harness.ts";
import { parseExposition, samplesOf, scrape, valueOf } from "../support/prometheus.ts";
import { seedTools } from "../support/seed.ts";

const record = (tool: string, outcome: "ok" | "error" = "ok", latencyMs = 42) => ({
  subject: "u1",
  authMethod: "bearer",
  path: "/weather",
  tool,
  outcome,
  latencyMs,
  sessionId: null,
});

describe("gateway metrics observer", () => {
  it("labels known tools by name, any other as other, and records mcp.server.operation.duration with the convention's buckets", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const observer: GatewayObserver = gatewayMetricsObserver(metrics, (path, tool) => path === "/weather" && tool === "forecast");
    observer.toolCall(record("forecast"));
    observer.toolCall(record("forecast", "error", 1_500));
    for (let i = 0; i < 1_000; i++) observer.toolCall(record(`made-up-${i}`));
    const samples = parseExposition(await metrics.text());
    expect(valueOf(samples, "gateway_tool_calls_total", { server: "/weather", tool: "forecast", outcome: "ok" })).toBe(1);
    expect(valueOf(samples, "gateway_tool_calls_total", { server: "/weather", tool: "forecast", outcome: "error" })).toBe(1);
    expect(valueOf(samples, "gateway_tool_calls_total", { server: "/weather", tool: "other" })).toBe(1_000);
    expect(samplesOf(samples, "gateway_tool_calls_total")).toHaveLength(3);
    expect(valueOf(samples, "gateway_tool_call_duration_seconds_sum", { tool: "forecast" })).toBeCloseTo(1.542, 6);

    const op = { mcp_method_name: "tools/call", gen_ai_operation_name: "execute_tool", gen_ai_tool_name: "forecast" };
    const buckets = samplesOf(samples, "mcp_server_operation_duration_seconds_bucket", { ...op, error_type: "" }).map((s) => s.labels.le);
    expect(buckets).toEqual([...MCP_OPERATION_BUCKETS.map(String), "+Inf"]);
    expect(MCP_OPERATION_BUCKETS).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]);
    expect(valueOf(samples, "mcp_server_operation_duration_seconds_count", { ...op, error_type: "error" })).toBe(1);
    expect(valueOf(samples, "mcp_server_operation_duration_seconds_bucket", { ...op, error_type: "error", le: "1" })).toBe(0);
    expect(valueOf(samples, "mcp_server_operation_duration_seconds_bucket", { ...op, error_type: "error", le: "2" })).toBe(1);
  });

  it("counts denials by reason, upstream errors, rate-limit refusals and open streams, with bounded labels", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const observer: GatewayObserver = gatewayMetricsObserver(metrics, () => false);
    observer.denied("forbidden", "/a");
    observer.denied("tool", "/a");
    observer.denied("tool", "/b");
    observer.rateLimited("server", "/a");
    for (let i = 0; i < 100; i++) observer.upstreamError("/a", `Error: connect ECONNREFUSED 10.0.0.${i}:443 at ${"x".repeat(i)}`);
    for (let i = 0; i < 100; i++) observer.upstreamError("/a", `reason ${i}`);
    observer.upstreamError("/a", "timeout");
    const ends = [observer.streamOpened("/a"), observer.streamOpened("/a")];
    let samples = parseExposition(await metrics.text());
    expect(valueOf(samples, "gateway_denials_total", { reason: "tool" })).toBe(2);
    expect(valueOf(samples, "gateway_denials_total", { reason: "forbidden" })).toBe(1);
    expect(valueOf(samples, "gateway_rate_limited_total", { scope: "server" })).toBe(1);
    expect(valueOf(samples, "gateway_active_streams")).toBe(2);
    // Messages are not labels; distinct short reasons are, up to a cap.
    expect(samplesOf(samples, "gateway_upstream_errors_total").length).toBeLessThanOrEqual(33);
    expect(valueOf(samples, "gateway_upstream_errors_total")).toBe(201);
    ends[0]!();
    ends[0]!();
    samples = parseExposition(await metrics.text());
    expect(valueOf(samples, "gateway_active_streams")).toBe(1);
  });

  describe("on a running server", () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp();
    });
    afterAll(() => stopApp(app));

    it("takes tool labels from the tools the registry has discovered on that server", async () => {
      await app.gqlOk(RegisterServer, { input: { name: "weather", path: "/weather", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
      await seedTools(app, "/weather", [{ name: "forecast", description: "", inputSchema: {} }]);
      await app.observability.refreshKnownTools();
      const observer = app.observability.gatewayObserver()!;
      observer.toolCall(record("forecast"));
      observer.toolCall(record("not-discovered"));
      observer.toolCall({ ...record("forecast"), path: "/elsewhere" });
      const samples = await scrape(app.metricsUrl!);
      expect(valueOf(samples, "gateway_tool_calls_total", { server: "/weather", tool: "forecast" })).toBe(1);
      expect(valueOf(samples, "gateway_tool_calls_total", { server: "/weather", tool: "other" })).toBe(1);
      expect(valueOf(samples, "gateway_tool_calls_total", { server: "/elsewhere", tool: "other" })).toBe(1);
    });

    it("counts tools/call through the real gateway by server and discovered tool, and labels its requests gateway", async () => {
      const upstream: TestMcpServer = await startMcpServer({
        name: "gw-metrics",
        tools: [{ ...sampleTools[0]!, handler: async (args) => ({ content: [{ type: "text", text: "ok" }], structuredContent: { text: String(args.text) } }) }],
      });
      try {
        await registerUpstream(app, "/gw", upstream.mcpUrl());
        const refreshed = await app.gqlOk(Refresh, { path: "/gw" });
        expect(refreshed.refreshServer.__typename).toBe("RefreshServerSuccess");
        await app.observability.refreshKnownTools();
        const { client } = await connectClient(app.url, "/gw", bearer(app.adminToken));
        try {
          const answer = await client.callTool({ name: "echo", arguments: { text: "secret-argument-value" } });
          expect(answer.isError, JSON.stringify(answer)).toBeFalsy();
          await client.callTool({ name: "invented-tool", arguments: {} }).catch(() => undefined);
        } finally {
          await client.close();
        }
        const samples = await scrape(app.metricsUrl!);
        expect(valueOf(samples, "gateway_tool_calls_total", { server: "/gw", tool: "echo", outcome: "ok" })).toBe(1);
        expect(valueOf(samples, "gateway_tool_calls_total", { server: "/gw", tool: "other" })).toBe(1);
        expect(valueOf(samples, "mcp_server_operation_duration_seconds_count", { gen_ai_tool_name: "echo", error_type: "" })).toBe(1);
        expect(valueOf(samples, "http_server_requests_total", { route: "gateway", method: "POST", status_class: "2xx" })).toBeGreaterThanOrEqual(3);
        const labels = JSON.stringify(samples.map((x) => x.labels));
        expect(labels).not.toContain("invented-tool");
        expect(labels).not.toContain("secret-argument-value");
        expect(labels).not.toContain("/gw/mcp");
      } finally {
        await upstream.close();
      }
    });
  });
});
