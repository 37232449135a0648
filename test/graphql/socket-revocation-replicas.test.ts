// A revocation or logout on one replica closes the sockets that hold that credential on
// another (the change feed's LISTEN/NOTIFY on PostgreSQL).
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres, tokenFor, type TestApp } from "../support/app.ts";
import { HealthPaths } from "../support/operations.ts";
import { startReplicas, type Replicas } from "../support/replicas.ts";
import { signInAsAdmin } from "../support/session.ts";
import { acknowledgedOf, closedOf, openSocket, wsClient } from "../support/ws-client.ts";

const env = { HEALTH_FEED_REQUIRE_AUTH: "true" };

describe.runIf(onPostgres)("sockets across replicas (PostgreSQL)", () => {
  let replicas: Replicas | undefined;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    replicas = await startReplicas({ env });
    [a, b] = replicas.apps;
  });
  afterAll(async () => {
    await replicas?.close();
  });

  /** A subscription on replica `b`; resolves with its close code and when it closed. */
  async function subscriptionOnB(auth: { token?: string; headers?: Record<string, string> }) {
    const client = wsClient(b.url, auth);
    const closed = closedOf(client);
    const acknowledged = acknowledgedOf(client);
    client.subscribe({ query: print(HealthPaths) }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await acknowledged;
    return { client, closed };
  }

  async function feedOnB(headers: Record<string, string>) {
    const { ws, closed, nextMessage } = await openSocket(b.url, "/ws/health_status", { headers });
    await nextMessage(30_000);
    return { ws, closed };
  }

  it("a token revoked on one replica closes its subscription and health feed sockets on the other within a second", async () => {
    const token = await tokenFor(a, { subject: "carol", username: "carol", groups: [a.config.auth.adminGroup], scopes: ["list_service"] });
    const sub = await subscriptionOnB({ token });
    const feed = await feedOnB({ authorization: `Bearer ${token}` });
    try {
      const jti = (JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { jti: string }).jti;
      const res = await fetch(`${a.url}/api/tokens/${jti}/revoke`, { method: "POST", headers: { authorization: `Bearer ${a.adminToken}` } });
      expect(res.status).toBe(200);
      const revokedAt = Date.now();
      const [s, f] = await Promise.all([sub.closed, feed.closed]);
      expect(s.code).toBe(4403);
      expect(f.code).toBe(1008);
      expect(Math.max(s.at, f.at) - revokedAt).toBeLessThan(1_000);
    } finally {
      await sub.client.dispose();
      feed.ws.terminate();
    }
  });

  it("a logout on one replica closes the session's sockets on the other within a second", async () => {
    const cookie = await signInAsAdmin(a.url);
    const sub = await subscriptionOnB({ headers: { cookie } });
    const feed = await feedOnB({ cookie });
    try {
      const out = await fetch(`${a.url}/logout`, { method: "POST", headers: { cookie, origin: a.url }, redirect: "manual" });
      expect(out.status).toBe(303);
      const loggedOutAt = Date.now();
      const [s, f] = await Promise.all([sub.closed, feed.closed]);
      expect(s.code).toBe(4403);
      expect(f.code).toBe(1008);
      expect(Math.max(s.at, f.at) - loggedOutAt).toBeLessThan(1_000);
    } finally {
      await sub.client.dispose();
      feed.ws.terminate();
    }
  });
});
