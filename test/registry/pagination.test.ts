// Pagination and the list filters of GET /v0.1/servers: a full walk with writes landing
// between pages, version=latest, updated_since and include_deleted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CURRENT_SCHEMA } from "../../src/registry/validate.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { DeleteServer, RegisterServer, UpdateServer } from "../support/operations.ts";
import { OFFICIAL, registryCall, type ServerList, type ServerResponse } from "../support/registry.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startApp();
});

afterAll(async () => {
  await stopApp(app);
});

const list = (query: string) => registryCall<ServerList>(app.url, "GET", `/v0.1/servers${query}`, { token: app.adminToken });
const register = (p: string) =>
  app.gqlOk(RegisterServer, { input: { path: p, name: `Server ${p}`, proxyPassUrl: `http://127.0.0.1:9${p}/mcp` } });
const publish = (doc: Record<string, unknown>) =>
  registryCall<ServerResponse>(app.url, "POST", "/v0.1/publish", { token: app.adminToken, body: { $schema: CURRENT_SCHEMA, ...doc } });
const name = (p: string) => `io.mcpgateway/${p.slice(1).replace(/\//g, ".")}`;

describe("a walk over every page", () => {
  it("sees each of 250 servers exactly once with limit=7 while servers are added and deleted between pages", async () => {
    const original = Array.from({ length: 250 }, (_, i) => `/walk/s${String(i).padStart(3, "0")}`);
    for (const p of original) await register(p);
    const seen = new Map<string, number>();
    const deletedUnseen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await list(`?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.metadata.count).toBe(page.body.servers.length);
      expect(page.body.servers.length).toBeLessThanOrEqual(7);
      for (const s of page.body.servers) seen.set(s.server.name, (seen.get(s.server.name) ?? 0) + 1);
      cursor = page.body.metadata.nextCursor;
      pages += 1;
      // Writes between pages: one server before the cursor, one after, and one deletion
      // of a server not yet seen (it must then never appear).
      await register(`/walk/a-new-${pages}`);
      await register(`/walk/z-new-${pages}`);
      const victim = original.find((p) => !seen.has(name(p)) && !deletedUnseen.has(p) && Number(p.slice(-3)) % 5 === 4);
      if (victim && pages % 4 === 0) {
        await app.gqlOk(DeleteServer, { path: victim });
        deletedUnseen.add(victim);
      }
      expect(pages).toBeLessThan(200);
    } while (cursor);
    expect(deletedUnseen.size).toBeGreaterThan(5);
    for (const p of original) {
      expect(seen.get(name(p)) ?? 0, p).toBe(deletedUnseen.has(p) ? 0 : 1);
    }
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // Servers added behind the cursor are not seen in this walk; those ahead of it are.
    expect(seen.has(name("/walk/a-new-5"))).toBe(false);
    expect(seen.get(name("/walk/z-new-1"))).toBe(1);
  }, 180_000); // 250 registrations and ~40 pages with writes between them; the CPU is shared

  it("gives the same pages for the same data (stable, deterministic order)", async () => {
    const a = await list("?limit=5");
    const b = await list("?limit=5");
    expect(b.body).toEqual(a.body);
    const next = await list(`?limit=5&cursor=${encodeURIComponent(a.body.metadata.nextCursor!)}`);
    const ten = await list("?limit=10");
    expect([...a.body.servers, ...next.body.servers]).toEqual(ten.body.servers);
  });

  it("refuses a malformed or tampered cursor with 422 rather than starting over", async () => {
    const first = await list("?limit=3");
    const good = first.body.metadata.nextCursor!;
    for (const bad of [`${good}!`, good.slice(0, -3), Buffer.from('{"p":42}').toString("base64url"), "%00", "a".repeat(2000)]) {
      const res = await registryCall<{ error: { code: string; message: string } }>(app.url, "GET", `/v0.1/servers?cursor=${encodeURIComponent(bad)}`, { token: app.adminToken });
      expect(res.status, bad).toBe(422);
      expect(res.body.error.message).toContain("cursor");
    }
  });
});

describe("filters", () => {
  it("version=latest returns only each entry's latest version; an exact version filters by it", async () => {
    for (const v of ["1.0.0", "1.2.0", "1.1.0"]) {
      expect((await publish({ name: "com.example/filtered", description: "Filtered", version: v })).status).toBe(200);
    }
    const latest = await list("?version=latest&search=com.example%2Ffiltered");
    expect(latest.body.servers.map((s) => s.server.version)).toEqual(["1.2.0"]);
    expect(latest.body.servers[0]!._meta[OFFICIAL]!.isLatest).toBe(true);
    const all = await list("?search=com.example%2Ffiltered");
    expect(all.body.servers.map((s) => s.server.version).sort()).toEqual(["1.0.0", "1.1.0", "1.2.0"]);
    const exact = await list("?version=1.1.0&search=filtered");
    expect(exact.body.servers.map((s) => s.server.version)).toEqual(["1.1.0"]);
    // Every listed entry under version=latest is a latest one.
    const everyLatest = await list("?version=latest&limit=1000");
    expect(everyLatest.body.servers.every((s) => s._meta[OFFICIAL]!.isLatest === true)).toBe(true);
  });

  it("updated_since returns what changed after the instant, including deleted entries", async () => {
    await publish({ name: "com.example/sync", description: "Sync", version: "1.0.0" });
    await register("/sync/untouched");
    await register("/sync/changed");
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await app.gqlOk(UpdateServer, { path: "/sync/changed", input: { description: "Changed now" } });
    const status = await registryCall(app.url, "PATCH", "/v0.1/servers/com.example%2Fsync/versions/1.0.0/status", {
      token: app.adminToken,
      body: { status: "deleted" },
    });
    expect(status.status).toBe(200);
    const changed = await list(`?updated_since=${encodeURIComponent(since)}`);
    expect(changed.body.servers.map((s) => [s.server.name, s._meta[OFFICIAL]!.status])).toEqual([
      ["com.example/sync", "deleted"],
      ["io.mcpgateway/sync.changed", "active"],
    ]);
    for (const s of changed.body.servers) {
      expect(Date.parse(s._meta[OFFICIAL]!.updatedAt as string)).toBeGreaterThan(Date.parse(since));
    }
    // With an offset instead of Z.
    const offset = since.replace("Z", "+00:00");
    expect((await list(`?updated_since=${encodeURIComponent(offset)}`)).body.servers).toHaveLength(2);
  });

  it("include_deleted shows deleted entries, which are hidden by default", async () => {
    await publish({ name: "com.example/gone", description: "Gone", version: "1.0.0" });
    await registryCall(app.url, "PATCH", "/v0.1/servers/com.example%2Fgone/status", { token: app.adminToken, body: { status: "deleted" } });
    expect((await list("?search=com.example%2Fgone")).body.servers).toEqual([]);
    const shown = await list("?search=com.example%2Fgone&include_deleted=true");
    expect(shown.body.servers.map((s) => s._meta[OFFICIAL]!.status)).toEqual(["deleted"]);
    expect((await list("?search=com.example%2Fgone&include_deleted=false")).body.servers).toEqual([]);
  });
});
