// What a graphql-ws socket may hold and for how long: it closes when its credential
// ends (token revoked, session signed out), sockets that never sign in are cut after
// the init timeout and limited per address, and subscriptions are capped per socket
// and per identity.
import type { Client } from "graphql-ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { attachSubscriptions } from "../../src/graphql/subscriptions.ts";
import { createLogger } from "../../src/log.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { HealthStatusUpdates } from "../support/operations.ts";
import { signInAsAdmin } from "../support/session.ts";
import {
  closedOf,
  GRAPHQL_WS,
  handshake as handshakeTo,
  openSocket,
  subscribe,
  wsClient,
  type OpenSocket,
  type Subscription,
  type WsClientOptions,
} from "../support/ws-client.ts";

const HEALTH = HealthStatusUpdates;
type HealthData = { healthStatus: { path: string; healthStatus: string } };

let app: TestApp;
const clients: Client[] = [];
const raws: WebSocket[] = [];

beforeAll(async () => {
  app = await startApp({
    env: {
      WS_INIT_TIMEOUT_MS: "400",
      WS_MAX_ANONYMOUS_PER_IP: "2",
      GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET: "2",
      GRAPHQL_MAX_SUBSCRIPTIONS_PER_IDENTITY: "3",
    },
  });
});
afterEach(async () => {
  for (const ws of raws.splice(0)) ws.terminate();
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await stopApp(app);
});

/** A graphql-ws client whose socket is open and acknowledged; `closed` resolves with the close code and when it came. */
function connected(options: WsClientOptions, path = "/graphql"): { client: Client; closed: Promise<{ code: number; at: number }> } {
  const client = wsClient(app.url, options, path);
  clients.push(client);
  return { client, closed: closedOf(client) };
}

function jtiOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { jti: string };
  return payload.jti;
}

/**
 * Opens a subscription and returns once a published probe reaches it (so it is live).
 * Two probes a round: a next() that timed out still takes the next result.
 */
async function liveSubscription(client: Client): Promise<Subscription<HealthData>> {
  const sub = subscribe<HealthData>(client, HEALTH);
  for (let i = 0; i < 40; i++) {
    app.events.publish(healthEvent(`/probe-${i}a`));
    app.events.publish(healthEvent(`/probe-${i}b`));
    const got = await sub.next(300).then(
      (r) => r,
      (e: unknown) => e,
    );
    if (Array.isArray(got)) throw Object.assign(new Error("refused"), { errors: got });
    if ((got as { data?: unknown }).data) return sub;
  }
  throw new Error("the subscription never went live");
}

/** Reads until a result for `path` arrives (probes may come first). */
async function until(sub: Subscription<HealthData>, path: string): Promise<void> {
  for (;;) if ((await sub.next(5_000)).data?.healthStatus.path === path) return;
}

function healthEvent(path: string) {
  return {
    type: "health" as const,
    serverId: "00000000-0000-4000-8000-000000000000",
    path,
    health: "HEALTHY" as const,
    healthStatus: "healthy",
    reason: null,
    lastCheckedAt: null,
    numTools: 1,
    latencyMs: 1,
  };
}

async function openRaw(path = "/graphql"): Promise<{ ws: WebSocket; closed: Promise<number>; nextMessage: OpenSocket["nextMessage"] }> {
  const raw = await openSocket(app.url, path, { protocol: GRAPHQL_WS });
  raws.push(raw.ws);
  return { ...raw, closed: raw.closed.then((c) => c.code) };
}

/** The HTTP status a handshake gets, or 101 when it opens. */
const handshake = (path = "/graphql") => handshakeTo(app.url, path);

