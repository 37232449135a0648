// The REST read cache beside the GraphQL response cache: a body built before a write
// is never stored or served after it, callers with other grants never share one,
// and the cache stays within its byte bound.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResultCache } from "../../src/graphql/response-cache.ts";
import { PERMISSIONS } from "../../src/auth/policy.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { DeleteServer, RegisterServer, UpdateServer } from "../support/operations.ts";

describe("derived bodies in the result cache", () => {
  it("refuses a body built before a write, and drops stored ones on a write", () => {
    const cache = new ResultCache();
    const before = cache.generation;
    cache.setDerived("k", before, "old");
    expect(cache.getDerived("k")).toBe("old");
    cache.clear(); // a write
    expect(cache.getDerived("k")).toBeUndefined();
    cache.setDerived("k", before, "built from a read before the write");
    expect(cache.getDerived("k")).toBeUndefined();
  });

  it("keeps within its byte bound, oldest out first", () => {
    const cache = new ResultCache(1_000, Infinity, 100);
    cache.setDerived("a", 0, "x".repeat(20));
    cache.setDerived("b", 0, "y".repeat(20));
    cache.setDerived("c", 0, "z".repeat(20));
    cache.setDerived("d", 0, "w".repeat(20));
    cache.setDerived("e", 0, "v".repeat(20));
    cache.setDerived("f", 0, "u".repeat(20));
    expect(cache.getDerived("a")).toBeUndefined();
    expect(cache.getDerived("f")).toBe("u".repeat(20));
    cache.setDerived("huge", 0, "h".repeat(60)); // more than a quarter of the bound: not kept
    expect(cache.getDerived("huge")).toBeUndefined();
  });

  it("expires bodies with the response cache's TTL", async () => {
    const cache = new ResultCache(1_000, 20);
    cache.setDerived("k", 0, "body");
    await new Promise((r) => setTimeout(r, 40));
    expect(cache.getDerived("k")).toBeUndefined();
  });
});

describe("cached REST reads on the server", () => {
  let app: TestApp;
  let carol: string;
  beforeAll(async () => {
    app = await startApp();
    await app.auth.policy.update({ groups: { carol: [{ servers: ["/open"], permissions: ["list_service"] }] } }, "test");
    carol = await tokenFor(app, { subject: "carol", username: "carol", groups: ["carol"], scopes: [...PERMISSIONS] });
    for (const path of ["/open", "/closed"]) {
      await app.gqlOk(RegisterServer, { input: { name: `n ${path}`, path, proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    }
  });
  afterAll(() => stopApp(app));

  const details = async (token: string, path = "all") => {
    const res = await fetch(`${app.url}/api/server_details/${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    return { status: res.status, body: (await res.json()) as Record<string, { name: string }> };
  };

  it("shows a write at once, and never serves one caller's body to another", async () => {
    expect(Object.keys((await details(app.adminToken)).body).sort()).toEqual(["/closed", "/open"]);
    expect(Object.keys((await details(carol)).body)).toEqual(["/open"]);
    expect(Object.keys((await details(app.adminToken)).body).sort()).toEqual(["/closed", "/open"]);

    await app.gqlOk(UpdateServer, { path: "/open", input: { name: "renamed" } });
    expect((await details(app.adminToken)).body["/open"]?.name).toBe("renamed");
    expect((await details(carol, "open")).body.name).toBe("renamed");

    await app.gqlOk(DeleteServer, { path: "/open" });
    expect((await details(carol)).body).toEqual({});
    expect((await details(carol, "open")).status).toBe(404);
  });
});
