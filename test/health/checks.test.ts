// Health checks and tool discovery through the real API, against real MCP servers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { freePort, startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { GetServer, Health, Refresh, RegisterServer, ToggleServer, UpdateServer } from "../support/operations.ts";

let app: TestApp;
let mcp: TestMcpServer;

beforeAll(async () => {
  // A long interval: these tests drive checks themselves (enable, refresh).
  app = await startApp({ env: { HEALTH_CHECKS: "true", HEALTH_CHECK_INTERVAL_SECONDS: "3600", HEALTH_CHECK_TIMEOUT_MS: "1500" } });
  mcp = await startMcpServer({ name: "weather-mcp", version: "2.1.0" });
});
afterAll(async () => {
  await stopApp(app);
  await mcp?.close();
});

async function register(path: string, url: string, extra: Record<string, unknown> = {}) {
  const r = await app.gqlOk(RegisterServer, { input: { name: path, path, proxyPassUrl: url, ...extra } });
  expect(r.registerServer.__typename).toBe("RegisterServerSuccess");
}

async function refresh(path: string) {
  const r = await app.gqlOk(Refresh, { path });
  if (r.refreshServer.__typename !== "RefreshServerSuccess") throw new Error(r.refreshServer.__typename);
  return r.refreshServer.server;
}

