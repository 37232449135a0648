// The servers service called directly, without GraphQL: it decides with the grants it is
// given, throws domain errors, and writes and announces only what it allows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Grants } from "../../src/auth/policy.ts";
import { ConflictError, ForbiddenError, NotFoundError, ServerDisabledError, ValidationError } from "../../src/errors.ts";
import { createLogger } from "../../src/log.ts";
import type { ServerEvent } from "../../src/servers/events.ts";
import * as servers from "../../src/servers/service.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";

let app: TestApp;
let deps: servers.ServersDeps;
let heard: ServerEvent[];
let stopListening: () => void;

beforeAll(async () => {
  app = await startApp();
  deps = { prisma: app.db.prisma, events: app.events, health: app.health, config: app.config, log: createLogger({ ...app.config.log, level: "silent" }) };
  heard = [];
  stopListening = app.events.subscribe((e) => heard.push(e));
});
afterAll(async () => {
  stopListening();
  await stopApp(app);
});

const ADMIN: Grants = { admin: true, rules: [], key: "admin" };
/** May list and manage /team/*, and only list /shared. */
const TEAM: Grants = {
  admin: false,
  rules: [
    { servers: ["/team/*"], namespaces: [], permissions: ["list_service", "register_service", "modify_service", "toggle_service"], tools: ["all"] },
    { servers: ["/shared"], namespaces: [], permissions: ["list_service"], tools: ["all"] },
  ],
  key: "team",
};
const server = (path: string) => ({ name: `Server ${path}`, path, proxyPassUrl: "http://127.0.0.1:9/mcp" });

describe("servers service", () => {
  it("registers through the row builder: derived search text, a sealed credential, one event", async () => {
    heard.length = 0;
    const created = await servers.registerServer(deps, TEAM, {
      ...server("/team/a"),
      metadata: { owner: "Alice" },
      upstreamAuth: { type: "BEARER", secret: "s3cret" },
    });
    expect(created).toMatchObject({ path: "/team/a", enabled: false, upstreamAuth: "BEARER" });
    expect(created.searchText).toContain("alice");
    expect(created.upstreamAuthSecret).not.toContain("s3cret");
    expect(app.health.credentials.decrypt(created.upstreamAuthSecret!)).toBe("s3cret");
    expect(heard).toEqual([{ type: "registered", serverId: created.id, path: "/team/a" }]);
  });

  it.each<[string, () => Promise<unknown>, new (...args: never[]) => Error]>([
    ["an invalid registration", () => servers.registerServer(deps, TEAM, { name: "", path: "/team/b", proxyPassUrl: "ftp://x" }), ValidationError],
    ["a bad credential", () => servers.registerServer(deps, TEAM, { ...server("/team/b"), upstreamAuth: { type: "BEARER" } }), ValidationError],
    ["a registration outside the grants", () => servers.registerServer(deps, TEAM, server("/other")), ForbiddenError],
    ["a taken path", () => servers.registerServer(deps, TEAM, server("/team/a")), ConflictError],
    ["a move outside the grants", () => servers.updateServer(deps, TEAM, "/team/a", { path: "/elsewhere" }), ForbiddenError],
    ["an update of a hidden server", () => servers.updateServer(deps, TEAM, "/hidden", { name: "x" }), NotFoundError],
    ["a toggle of a server it may only list", () => servers.toggleServer(deps, TEAM, "/shared", true), ForbiddenError],
    ["a refresh of a disabled server", () => servers.refreshServer(deps, ADMIN, "/shared"), ServerDisabledError],
    ["a delete of a server it may only list", () => servers.deleteServer(deps, TEAM, "/shared"), ForbiddenError],
  ])("refuses %s with its domain error, changing and announcing nothing", async (_name, act, errorType) => {
    await servers.registerServer(deps, ADMIN, server("/shared")).catch(() => undefined);
    await servers.registerServer(deps, ADMIN, server("/hidden")).catch(() => undefined);
    const before = await app.db.prisma.server.findMany({ orderBy: { path: "asc" } });
    heard.length = 0;
    await expect(act()).rejects.toBeInstanceOf(errorType);
    expect(await app.db.prisma.server.findMany({ orderBy: { path: "asc" } })).toEqual(before);
    expect(heard).toEqual([]);
  });

  it("enabling publishes the lifecycle and the health event; the counts follow", async () => {
    heard.length = 0;
    const on = await servers.toggleServer(deps, TEAM, "team/a/", true);
    expect(heard.map((e) => e.type)).toEqual(["updated", "health"]);
    expect(heard[1]).toMatchObject({ type: "health", path: "/team/a", health: on.healthStatus, serverId: on.id });
    heard.length = 0;
    await servers.toggleServer(deps, TEAM, "/team/a", true);
    expect(heard.map((e) => e.type)).toEqual(["updated"]);
    const counts = await servers.countServers(deps, TEAM, null);
    expect(counts).toMatchObject({ total: 2, disabled: 1 });
  });

  it("moving a server announces it updated at the new path and deleted at the old", async () => {
    heard.length = 0;
    const moved = await servers.updateServer(deps, TEAM, "/team/a", { path: "/team/c", description: "Moved" });
    expect(moved.searchText).toContain("moved");
    expect(heard).toEqual([
      { type: "updated", serverId: moved.id, path: "/team/c" },
      { type: "deleted", serverId: moved.id, path: "/team/a" },
    ]);
    expect(await servers.deleteServer(deps, TEAM, "/team/c")).toEqual({ id: moved.id, path: "/team/c" });
    await expect(servers.deleteServer(deps, TEAM, "/team/c")).rejects.toBeInstanceOf(NotFoundError);
  });
});
