// A check that began before its server was disabled or changed must not have the last
// word: the feed, subscriptions and GraphQL all end up saying what the server is now.
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type WebSocket from "ws";
import type { Client } from "graphql-ws";
import type { HealthMap } from "../../src/graphql/health-feed.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { GetServer, HealthStatusUpdates, RegisterServer, ToggleServer, UpdateServer } from "../support/operations.ts";
import { openSocket, wsClient } from "../support/ws-client.ts";

let app: TestApp;
let mcp: TestMcpServer;
let feed: WebSocket;
let client: Client;
/** The newest status each live channel has shown, by path. */
const fromFeed = new Map<string, string>();
const fromSubscription = new Map<string, string>();

beforeAll(async () => {
  app = await startApp({ env: { HEALTH_CHECKS: "true", HEALTH_CHECK_INTERVAL_SECONDS: "3600", HEALTH_CHECK_TIMEOUT_MS: "10000" } });
  // Records the checks the app starts; the real checker still runs them.
  vi.spyOn(app.health.checker, "check");
  // Slow enough that a disable or edit lands while the check waits for the answer.
  mcp = await startMcpServer({ delayMs: 400 });
  for (const path of ["/slow", "/edited"]) {
    const r = await app.gqlOk(RegisterServer, { input: { name: path, path, proxyPassUrl: mcp.mcpUrl(), transport: "STREAMABLE_HTTP" } });
    expect(r.registerServer.__typename).toBe("RegisterServerSuccess");
  }
  ({ ws: feed } = await openSocket(app.url, "/ws/health_status", {
    onMessage: (text) => {
      for (const [path, entry] of Object.entries(JSON.parse(text) as HealthMap)) fromFeed.set(path, entry.status);
    },
  }));
  client = wsClient(app.url, { token: app.adminToken });
  client.subscribe<{ healthStatus: { path: string; healthStatus: string } }>(
    { query: print(HealthStatusUpdates) },
    {
      next: (r) => {
        if (r.data) fromSubscription.set(r.data.healthStatus.path, r.data.healthStatus.healthStatus);
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  // Live once a probe comes through.
  await vi.waitFor(
    () => {
      app.events.publish({
        type: "health",
        serverId: "00000000-0000-4000-8000-000000000000",
        path: "/probe",
        health: "UNKNOWN",
        healthStatus: "unknown",
        reason: null,
        lastCheckedAt: null,
        numTools: 0,
        latencyMs: null,
      });
      if (!fromSubscription.has("/probe") || !fromFeed.has("/probe")) throw new Error("not live yet");
    },
    { timeout: 10_000, interval: 200 },
  );
});
afterAll(async () => {
  feed?.terminate();
  await client?.dispose();
  await stopApp(app);
  await mcp?.close();
});

/** Waits until no check is running and the feed has had time to flush what they published. */
async function checksDone(): Promise<void> {
  // Every check the app started (a refresh joins a running one and gets its promise).
  await Promise.allSettled(vi.mocked(app.health.checker.check).mock.results.map((r) => r.value));
  await new Promise((r) => setTimeout(r, 400));
}

async function storedStatus(path: string): Promise<string | undefined> {
  return (await app.gqlOk(GetServer, { path })).server?.healthStatus;
}

describe("a check that outlives its server's state", () => {
  it("cannot show a server disabled during its check as healthy (5 rounds)", async () => {
    for (let round = 0; round < 5; round++) {
      const before = mcp.stats().requests;
      await app.gqlOk(ToggleServer, { path: "/slow", enabled: true });
      // The check started by the enable is now waiting for the slow upstream.
      await expect.poll(() => mcp.stats().requests, { timeout: 5_000 }).toBeGreaterThan(before);
      await app.gqlOk(ToggleServer, { path: "/slow", enabled: false });
      await checksDone();
      expect({ round, feed: fromFeed.get("/slow"), subscription: fromSubscription.get("/slow"), graphql: await storedStatus("/slow") }).toEqual({
        round,
        feed: "disabled",
        subscription: "disabled",
        graphql: "disabled",
      });
    }
  });

  it("drops the result of a check whose server was pointed elsewhere meanwhile", async () => {
    const before = mcp.stats().requests;
    await app.gqlOk(ToggleServer, { path: "/edited", enabled: true });
    await expect.poll(() => mcp.stats().requests, { timeout: 5_000 }).toBeGreaterThan(before);
    const r = await app.gqlOk(UpdateServer, { path: "/edited", input: { proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    expect(r.updateServer.__typename).toBe("UpdateServerSuccess");
    await checksDone();
    // The healthy answer came from the old URL: nothing may report it for the new one.
    expect(await storedStatus("/edited")).toBe("checking");
    expect(fromFeed.get("/edited")).not.toBe("healthy");
    expect(fromSubscription.get("/edited")).not.toBe("healthy");
  });
});