describe("a subscription whose credential ends", () => {
  it("is closed with 4403 within a second of its token being revoked through the API, and hears nothing more", async () => {
    const token = await tokenFor(app, { subject: "carol", username: "carol", groups: [app.config.auth.adminGroup], scopes: ["list_service"] });
    const { client, closed } = connected({ token });
    const sub = await liveSubscription(client);
    const res = await fetch(`${app.url}/api/tokens/${jtiOf(token)}/revoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.adminToken}` },
    });
    expect(res.status).toBe(200);
    const revokedAt = Date.now();
    const end = await Promise.race([closed, new Promise<undefined>((r) => setTimeout(r, 5_000))]);
    expect(end?.code).toBe(4403);
    expect(end!.at - revokedAt).toBeLessThan(1_000);
    app.events.publish(healthEvent("/after-revocation"));
    // Whatever was already in flight may arrive; then the subscription ends with the close.
    for (;;) {
      const next = await sub.next(2_000).then(
        (r) => r,
        (e: unknown) => e,
      );
      if ((next as { code?: number }).code !== undefined) {
        expect((next as { code: number }).code).toBe(4403);
        break;
      }
      expect((next as { data?: HealthData }).data?.healthStatus.path).not.toBe("/after-revocation");
    }
  });

  it("is closed with 4403 within a second of its session signing out", async () => {
    const cookie = await signInAsAdmin(app.url);
    const { client, closed } = connected({ headers: { cookie } });
    await liveSubscription(client);
    const out = await fetch(`${app.url}/logout`, { method: "POST", headers: { cookie, origin: app.url }, redirect: "manual" });
    expect(out.status).toBe(303);
    const loggedOutAt = Date.now();
    const end = await Promise.race([closed, new Promise<undefined>((r) => setTimeout(r, 5_000))]);
    expect(end?.code).toBe(4403);
    expect(end!.at - loggedOutAt).toBeLessThan(1_000);
  });

  it("is left open when another token of the same user is revoked", async () => {
    const who = { subject: "dave", username: "dave", groups: [app.config.auth.adminGroup], scopes: ["list_service"] };
    const kept = await tokenFor(app, who);
    const other = await tokenFor(app, who);
    const { client, closed } = connected({ token: kept });
    const sub = await liveSubscription(client);
    await app.auth.tokens.revoke(jtiOf(other), undefined);
    const end = await Promise.race([closed, new Promise<"open">((r) => setTimeout(() => r("open"), 1_000))]);
    expect(end).toBe("open");
    app.events.publish(healthEvent("/still-here"));
    await until(sub, "/still-here");
  });
});

describe("sockets that do not sign in", () => {
  it("are closed with 4408 after the init timeout, and do not keep others out", async () => {
    const capped = attachSubscriptions({
      upgrades: app.upgrades,
      graphql: app.graphql,
      auth: app.auth,
      changes: app.db.changes,
      log: createLogger(app.config.log),
      path: "/graphql-one",
      maxConnections: 1,
      initTimeoutMs: 300,
    });
    try {
      const opened = Date.now();
      const silent = await openRaw("/graphql-one");
      expect(await handshake("/graphql-one")).toBe(503);
      expect(await silent.closed).toBe(4408);
      // The configured 300 ms, not graphql-ws's default of 3 s.
      expect(Date.now() - opened).toBeLessThan(2_000);
      const sub = await liveSubscription(connected({ token: app.adminToken }, "/graphql-one").client);
      app.events.publish(healthEvent("/after-timeout"));
      await until(sub, "/after-timeout");
    } finally {
      await capped.close();
    }
  });

  it("are limited per address (429), and signing in frees the slot", async () => {
    const first = await openRaw();
    await openRaw();
    expect(await handshake()).toBe(429);
    // Signing in on one of them takes it out of the count.
    first.ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${app.adminToken}` } }));
    await first.nextMessage(30_000);
    expect(await handshake()).toBe(101);
  });
});

describe("subscription caps", () => {
  it("refuse a socket's subscription beyond the per-socket cap with TOO_MANY_SUBSCRIPTIONS, and admit one after another ends", async () => {
    const token = await tokenFor(app, { subject: "erin", username: "erin", groups: [app.config.auth.adminGroup], scopes: ["list_service"] });
    const { client } = connected({ token });
    const a = await liveSubscription(client);
    await liveSubscription(client);
    const refused = await subscribe(client, HEALTH)
      .next()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toMatchObject([{ message: expect.stringContaining("At most 2 subscriptions"), extensions: { code: "TOO_MANY_SUBSCRIPTIONS", limit: 2 } }]);
    await a.close();
    await expect.poll(() => liveSubscription(client).then(() => "live", () => "refused"), { timeout: 10_000 }).toBe("live");
  });

  it("refuse an identity's subscriptions beyond its cap over all its sockets", async () => {
    const token = await tokenFor(app, { subject: "frank", username: "frank", groups: [app.config.auth.adminGroup], scopes: ["list_service"] });
    const one = connected({ token });
    const two = connected({ token });
    await liveSubscription(one.client);
    await liveSubscription(one.client);
    await liveSubscription(two.client);
    const refused = await subscribe(two.client, HEALTH)
      .next()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toMatchObject([{ extensions: { code: "TOO_MANY_SUBSCRIPTIONS", limit: 3 } }]);
    // Another user is not affected.
    await liveSubscription(connected({ token: app.adminToken }).client);
  });
});
