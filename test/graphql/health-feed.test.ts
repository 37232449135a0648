// WebSocket /ws/health_status against the real server, a real ws client and a real
// MCP server: the initial map, changes (batched), what it hides, caps, pings, auth.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createLogger } from "../../src/log.ts";
import { attachHealthFeed, type HealthFeedSettings, type HealthMap } from "../../src/graphql/health-feed.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { signInAsAdmin } from "../support/session.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { GetServer, RegisterServer, ToggleServer } from "../support/operations.ts";
import { handshake, subscribe, wsClient } from "../support/ws-client.ts";
import { healthEventFor } from "../support/events.ts";

type Feed = {
  ws: WebSocket;
  raw: string[];
  /** The next message, parsed. */
  next(timeoutMs?: number): Promise<HealthMap>;
  /** Reads messages until one satisfies `test`. */
  until(test: (m: HealthMap) => boolean, timeoutMs?: number): Promise<HealthMap>;
  closed: Promise<number>;
};

function openFeed(baseUrl: string, opts: { path?: string; headers?: Record<string, string>; autoPong?: boolean } = {}): Promise<Feed> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}${opts.path ?? "/ws/health_status"}`, {
    headers: opts.headers,
    autoPong: opts.autoPong ?? true,
  });
  const raw: string[] = [];
  const queue: HealthMap[] = [];
  const waiters: ((m: HealthMap) => void)[] = [];
  ws.on("message", (data: Buffer) => {
    const text = data.toString("utf8");
    raw.push(text);
    const parsed = JSON.parse(text) as HealthMap;
    const waiter = waiters.shift();
    if (waiter) waiter(parsed);
    else queue.push(parsed);
  });
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  const next = (timeoutMs = 5_000) =>
    new Promise<HealthMap>((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(done), 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (m: HealthMap) => {
        clearTimeout(timer);
        resolve(m);
      };
      waiters.push(done);
    });
  const until = async (test: (m: HealthMap) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await next(Math.max(1, deadline - Date.now()));
      if (test(m)) return m;
    }
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, raw, next, until, closed }));
    ws.once("error", reject);
  });
}

async function register(app: TestApp, path: string, url: string, extra: Record<string, unknown> = {}): Promise<void> {
  const r = await app.gqlOk(RegisterServer, { input: { name: path, path, proxyPassUrl: url, ...extra } });
  expect(r.registerServer.__typename).toBe("RegisterServerSuccess");
}

describe("public feed", () => {
  let app: TestApp;
  let mcp: TestMcpServer;
  const feeds: Feed[] = [];
  const track = async (f: Promise<Feed>) => {
    const feed = await f;
    feeds.push(feed);
    return feed;
  };

  beforeAll(async () => {
    // A long interval: the tests trigger checks themselves (scheduler.sweep()).
    app = await startApp({ env: { HEALTH_CHECKS: "true", HEALTH_CHECK_INTERVAL_SECONDS: "3600", HEALTH_CHECK_TIMEOUT_MS: "5000" } });
    mcp = await startMcpServer();
    await register(app, "/weather", mcp.mcpUrl(), {
      transport: "STREAMABLE_HTTP",
      upstreamAuth: { type: "BEARER", secret: "upstream-s3cret" },
    });
    await register(app, "/idle", "http://127.0.0.1:9/mcp");
  });
  afterAll(async () => {
    for (const f of feeds) f.ws.terminate();
    await stopApp(app);
    await mcp?.close();
  });

  it("sends the whole map, then a change when a real MCP server goes down and comes back", async () => {
    await app.gqlOk(ToggleServer, { path: "/weather", enabled: true });
    const status = async () => (await app.gqlOk(GetServer, { path: "/weather" })).server?.healthStatus;
    await expect.poll(async () => (await app.health.scheduler.sweep(), await status()), { timeout: 15_000 }).toBe("healthy");
    const feed = await track(openFeed(app.url));
    const initial = await feed.next();
    expect(initial).toEqual({
      "/idle": { status: "disabled", last_checked_iso: null, num_tools: 0 },
      "/weather": { status: "healthy", last_checked_iso: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), num_tools: 2 },
    });

    await mcp.stop();
    await app.health.scheduler.sweep();
    const down = await feed.until((m) => m["/weather"]?.status !== "healthy");
    expect(Object.keys(down)).toEqual(["/weather"]);
    expect(down["/weather"]).toMatchObject({ status: expect.stringMatching(/^unhealthy: /), num_tools: 2 });

    await mcp.start();
    await app.health.scheduler.sweep();
    const up = await feed.until((m) => m["/weather"]?.status === "healthy");
    expect(up).toEqual({ "/weather": { status: "healthy", last_checked_iso: expect.any(String), num_tools: 2 } });
  });

  it("shows only path and health: never URLs or credentials", async () => {
    const feed = await track(openFeed(app.url));
    await feed.next();
    app.events.publish(healthEventFor("/weather"));
    await feed.next();
    const text = feed.raw.join("\n");
    for (const secret of [mcp.baseUrl(), "127.0.0.1", "http", "upstream-s3cret", "proxy"]) expect(text).not.toContain(secret);
    for (const message of feed.raw) {
      for (const entry of Object.values(JSON.parse(message) as HealthMap)) {
        expect(Object.keys(entry).sort()).toEqual(["last_checked_iso", "num_tools", "status"]);
      }
    }
  });

  it("batches changes that arrive together into one message", async () => {
    const feed = await track(openFeed(app.url));
    await feed.next();
    const paths = ["/b1", "/b2", "/b3", "/b4", "/b5"];
    for (const p of paths) app.events.publish(healthEventFor(p, { healthStatus: "unhealthy: timeout", health: "UNHEALTHY" }));
    app.events.publish(healthEventFor("/b1", { numTools: 7 }));
    const batch = await feed.next();
    expect(Object.keys(batch).sort()).toEqual(paths);
    expect(batch["/b1"]).toEqual({ status: "healthy", last_checked_iso: "2026-01-02T03:04:05.000Z", num_tools: 7 });
    expect(batch["/b2"]?.status).toBe("unhealthy: timeout");
    await expect(feed.next(300)).rejects.toThrow("no message");
  });

  it("refuses sockets beyond the cap with 503, and close() ends the open ones", async () => {
    const capped = attachHealthFeed({
      upgrades: app.upgrades,
      graphql: app.graphql,
      auth: app.auth,
      changes: app.db.changes,
      log: createLogger(app.config.log),
      settings: { requireAuth: false, maxConnections: 1, path: "/ws/health-capped" },
    });
    try {
      const first = await openFeed(app.url, { path: "/ws/health-capped" });
      expect(Object.keys(await first.next())).toContain("/weather");
      expect(await handshake(app.url, "/ws/health-capped", {})).toBe(503);
      await capped.close();
      expect(await first.closed).toBe(1001);
      expect(await handshake(app.url, "/ws/health-capped", {})).toBe(404);
      expect(await handshake(app.url, "/ws/health_status", {})).toBe(101);
    } finally {
      await capped.close();
    }
  });

  it("terminates clients that do not answer pings", async () => {
    const quick = attachHealthFeed({
      upgrades: app.upgrades,
      graphql: app.graphql,
      auth: app.auth,
      changes: app.db.changes,
      log: createLogger(app.config.log),
      settings: { requireAuth: false, maxConnections: 10, path: "/ws/health-quick", pingIntervalMs: 50 },
    });
    try {
      const answering = await openFeed(app.url, { path: "/ws/health-quick" });
      const silent = await openFeed(app.url, { path: "/ws/health-quick", autoPong: false });
      expect(await silent.closed).toBe(1006);
      expect(answering.ws.readyState).toBe(WebSocket.OPEN);
      answering.ws.terminate();
    } finally {
      await quick.close();
    }
  });

  it("skips a client that stops reading, then sends it a fresh whole map once it drains", async () => {
    const slow = attachHealthFeed({
      upgrades: app.upgrades,
      graphql: app.graphql,
      auth: app.auth,
      changes: app.db.changes,
      log: createLogger(app.config.log),
      settings: { requireAuth: false, maxConnections: 10, path: "/ws/health-slow", batchMs: 1, maxBufferedBytes: 65_536 },
    });
    try {
      const feed = await openFeed(app.url, { path: "/ws/health-slow" });
      expect(Object.keys(await feed.next()).sort()).toEqual(["/idle", "/weather"]);
      feed.ws.pause();
      const pad = "x".repeat(100);
      const rounds = 60;
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < 2_000; i++) app.events.publish(healthEventFor(`/slow/${pad}/${i}`, { numTools: round }));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const before = feed.raw.length;
      feed.ws.resume();
      // The deltas already on their way arrive, then the whole map instead of the rest.
      const full = await feed.until((m) => "/weather" in m);
      expect(Object.keys(full).sort()).toEqual(["/idle", "/weather"]);
      expect(feed.raw.length - before).toBeLessThan(rounds);
      feed.ws.terminate();
    } finally {
      await slow.close();
    }
  });

  it("limits anonymous sockets per address (429) and keeps the last slots for signed-in clients", async () => {
    const attach = (path: string, extra: Partial<HealthFeedSettings>) =>
      attachHealthFeed({
        upgrades: app.upgrades,
        graphql: app.graphql,
        auth: app.auth,
        changes: app.db.changes,
        log: createLogger(app.config.log),
        settings: { requireAuth: false, maxConnections: 4, path, ...extra },
      });
    const perIp = attach("/ws/health-per-ip", { maxAnonymousPerIp: 2, signedInReservePercent: 0 });
    const reserved = attach("/ws/health-reserved", { maxAnonymousPerIp: 100, signedInReservePercent: 25 });
    const open: Feed[] = [];
    try {
      for (let i = 0; i < 2; i++) open.push(await openFeed(app.url, { path: "/ws/health-per-ip" }));
      expect(await handshake(app.url, "/ws/health-per-ip", {})).toBe(429);
      // A signed-in client from the same address is not counted with them.
      expect(await handshake(app.url, "/ws/health-per-ip", { headers: { authorization: `Bearer ${app.adminToken}` } })).toBe(101);
      open.pop()?.ws.close();
      await expect.poll(() => handshake(app.url, "/ws/health-per-ip", {})).toBe(101);

      // Anonymous clients get 3 of the 4 slots; the fourth is kept for a signed-in one.
      for (let i = 0; i < 3; i++) open.push(await openFeed(app.url, { path: "/ws/health-reserved" }));
      expect(await handshake(app.url, "/ws/health-reserved", {})).toBe(503);
      // A credential that does not work earns no reserved slot.
      expect(await handshake(app.url, "/ws/health-reserved", { headers: { authorization: "Bearer forged" } })).toBe(503);
      const signedIn = await openFeed(app.url, { path: "/ws/health-reserved", headers: { authorization: `Bearer ${app.adminToken}` } });
      open.push(signedIn);
      // What it sees is the public map, the same as anonymous clients.
      expect(Object.keys(await signedIn.next()).sort()).toEqual(["/idle", "/weather"]);
      expect(await handshake(app.url, "/ws/health-reserved", { headers: { authorization: `Bearer ${app.adminToken}` } })).toBe(503);
    } finally {
      for (const f of open) f.ws.terminate();
      await perIp.close();
      await reserved.close();
    }
  });

  it("still answers 404 on paths nobody serves", async () => {
    expect(await handshake(app.url, "/elsewhere", {})).toBe(404);
  });
});

describe("with HEALTH_FEED_REQUIRE_AUTH=true", () => {
  let app: TestApp;
  let restrictedToken: string;

  beforeAll(async () => {
    app = await startApp({ env: { HEALTH_FEED_REQUIRE_AUTH: "true" } });
    const problems = await app.auth.policy.update(
      { groups: { "weather-team": [{ servers: ["/weather", "/weather/*"], permissions: ["list_service"] }] } },
      "test",
    );
    expect(problems).toEqual([]);
    restrictedToken = await tokenFor(app, { subject: "bob", username: "bob", groups: ["weather-team"], scopes: ["list_service"] });
    for (const p of ["/weather", "/weather/eu", "/finance"]) await register(app, p, "http://127.0.0.1:9/mcp");
  });
  afterAll(async () => {
    await stopApp(app);
  });

  it("refuses anonymous clients and bad tokens with 401", async () => {
    expect(await handshake(app.url, "/ws/health_status", {})).toBe(401);
    expect(await handshake(app.url, "/ws/health_status", { headers: { authorization: `Bearer ${app.adminToken.slice(0, -4)}AAAA` } })).toBe(401);
    expect(await handshake(app.url, "/ws/health_status", { headers: { authorization: "Basic abc" } })).toBe(401);
  });

  it("shows a restricted token only the servers it may list, in the map and in changes", async () => {
    const feed = await openFeed(app.url, { headers: { authorization: `Bearer ${restrictedToken}` } });
    try {
      expect(Object.keys(await feed.next()).sort()).toEqual(["/weather", "/weather/eu"]);
      app.events.publish(healthEventFor("/finance"));
      app.events.publish(healthEventFor("/weather/eu"));
      expect(Object.keys(await feed.next())).toEqual(["/weather/eu"]);
      app.events.publish(healthEventFor("/finance"));
      await expect(feed.next(300)).rejects.toThrow("no message");
    } finally {
      feed.ws.terminate();
    }
  });

  it("applies the GraphQL subscription's visibility: a restricted user hears of the same paths on both", async () => {
    const feed = await openFeed(app.url, { headers: { authorization: `Bearer ${restrictedToken}` } });
    const client = wsClient(app.url, { token: restrictedToken });
    try {
      await feed.next();
      const sub = subscribe<{ healthStatus: { path: string } }>(client, "subscription { healthStatus { path } }");
      // Live once a probe comes through (the socket's handshake and subscribe take a moment).
      // One read waits throughout: a read that timed out would still take the next result.
      let live = false;
      const first = sub.next(20_000).then((r) => ((live = true), r));
      for (let i = 0; i < 80 && !live; i++) {
        app.events.publish(healthEventFor(`/weather/probe-${i}`));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect((await first).data?.healthStatus.path).toMatch(/^\/weather\/probe-/);
      const paths = ["/finance", "/weather", "/weather/eu", "/finance/eu", "/weatherman", "/weather/end"];
      for (const p of paths) app.events.publish(healthEventFor(p));
      const heard = { feed: new Set<string>(), graphql: new Set<string>() };
      while (!heard.graphql.has("/weather/end")) heard.graphql.add((await sub.next()).data?.healthStatus.path ?? "");
      while (!heard.feed.has("/weather/end")) for (const p of Object.keys(await feed.next())) heard.feed.add(p);
      const ofInterest = (set: Set<string>) => [...set].filter((p) => !p.includes("probe")).sort();
      expect(ofInterest(heard.graphql)).toEqual(["/weather", "/weather/end", "/weather/eu"]);
      expect(ofInterest(heard.feed)).toEqual(ofInterest(heard.graphql));
    } finally {
      feed.ws.terminate();
      await client.dispose();
    }
  });

  it("applies a policy change to open sockets: a user granted more gets a whole map with it, then its changes", async () => {
    const weather = [{ servers: ["/weather", "/weather/*"], permissions: ["list_service"] }];
    const feed = await openFeed(app.url, { headers: { authorization: `Bearer ${restrictedToken}` } });
    try {
      expect(Object.keys(await feed.next()).sort()).toEqual(["/weather", "/weather/eu"]);
      expect(await app.auth.policy.update({ groups: { "weather-team": [...weather, { servers: "/finance", permissions: ["list_service"] }] } }, "test")).toEqual([]);
      expect(Object.keys(await feed.next(5_000)).sort()).toEqual(["/finance", "/weather", "/weather/eu"]);
      app.events.publish(healthEventFor("/finance"));
      expect(Object.keys(await feed.next())).toEqual(["/finance"]);
    } finally {
      feed.ws.terminate();
      expect(await app.auth.policy.update({ groups: { "weather-team": weather } }, "test")).toEqual([]);
    }
  });

  it("closes a socket with 1008 within a second of its token being revoked through the API", async () => {
    const token = await tokenFor(app, { subject: "carol", username: "carol", groups: ["weather-team"], scopes: ["list_service"] });
    const feed = await openFeed(app.url, { headers: { authorization: `Bearer ${token}` } });
    await feed.next();
    const jti = (JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { jti: string }).jti;
    const res = await fetch(`${app.url}/api/tokens/${jti}/revoke`, { method: "POST", headers: { authorization: `Bearer ${app.adminToken}` } });
    expect(res.status).toBe(200);
    const revokedAt = Date.now();
    const code = await Promise.race([feed.closed, new Promise<"open">((r) => setTimeout(() => r("open"), 5_000))]);
    expect(code).toBe(1008);
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
  });

  it("closes a socket with 1008 within a second of its session signing out, and leaves others open", async () => {
    const cookie = await signInAsAdmin(app.url);
    const other = await signInAsAdmin(app.url);
    const feed = await openFeed(app.url, { headers: { cookie } });
    const stays = await openFeed(app.url, { headers: { cookie: other } });
    try {
      await feed.next();
      await stays.next();
      const out = await fetch(`${app.url}/logout`, { method: "POST", headers: { cookie, origin: app.url }, redirect: "manual" });
      expect(out.status).toBe(303);
      const loggedOutAt = Date.now();
      const code = await Promise.race([feed.closed, new Promise<"open">((r) => setTimeout(() => r("open"), 5_000))]);
      expect(code).toBe(1008);
      expect(Date.now() - loggedOutAt).toBeLessThan(1_000);
      app.events.publish(healthEventFor("/weather"));
      expect(Object.keys(await stays.next())).toEqual(["/weather"]);
    } finally {
      stays.ws.terminate();
    }
  });

  it("survives a user whose group is named like an Object.prototype member: the other clients still get changes", async () => {
    const weather = [{ servers: ["/weather", "/weather/*"], permissions: ["list_service"] }];
    const odd = ["constructor", "toString"];
    // While the policy names these groups, their members connect normally; then it stops naming them.
    expect(await app.auth.policy.update({ groups: { "weather-team": weather, ...Object.fromEntries(odd.map((g) => [g, weather])) } }, "test")).toEqual([]);
    const bystander = await openFeed(app.url, { headers: { authorization: `Bearer ${app.adminToken}` } });
    const hostile: Feed[] = [];
    try {
      await bystander.next();
      for (const group of odd) {
        const token = await tokenFor(app, { subject: `odd-${group}`, username: `odd-${group}`, groups: [group], scopes: ["list_service"] });
        const feed = await openFeed(app.url, { headers: { authorization: `Bearer ${token}` } });
        expect(Object.keys(await feed.next()).sort()).toEqual(["/weather", "/weather/eu"]);
        hostile.push(feed);
      }
      expect(await app.auth.policy.update({ groups: { "weather-team": weather } }, "test")).toEqual([]);
      app.events.publish(healthEventFor("/weather/eu"));
      expect(Object.keys(await bystander.next())).toEqual(["/weather/eu"]);
      app.events.publish(healthEventFor("/finance"));
      expect(Object.keys(await bystander.next())).toEqual(["/finance"]);
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
    } finally {
      bystander.ws.terminate();
      for (const f of hostile) f.ws.terminate();
    }
  });

  it("shows an admin every server", async () => {
    const feed = await openFeed(app.url, { headers: { authorization: `Bearer ${app.adminToken}` } });
    try {
      expect(Object.keys(await feed.next()).sort()).toEqual(["/finance", "/weather", "/weather/eu"]);
    } finally {
      feed.ws.terminate();
    }
  });
});
