// GraphQL subscriptions over WebSocket against the real server: who may connect,
// which events each subscriber hears, and the per-subscriber queue.
import type http from "node:http";
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import type { Client } from "graphql-ws";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from "vitest";
import { ChangeFeed } from "../../src/db/changes.ts";
import { eventStream } from "../../src/graphql/schema/events.ts";
import { attachSubscriptions } from "../../src/graphql/subscriptions.ts";
import { serverEventOf, ServerEvents, type ServerEvent } from "../../src/servers/events.ts";
import { createLogger } from "../../src/log.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { DeleteServer, HealthUpdates, RegisterServer, ServerEventsAll } from "../support/operations.ts";
import { signInAsAdmin } from "../support/session.ts";
import { GRAPHQL_WS, handshake as handshakeTo, openSocket, subscribe, wsClient, type Subscription, type SubscriptionQuery, type WsClientOptions } from "../support/ws-client.ts";
import { healthEventFor } from "../support/events.ts";

let app: TestApp;
let restrictedToken: string;
let listening: MockInstance<ServerEvents["subscribe"]>;
/** Subscriptions currently listening to app.events. */
let active = 0;
const clients: Client[] = [];

beforeAll(async () => {
  // The server serves subscriptions on /graphql itself (src/server.ts).
  app = await startApp();
  const problems = await app.auth.policy.update(
    { groups: { "weather-team": [{ servers: ["/weather", "/weather/*"], permissions: ["list_service"] }] } },
    "test",
  );
  expect(problems).toEqual([]);
  restrictedToken = await tokenFor(app, {
    subject: "bob",
    username: "bob",
    groups: ["weather-team"],
    scopes: ["list_service"],
  });
  const original = app.events.subscribe.bind(app.events);
  listening = vi.spyOn(app.events, "subscribe").mockImplementation((listener) => {
    const stop = original(listener);
    active += 1;
    return () => {
      active -= 1;
      stop();
    };
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

afterAll(async () => {
  await stopApp(app);
});

function connect(options: WsClientOptions): Client {
  const client = wsClient(app.url, options);
  clients.push(client);
  return client;
}

/** Subscribes, and returns once the server is listening for events on this subscription's behalf. */
async function live<T>(client: Client, query: SubscriptionQuery<T>, variables?: Record<string, unknown>): Promise<Subscription<T>> {
  const before = listening.mock.calls.length;
  const sub = subscribe<T>(client, query, variables);
  await vi.waitFor(() => expect(listening.mock.calls.length).toBeGreaterThan(before), { timeout: 5_000 });
  return sub;
}

const HEALTH = HealthUpdates;
type HealthData = { healthStatus: { path: string } & Record<string, unknown> };

const EVENTS = ServerEventsAll;
type EventsData = { serverEvents: { __typename: string; path: string } & Record<string, unknown> };

/** Resolves with the close code a refused client sees. */
async function refusal(client: Client, query: SubscriptionQuery<unknown> = HEALTH): Promise<number> {
  const sub = subscribe(client, query);
  const err = await sub.next().then(
    () => undefined,
    (e: unknown) => e,
  );
  return (err as { code?: number } | undefined)?.code ?? -1;
}

describe("healthStatus subscription", () => {
  it("delivers health updates to a client authenticated with a bearer token", async () => {
    const sub = await live<HealthData>(connect({ token: app.adminToken }), HEALTH);
    app.events.publish(healthEventFor("/weather", { health: "UNHEALTHY", healthStatus: "unhealthy: timeout", reason: "timeout", latencyMs: null }));
    const result = await sub.next();
    expect(result.errors).toBeUndefined();
    expect(result.data?.healthStatus).toEqual({
      path: "/weather",
      health: "UNHEALTHY",
      healthStatus: "unhealthy: timeout",
      reason: "timeout",
      lastCheckedAt: "2026-01-02T03:04:05.000Z",
      numTools: 3,
      latencyMs: null,
    });
  });

  it("delivers only the paths asked for, in any spelling", async () => {
    const sub = await live<HealthData>(connect({ token: app.adminToken }), HEALTH, { paths: ["Weather/", "/time"] });
    app.events.publish(healthEventFor("/finance"));
    app.events.publish(healthEventFor("/weather/eu"));
    app.events.publish(healthEventFor("/weather"));
    app.events.publish(healthEventFor("/time"));
    expect((await sub.next()).data?.healthStatus.path).toBe("/weather");
    expect((await sub.next()).data?.healthStatus.path).toBe("/time");
  });

  it("refuses a path that cannot name a server", async () => {
    const sub = subscribe(connect({ token: app.adminToken }), HEALTH, { paths: ["/ok", "not a path!"] });
    const result = await sub.next();
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: "INVALID_PATH", field: "paths.1" } });
  });

  it("hides the servers a restricted user may not list, and shows the ones it may", async () => {
    const sub = await live<HealthData>(connect({ token: restrictedToken }), HEALTH);
    app.events.publish(healthEventFor("/finance"));
    app.events.publish(healthEventFor("/weather/eu"));
    app.events.publish(healthEventFor("/finance/weather"));
    app.events.publish(healthEventFor("/weather"));
    expect((await sub.next()).data?.healthStatus.path).toBe("/weather/eu");
    expect((await sub.next()).data?.healthStatus.path).toBe("/weather");
  });
});

describe("serverEvents subscription", () => {
  it("delivers lifecycle events of real registerServer and deleteServer mutations", async () => {
    const sub = await live<EventsData>(connect({ token: app.adminToken }), EVENTS);
    const input = { name: "Clock", path: "/clock", proxyPassUrl: "http://127.0.0.1:9/mcp" };
    const { registerServer } = await app.gqlOk(RegisterServer, { input });
    expect(registerServer.__typename).toBe("RegisterServerSuccess");
    const registered = await sub.next();
    expect(registered.data?.serverEvents).toMatchObject({ __typename: "LifecycleUpdate", path: "/clock", change: "REGISTERED" });
    if (registerServer.__typename === "RegisterServerSuccess") {
      expect(registered.data?.serverEvents.serverId).toBe(registerServer.server.id);
    }
    await app.gqlOk(DeleteServer, { path: "/clock" });
    expect((await sub.next()).data?.serverEvents).toMatchObject({ path: "/clock", change: "DELETED" });
  });

  it("carries health and tool events as their own types", async () => {
    const sub = await live<EventsData>(connect({ token: app.adminToken }), EVENTS);
    app.events.publish(healthEventFor("/weather"));
    const tools: ServerEvent = {
      type: "tools",
      serverId: randomUUID(),
      path: "/weather",
      added: ["forecast"],
      removed: ["old"],
      changed: [],
      at: "2026-01-02T03:04:05.000Z",
    };
    app.events.publish(tools);
    expect((await sub.next()).data?.serverEvents).toMatchObject({ __typename: "HealthUpdate", healthStatus: "healthy" });
    expect((await sub.next()).data?.serverEvents).toEqual({
      __typename: "ToolsUpdate",
      path: "/weather",
      serverId: expect.any(String),
      added: ["forecast"],
      removed: ["old"],
      changed: [],
      at: "2026-01-02T03:04:05.000Z",
    });
  });

  it("tells a restricted user of the deletion of a server it could list, and of nothing hidden", async () => {
    const sub = await live<EventsData>(connect({ token: restrictedToken }), EVENTS);
    for (const path of ["/bank", "/weather/gone"]) {
      await app.gqlOk(RegisterServer, { input: { name: path, path, proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    }
    await app.gqlOk(DeleteServer, { path: "/bank" });
    await app.gqlOk(DeleteServer, { path: "/weather/gone" });
    expect((await sub.next()).data?.serverEvents).toMatchObject({ path: "/weather/gone", change: "REGISTERED" });
    expect((await sub.next()).data?.serverEvents).toMatchObject({ path: "/weather/gone", change: "DELETED" });
  });
});

describe("operations over the socket", () => {
  it("carry subscriptions only: queries and mutations go over HTTP", async () => {
    const client = connect({ token: app.adminToken });
    for (const query of ["query { viewer { username } }", 'mutation { deleteServer(path: "/x") { __typename } }']) {
      const err = await subscribe(client, query)
        .next()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err, query).toMatchObject([{ extensions: { code: "SUBSCRIPTIONS_ONLY" } }]);
    }
  });

  it("pass the same plugins as HTTP requests: an overlong document is refused", async () => {
    const query = `query { viewer { ${"username ".repeat(3_000)} } }`;
    const err = await subscribe(connect({ token: app.adminToken }), query)
      .next()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject([{ extensions: { code: "QUERY_TOO_LONG" } }]);
  });

  it("stop listening for events when the client leaves", async () => {
    const before = active;
    const client = connect({ token: app.adminToken });
    const sub = await live<HealthData>(client, HEALTH);
    expect(active).toBe(before + 1);
    await sub.close();
    await vi.waitFor(() => expect(active).toBe(before));
    await live<HealthData>(client, HEALTH);
    await client.dispose();
    await vi.waitFor(() => expect(active).toBe(before));
  });
});

describe("who may connect", () => {
  it("refuses a connection without credentials (4403)", async () => {
    expect(await refusal(connect({}))).toBe(4403);
  });

  it("refuses a connection with a bad bearer token (4403)", async () => {
    expect(await refusal(connect({ token: `${app.adminToken.slice(0, -4)}AAAA` }))).toBe(4403);
  });

  it("accepts the session cookie of a signed-in user", async () => {
    const cookie = await signInAsAdmin(app.url);
    const sub = await live<HealthData>(connect({ headers: { cookie } }), HEALTH);
    app.events.publish(healthEventFor("/cookie"));
    expect((await sub.next()).data?.healthStatus.path).toBe("/cookie");
  });

  it("accepts a session cookie from the server's own origin, not from another site", async () => {
    const cookie = await signInAsAdmin(app.url);
    const own = await live<HealthData>(connect({ headers: { cookie, origin: app.url } }), HEALTH);
    app.events.publish(healthEventFor("/origin"));
    expect((await own.next()).data?.healthStatus.path).toBe("/origin");
    expect(await refusal(connect({ headers: { cookie, origin: "https://evil.example" } }))).toBe(4403);
  });

  it("refuses a forged session cookie (4403)", async () => {
    const cookie = "mcp_gateway_session=forged; mcp_gateway_session.sig=forged";
    expect(await refusal(connect({ headers: { cookie } }))).toBe(4403);
  });
});

/** The HTTP status a plain WebSocket handshake to this path gets, or 101 when it opens. */
const handshake = (path: string) => handshakeTo(app.url, path);

describe("the upgrade listener", () => {
  it("answers 404 to other paths when no other listener serves them", async () => {
    expect(await handshake("/elsewhere")).toBe(404);
  });

  it("leaves other paths to the endpoints that serve them", async () => {
    // Endpoints share the server's one upgrade router instead of each listening on "upgrade".
    const other = app.upgrades.add({
      name: "teapot",
      paths: ["/ws/teapot"],
      maxConnections: 10,
      maxAnonymousPerIp: 10,
      trustProxy: false,
      admit: () => Promise.resolve({ accept: false, status: 418, message: "I'm a teapot" }),
      upgrade: (_req: http.IncomingMessage, socket: Duplex) => socket.destroy(),
    });
    try {
      expect(await handshake("/ws/teapot")).toBe(418);
      expect(await handshake("/graphql")).toBe(101);
    } finally {
      other.remove();
    }
  });

  it("refuses sockets beyond the cap with 503, and close() ends the open ones", async () => {
    const capped = attachSubscriptions({
      upgrades: app.upgrades,
      graphql: app.graphql,
      auth: app.auth,
      changes: app.db.changes,
      log: createLogger(app.config.log),
      path: "/graphql-capped",
      maxConnections: 1,
    });
    const first = openSocket(app.url, "/graphql-capped", { protocol: GRAPHQL_WS });
    try {
      const closed = (await first).closed.then((c) => c.code);
      expect(await handshake("/graphql-capped")).toBe(503);
      await capped.close();
      expect(await closed).toBe(1001);
      expect(await handshake("/graphql-capped")).toBe(404);
    } finally {
      (await first.catch(() => undefined))?.ws.terminate();
      await capped.close();
    }
  });
});

describe("eventStream", () => {
  const feed = () => new ServerEvents(new ChangeFeed());

  it("keeps the newest events when a subscriber falls behind, and counts what it dropped", async () => {
    const events = feed();
    const drops: number[] = [];
    const stream = eventStream(events, { select: (e) => e.path, maxQueued: 3, onDrop: (n) => drops.push(n) });
    for (let i = 1; i <= 5; i++) events.publish(healthEventFor(`/s${i}`));
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await stream.next()).value);
    expect(got).toEqual(["/s3", "/s4", "/s5"]);
    const pending = stream.next();
    expect(drops).toEqual([2]);
    events.publish(healthEventFor("/s6"));
    expect(await pending).toEqual({ value: "/s6", done: false });
    await stream.return?.();
  });

  it("stops listening on return() and on throw(), ending a pending next()", async () => {
    const changes = new ChangeFeed();
    const events = new ServerEvents(changes);
    const unsubscribed = vi.fn();
    const subscribeSpy = vi.spyOn(events, "subscribe").mockImplementation((listener) => {
      const stop = changes.subscribe((c) => {
        const event = serverEventOf(c);
        if (event) listener(event);
      });
      return () => {
        unsubscribed();
        stop();
      };
    });
    const a = eventStream(events, { select: (e) => e });
    const pending = a.next();
    await a.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(unsubscribed).toHaveBeenCalledTimes(1);
    events.publish(healthEventFor("/after"));
    expect(await a.next()).toEqual({ value: undefined, done: true });

    const b = eventStream(events, { select: (e) => e });
    await expect(b.throw?.(new Error("client went away"))).rejects.toThrow("client went away");
    expect(unsubscribed).toHaveBeenCalledTimes(2);
    expect(subscribeSpy).toHaveBeenCalledTimes(2);
  });
});
