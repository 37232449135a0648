// Events reach subscribers on every replica (LISTEN/NOTIFY on PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres, type TestApp } from "../support/app.ts";
import { startReplicas, type Replicas } from "../support/replicas.ts";
import { LifecycleEvents, RegisterServer } from "../support/operations.ts";
import { subscribe, wsClient } from "../support/ws-client.ts";

type Events = { serverEvents: { __typename: string; path: string; change?: string } };
const QUERY = LifecycleEvents;

describe.runIf(onPostgres)("subscriptions across replicas (PostgreSQL)", () => {
  let replicas: Replicas | undefined;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    replicas = await startReplicas();
    [a, b] = replicas.apps;
  });
  afterAll(async () => {
    await replicas?.close();
  });

  it("a subscriber on each replica receives an event that happened on one of them", async () => {
    const clients = [wsClient(a.url, { token: a.adminToken }), wsClient(b.url, { token: a.adminToken })];
    const subs = clients.map((c) => subscribe<Events>(c, QUERY));
    try {
      // Give both subscriptions time to start listening before the write.
      await new Promise((r) => setTimeout(r, 1_000));
      await a.gqlOk(RegisterServer, { input: { name: "x", path: "/across", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
      for (const sub of subs) {
        const event = await sub.next(5_000);
        expect(event.data?.serverEvents).toEqual({ __typename: "LifecycleUpdate", path: "/across", change: "REGISTERED" });
      }
    } finally {
      await Promise.all(subs.map((s) => s.close()));
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });
});