describe("health checks", () => {
  it("discovers a healthy server's tools with their details, and records server info", async () => {
    await register("/weather", mcp.mcpUrl(), { transport: "STREAMABLE_HTTP" });
    await app.gqlOk(ToggleServer, { path: "/weather", enabled: true });
    const s = await refresh("/weather");
    expect(s).toMatchObject({ health: "HEALTHY", healthStatus: "healthy", healthReason: null, numTools: 2 });
    expect(s.serverInfo).toMatchObject({ name: "weather-mcp", version: "2.1.0", protocolVersion: expect.any(String) });
    const echo = s.tools.find((t) => t.name === "echo");
    expect(echo).toMatchObject({
      title: "Echo",
      description: "Echo the input text back",
      annotations: { readOnlyHint: true, openWorldHint: false },
    });
    expect(echo?.inputSchema).toMatchObject({ type: "object", properties: { text: { type: "string" } } });
    expect(echo?.outputSchema).toMatchObject({ type: "object" });
    expect(s.toolChanges.map((c) => `${c.kind} ${c.toolName}`).sort()).toEqual(["ADDED add", "ADDED echo"]);
    expect(s.healthHistory[0]).toMatchObject({ status: "HEALTHY", reason: null });
  });

  it("records added, removed and changed tools on the next check", async () => {
    mcp.setTools([
      { name: "echo", description: "Echo, now louder", inputSchema: { text: z.string() } },
      { name: "forecast", description: "Weather forecast", inputSchema: { city: z.string() } },
    ]);
    const s = await refresh("/weather");
    expect(s.tools.map((t) => t.name)).toEqual(["echo", "forecast"]);
    const latest = s.toolChanges.slice(0, 3).map((c) => `${c.kind} ${c.toolName}`).sort();
    expect(latest).toEqual(["ADDED forecast", "CHANGED echo", "REMOVED add"]);
    expect(s.numTools).toBe(2);
    const again = await refresh("/weather");
    expect(again.toolChanges).toHaveLength(s.toolChanges.length);
  });

  it("discovers over SSE, and AUTO falls back to SSE for a URL ending in /sse", async () => {
    await register("/weather-sse", mcp.sseUrl("a"), { transport: "AUTO" });
    await app.gqlOk(ToggleServer, { path: "/weather-sse", enabled: true });
    expect(await refresh("/weather-sse")).toMatchObject({ health: "HEALTHY", numTools: 2 });
  });

  it.each([
    ["refuses connections", async () => `http://127.0.0.1:${await freePort()}/mcp`, "connection refused"],
    ["answers HTTP 500", async () => (await startMcpServer({ status500: true })).mcpUrl(), "HTTP 500"],
    ["is not an MCP server", async () => (await startMcpServer({ notMcp: true })).mcpUrl(), "not an MCP server"],
    ["hangs", async () => (await startMcpServer({ hang: true })).mcpUrl(), "timeout"],
  ])("marks a server that %s unhealthy with the reason", async (_what, url, reason) => {
    const path = `/bad-${reason.replace(/\W+/g, "-")}`;
    await register(path, await url(), { transport: "STREAMABLE_HTTP" });
    await app.gqlOk(ToggleServer, { path, enabled: true });
    const started = Date.now();
    const s = await refresh(path);
    expect(s).toMatchObject({ health: "UNHEALTHY", healthStatus: `unhealthy: ${reason}`, healthReason: reason });
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("counts tools as discovered once a check has run: a declared count is dropped by a failed first check, a discovered one kept", async () => {
    const gone = `http://127.0.0.1:${await freePort()}/mcp`;
    await register("/declared", gone, { transport: "STREAMABLE_HTTP", numTools: 7 });
    expect((await app.gqlOk(GetServer, { path: "/declared" })).server?.numTools).toBe(7);
    await app.gqlOk(ToggleServer, { path: "/declared", enabled: true });
    expect(await refresh("/declared")).toMatchObject({ health: "UNHEALTHY", numTools: 0 });
    // A server whose tools were discovered keeps their count while it is down.
    await app.gqlOk(UpdateServer, { path: "/declared", input: { proxyPassUrl: mcp.mcpUrl() } });
    expect(await refresh("/declared")).toMatchObject({ health: "HEALTHY", numTools: 2 });
    await app.gqlOk(UpdateServer, { path: "/declared", input: { proxyPassUrl: gone } });
    expect(await refresh("/declared")).toMatchObject({ health: "UNHEALTHY", numTools: 2 });
  });

  it("sends the stored bearer credential, never returns it, and reports auth failed without it", async () => {
    const secured = await startMcpServer({ requireBearer: "s3cret-upstream-token" });
    try {
      await register("/secured", secured.mcpUrl(), {
        transport: "STREAMABLE_HTTP",
        upstreamAuth: { type: "BEARER", secret: "s3cret-upstream-token" },
      });
      await app.gqlOk(ToggleServer, { path: "/secured", enabled: true });
      const ok = await refresh("/secured");
      expect(ok).toMatchObject({ health: "HEALTHY", upstreamAuth: { type: "BEARER", headerName: null } });
      expect(JSON.stringify(ok)).not.toContain("s3cret");
      const row = await app.db.prisma.server.findUniqueOrThrow({ where: { path: "/secured" } });
      expect(row.upstreamAuthSecret).not.toContain("s3cret");

      const wrong = await app.gqlOk(UpdateServer, {
        path: "/secured",
        input: { upstreamAuth: { type: "BEARER", secret: "wrong" } },
      });
      expect(wrong.updateServer.__typename).toBe("UpdateServerSuccess");
      expect(await refresh("/secured")).toMatchObject({ health: "UNHEALTHY", healthReason: "auth failed" });
      await app.gqlOk(UpdateServer, { path: "/secured", input: { upstreamAuth: { type: "NONE" } } });
      expect(await refresh("/secured")).toMatchObject({ healthReason: "auth failed", upstreamAuth: { type: "NONE" } });
    } finally {
      await secured.close();
    }
  });

  it("refuses an API key credential without a valid header name", async () => {
    const r = await app.gqlOk(RegisterServer, {
      input: { name: "k", path: "/keyed", proxyPassUrl: mcp.mcpUrl(), upstreamAuth: { type: "API_KEY", secret: "k", headerName: "host" } },
    });
    expect(r.registerServer).toMatchObject({ __typename: "ValidationError", fieldErrors: [{ field: "upstreamAuth" }] });
  });

  it("never contacts a disabled server, and shows it as disabled", async () => {
    const quiet = await startMcpServer();
    try {
      await register("/quiet", quiet.mcpUrl());
      // Refreshing it is refused (typed), rather than a refresh that contacted nothing.
      const r = await app.gqlOk(Refresh, { path: "/quiet" });
      expect(r.refreshServer.__typename).toBe("ServerDisabledError");
      expect((await app.gqlOk(Health, { path: "/quiet" })).server).toMatchObject({ health: "DISABLED", healthStatus: "disabled", lastCheckedAt: null });
      await app.health.scheduler.sweep();
      expect(quiet.stats().requests).toBe(0);
    } finally {
      await quiet.close();
    }
  });

  it("checks a server as soon as it is enabled", async () => {
    await register("/eager", mcp.mcpUrl("eager"));
    const toggled = await app.gqlOk(ToggleServer, { path: "/eager", enabled: true });
    expect(toggled.toggleServer).toMatchObject({ server: { health: "CHECKING", healthStatus: "checking" } });
    await expect
      .poll(async () => (await app.gqlOk(Health, { path: "/eager" })).server?.health, { timeout: 5_000 })
      .toBe("HEALTHY");
  });

  it("sweeps every enabled server", async () => {
    mcp.setTools([{ name: "only", description: "the only tool" }]);
    const report = await app.health.scheduler.sweep();
    expect(report.servers).toBe(await app.db.prisma.server.count({ where: { enabled: true } }));
    expect((await app.gqlOk(GetServer, { path: "/weather" })).server?.tools.map((t) => t.name)).toEqual(["only"]);
  });

  it("needs health_check_service to refresh", async () => {
    const reader = await tokenFor(app, { subject: "r", username: "reader", groups: ["mcp-registry-admin"], scopes: ["list_service"] });
    const res = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${reader}` },
      body: JSON.stringify({ query: `mutation { refreshServer(path: "/weather") { __typename } }` }),
    });
    expect(((await res.json()) as { data: { refreshServer: { __typename: string } } }).data.refreshServer.__typename).toBe(
      "ForbiddenError",
    );
  });

  it("keeps bounded health and tool-change histories", async () => {
    const small = await startApp({
      env: { HEALTH_CHECKS: "true", HEALTH_CHECK_INTERVAL_SECONDS: "3600", HEALTH_HISTORY_LIMIT: "3", TOOL_CHANGE_HISTORY_LIMIT: "4" },
    });
    const own = await startMcpServer();
    try {
      await small.gqlOk(RegisterServer, { input: { name: "h", path: "/h", proxyPassUrl: own.mcpUrl() } });
      await small.gqlOk(ToggleServer, { path: "/h", enabled: true });
      for (let i = 0; i < 5; i += 1) {
        own.setTools([{ name: `tool_${i}`, description: "changes every time" }]);
        await small.gqlOk(Refresh, { path: "/h" });
      }
      const server = await small.db.prisma.server.findUniqueOrThrow({ where: { path: "/h" } });
      expect(await small.db.prisma.healthCheck.count({ where: { serverId: server.id } })).toBe(3);
      const changes = await small.db.prisma.toolChange.findMany({ where: { serverId: server.id }, orderBy: { changedAt: "desc" } });
      expect(changes).toHaveLength(4);
      expect(changes.map((c) => `${c.kind} ${c.toolName}`).slice(0, 2).sort()).toEqual(["ADDED tool_4", "REMOVED tool_3"]);
    } finally {
      await stopApp(small);
      await own.close();
    }
  });
});

describe("SSRF guard", () => {
  it("refuses blocked addresses without connecting, and honours a deny list", async () => {
    await register("/metadata", "http://169.254.169.254/latest/meta-data");
    await app.gqlOk(ToggleServer, { path: "/metadata", enabled: true });
    expect(await refresh("/metadata")).toMatchObject({ health: "UNHEALTHY", healthReason: "blocked" });

    const denied = await startApp({
      env: { HEALTH_CHECKS: "true", HEALTH_CHECK_INTERVAL_SECONDS: "3600", OUTBOUND_DENY_CIDRS: "127.0.0.0/8" },
    });
    const target = await startMcpServer();
    try {
      await denied.gqlOk(RegisterServer, { input: { name: "d", path: "/d", proxyPassUrl: target.mcpUrl() } });
      await denied.gqlOk(ToggleServer, { path: "/d", enabled: true });
      const r = await denied.gqlOk(Refresh, { path: "/d" });
      expect(r.refreshServer).toMatchObject({ server: { health: "UNHEALTHY", healthReason: "blocked" } });
      expect(target.stats().requests).toBe(0);
    } finally {
      await stopApp(denied);
      await target.close();
    }
  });
});
