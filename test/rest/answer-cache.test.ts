// The REST answer cache (src/rest/answer-cache.ts) on the product API's reads: a write
// shows at once, and callers with other grants never share an answer. Its storage
// rules (generations, byte bound) are tested with the registry's rules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeFeed } from "../../src/db/changes.ts";
import { AnswerCache } from "../../src/rest/answer-cache.ts";
import { PERMISSIONS } from "../../src/auth/policy.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { DeleteServer, RegisterServer, UpdateServer } from "../support/operations.ts";

describe("the answer cache's lifetime", () => {
  it("expires answers with the response cache's TTL, and stores none with a TTL of 0", async () => {
    const feed = new ChangeFeed();
    const cache = new AnswerCache(feed, 20);
    cache.set("k", Buffer.from("body"), cache.begin());
    expect(cache.get("k")?.toString()).toBe("body");
    await new Promise((r) => setTimeout(r, 40));
    expect(cache.get("k")).toBeUndefined();
    const off = new AnswerCache(feed, 0);
    off.set("k", Buffer.from("body"), off.begin());
    expect(off.get("k")).toBeUndefined();
    cache.close();
    off.close();
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
