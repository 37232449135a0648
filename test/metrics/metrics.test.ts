// GET /metrics on a real server: what it counts, that its labels stay bounded whatever
// callers send, and who may read it.
import http from "node:http";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { Refresh, RegisterServer, ToggleServer } from "../support/operations.ts";
import { samplesOf, scrape, valueOf, type Sample } from "../support/prometheus.ts";

let app: TestApp;
let mcp: TestMcpServer;

beforeAll(async () => {
  app = await startApp({ env: { HEALTH_CHECKS: "true", HEALTH_CHECK_INTERVAL_SECONDS: "3600", HEALTH_CHECK_TIMEOUT_MS: "3000" } });
  mcp = await startMcpServer({ name: "metrics-mcp" });
});
afterAll(async () => {
  await stopApp(app);
  await mcp?.close();
});

const metrics = () => scrape(app.metricsUrl!);

async function graphqlPost(query: string, token = app.adminToken): Promise<Response> {
  return fetch(`${app.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
}

/** Every distinct label set of a metric (a histogram's series counted once, without `le`). */
function seriesOf(samples: Sample[], name: string): Set<string> {
  const keys = new Set<string>();
  for (const s of samples) {
    if (s.name !== name && s.name !== `${name}_count`) continue;
    keys.add(JSON.stringify(Object.entries(s.labels).sort()));
  }
  return keys;
}

describe("GET /metrics", () => {
  it("answers the Prometheus text format with process metrics and counts requests by route template", async () => {
    await fetch(`${app.url}/health`);
    const res = await fetch(app.metricsUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain("# TYPE http_server_requests_total counter");
    expect(text).toContain("# TYPE mcp_server_operation_duration_seconds histogram");
    const samples = await metrics();
    expect(valueOf(samples, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    // prom-client's default process metrics, read at scrape time, but not the per-collection GC observer.
    for (const name of ["process_resident_memory_bytes", "process_open_fds", "nodejs_eventloop_lag_p99_seconds", "nodejs_heap_size_used_bytes", "nodejs_heap_space_size_used_bytes", "nodejs_version_info", "nodejs_active_handles_total"]) {
      expect(text, name).toContain(`# TYPE ${name} gauge`);
    }
    expect(text).not.toContain("nodejs_gc_duration_seconds");
    expect(valueOf(samples, "http_server_requests_total", { method: "GET", route: "/health", status_class: "2xx" })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, "http_server_request_duration_seconds_count", { route: "/health" })).toBeGreaterThanOrEqual(1);
  });

  it("keeps label cardinality bounded after 1,000 requests to distinct paths and 1,000 distinct operation names", async () => {
    const before = await metrics();
    const httpBefore = seriesOf(before, "http_server_requests_total").size;
    // Distinct unknown paths, distinct values of one template's parameter, and distinct GraphQL operation names.
    for (let i = 0; i < 1_000; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, j) => {
          const n = i + j;
          const kind = n % 4;
          if (kind === 0) return fetch(`${app.url}/no-such-page-${n}?user=${n}`).then((r) => r.arrayBuffer());
          if (kind === 1) return fetch(`${app.url}/api/server_details/user-${n}`, { headers: { authorization: `Bearer ${app.adminToken}` } }).then((r) => r.arrayBuffer());
          if (kind === 2) return fetch(`${app.url}/servers/u${n}`, { method: "DELETE" }).then((r) => r.arrayBuffer());
          return graphqlPost(`query Made_Up_${n} { __typename }`).then((r) => r.arrayBuffer());
        }),
      );
    }
    const after = await metrics();
    const httpSeries = seriesOf(after, "http_server_requests_total");
    // A handful of templates × methods × status classes: never one per path.
    expect(httpSeries.size - httpBefore).toBeLessThan(12);
    expect(httpSeries.size).toBeLessThan(40);
    const routes = new Set(samplesOf(after, "http_server_requests_total").map((s) => s.labels.route));
    for (const route of routes) expect(route).not.toMatch(/no-such-page|user-\d|u\d/);
    expect(routes).toContain("unmatched");
    expect(routes).toContain("/api/server_details/*service_path");
    expect(valueOf(after, "http_server_requests_total", { route: "unmatched", status_class: "4xx" })).toBeGreaterThanOrEqual(250);

    const ops = samplesOf(after, "graphql_operations_total");
    expect(ops.every((s) => !s.labels.operation_name!.startsWith("Made_Up"))).toBe(true);
    expect(valueOf(after, "graphql_operations_total", { operation_name: "other", operation_type: "query" })).toBeGreaterThanOrEqual(250);
    expect(seriesOf(after, "graphql_operations_total").size).toBeLessThan(20);
    expect(after.length - before.length).toBeLessThan(200);
    // 2,000 requests: on a loaded 2-core machine they take longer than the default 30 s.
  }, 120_000);

  it("labels the operations of known documents by name, counts answers from the result cache, and errors by code", async () => {
    await app.gqlOk(RegisterServer, { input: { name: "m1", path: "/m1", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    const before = await metrics();
    const listed = { operation_name: "ToggleServer", operation_type: "mutation" };
    await app.gqlOk(ToggleServer, { path: "/m1", enabled: false });
    await app.gqlOk(ToggleServer, { path: "/m1", enabled: false });
    const cached = "query CacheMe { servers(first: 1) { totalCount } }";
    await graphqlPost(cached);
    await graphqlPost(cached);
    await graphqlPost("query { nope }");
    await graphqlPost("{ __typename }", "not-a-token");
    const after = await metrics();
    expect(valueOf(after, "graphql_operations_total", listed) - valueOf(before, "graphql_operations_total", listed)).toBe(2);
    expect(valueOf(after, "graphql_operation_duration_seconds_count", listed)).toBeGreaterThanOrEqual(2);
    expect(
      valueOf(after, "graphql_operations_total", { operation_name: "other", operation_type: "query" }) -
        valueOf(before, "graphql_operations_total", { operation_name: "other", operation_type: "query" }),
    ).toBeGreaterThanOrEqual(2);
    expect(valueOf(after, "graphql_errors_total", { code: "GRAPHQL_VALIDATION_FAILED" }) - valueOf(before, "graphql_errors_total", { code: "GRAPHQL_VALIDATION_FAILED" })).toBe(1);
  });

  it("counts a client that goes away before the answer as 499, not as an error", async () => {
    const before = await metrics();
    // A subscription over HTTP (SSE) stays open until the client leaves.
    await new Promise<void>((resolve, reject) => {
      const req = http.request(`${app.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${app.adminToken}` },
      });
      req.on("response", (res) => {
        expect(res.statusCode).toBe(200);
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", (err) => (req.destroyed ? resolve() : reject(err)));
      req.end(JSON.stringify({ query: "subscription { serverEvents { __typename } }" }));
    });
    const route = { route: "/graphql" };
    await expect.poll(async () => valueOf(await metrics(), "http_server_requests_total", { ...route, status_class: "499" }), { timeout: 10_000 }).toBe(
      valueOf(before, "http_server_requests_total", { ...route, status_class: "499" }) + 1,
    );
    const after = await metrics();
    expect(valueOf(after, "http_server_requests_total", { ...route, status_class: "5xx" })).toBe(valueOf(before, "http_server_requests_total", { ...route, status_class: "5xx" }));
  });

  it("reports health checks, servers by health state, database queries, sockets and subscribers", async () => {
    await app.gqlOk(RegisterServer, { input: { name: "mh", path: "/mh", proxyPassUrl: mcp.mcpUrl(), transport: "STREAMABLE_HTTP" } });
    await app.gqlOk(ToggleServer, { path: "/mh", enabled: true });
    const r = await app.gqlOk(Refresh, { path: "/mh" });
    expect(r.refreshServer.__typename).toBe("RefreshServerSuccess");
    const ws = new WebSocket(`${app.url.replace(/^http/, "ws")}/ws/health_status`);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    try {
      const samples = await metrics();
      expect(valueOf(samples, "health_checks_total", { outcome: "healthy" })).toBeGreaterThanOrEqual(1);
      expect(valueOf(samples, "health_check_duration_seconds_count")).toBeGreaterThanOrEqual(1);
      expect(valueOf(samples, "servers", { state: "healthy" })).toBe(1);
      expect(valueOf(samples, "servers", { state: "disabled" })).toBeGreaterThanOrEqual(1);
      expect(valueOf(samples, "db_query_duration_seconds_count", { operation: "select", outcome: "ok" })).toBeGreaterThan(0);
      expect(valueOf(samples, "db_query_duration_seconds_count", { operation: "insert" })).toBeGreaterThan(0);
      expect(valueOf(samples, "websocket_clients", { endpoint: "health feed" })).toBe(1);
      expect(valueOf(samples, "event_subscribers")).toBeGreaterThan(0);
      if (app.db.kind === "postgres") {
        expect(valueOf(samples, "db_pool_connections", { state: "max" })).toBe(app.config.database.kind === "postgres" ? app.config.database.poolSize : -1);
        expect(valueOf(samples, "db_pool_connections", { state: "total" })).toBeGreaterThan(0);
      } else {
        expect(samplesOf(samples, "db_pool_connections")).toEqual([]);
      }
    } finally {
      ws.close();
    }
    await expect.poll(async () => valueOf(await metrics(), "websocket_clients", { endpoint: "health feed" }), { timeout: 5_000 }).toBe(0);
  });
});

describe("who may read /metrics", () => {
  it("with METRICS_TOKEN: 401 in the error format without the bearer or with a wrong one, 200 with it", async () => {
    const token = "metrics-scrape-token-0123456789";
    const secured = await startApp({ env: { METRICS_TOKEN: token } });
    try {
      const refused: Record<string, string>[] = [{}, { authorization: "Bearer wrong-token-0123456789abc" }, { authorization: `Bearer ${secured.adminToken}` }];
      for (const headers of refused) {
        const res = await fetch(`${secured.url}/metrics`, { headers });
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(await res.json()).toMatchObject({ error: { code: "UNAUTHENTICATED", message: expect.stringContaining("METRICS_TOKEN") } });
      }
      const ok = await fetch(`${secured.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain("http_server_requests_total");
    } finally {
      await stopApp(secured);
    }
  });

  it("with METRICS_PORT: served on that port only, and the main port answers 404", async () => {
    const separate = await startApp({ env: { METRICS_PORT: "0" } });
    try {
      expect(separate.metricsUrl).not.toBe(`${separate.url}/metrics`);
      expect((await fetch(separate.metricsUrl!)).status).toBe(200);
      expect((await fetch(`${separate.url}/metrics`)).status).toBe(404);
      const other = await fetch(separate.metricsUrl!.replace(/\/metrics$/, "/graphql"));
      expect(other.status).toBe(404);
      expect(await other.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    } finally {
      await stopApp(separate);
    }
  });

  it("with neither on the main port: loopback callers only; a caller from another address gets 403", async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === "IPv4" && !a.internal)?.address;
    // Without a second address on this machine there is no non-loopback peer to try.
    if (external === undefined) throw new Error("this test needs a non-loopback IPv4 address on the machine");
    const open = await startApp({ env: { HOST: "0.0.0.0" } });
    try {
      const port = new URL(open.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      const refused = await fetch(`http://${external}:${port}/metrics`);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: "FORBIDDEN", message: expect.stringContaining("METRICS_TOKEN") } });
      const body = await (await fetch(`http://${external}:${port}/metrics`)).text();
      expect(body).not.toContain("http_server_requests_total");
    } finally {
      await stopApp(open);
    }
  });

  it("with METRICS=false: no /metrics at all", async () => {
    const off = await startApp({ env: { METRICS: "false" } });
    try {
      expect(off.metricsUrl).toBeUndefined();
      expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    } finally {
      await stopApp(off);
    }
  });
});
