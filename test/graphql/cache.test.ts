// The response cache never serves a result older than the last write, on this
// replica or (on PostgreSQL) on another one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres, startApp, stopApp, type TestApp } from "../support/app.ts";
import { ListServers, RegisterServer, ToggleServer } from "../support/operations.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => stopApp(app));

const count = async (a: TestApp) => (await a.gqlOk(ListServers, { first: 10 })).servers.totalCount;

describe("response cache", () => {
  it("caches reads and drops them on every write", async () => {
    expect(await count(app)).toBe(0);
    expect(app.graphql.cache?.size).toBe(1);
    await app.gqlOk(RegisterServer, { input: { name: "C", path: "/c1", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    expect(app.graphql.cache?.size).toBe(0);
    expect(await count(app)).toBe(1);
    const enabled = async () =>
      (await app.gqlOk(ListServers, { first: 10, filter: { enabled: true } })).servers.totalCount;
    expect(await enabled()).toBe(0);
    await app.gqlOk(ToggleServer, { path: "/c1", enabled: true });
    expect(await enabled()).toBe(1);
  });

  it("drops results on a write made outside GraphQL that announces itself", async () => {
    expect(await count(app)).toBe(1);
    await app.db.prisma.server.create({ data: { name: "D", path: "/d1", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    app.db.changes.publish({ entity: "server", path: "/d1" });
    expect(await count(app)).toBe(2);
  });

  it("can be switched off", async () => {
    const plain = await startApp({ env: { GRAPHQL_RESPONSE_CACHE: "false" } });
    try {
      expect(plain.graphql.cache).toBeUndefined();
      expect(await count(plain)).toBe(0);
    } finally {
      await stopApp(plain);
    }
  });
});

describe.runIf(onPostgres)("response cache across replicas (PostgreSQL)", () => {
  it("a write on one replica clears the cache on another", async () => {
    const replica = await startApp({ sameDataAs: app });
    try {
      const before = await count(replica);
      await app.gqlOk(RegisterServer, { input: { name: "R", path: "/from-a", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
      await expect.poll(() => count(replica), { timeout: 5_000 }).toBe(before + 1);
    } finally {
      await replica.close();
    }
  });
});
