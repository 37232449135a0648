import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import {
  DeleteServer,
  GetNode,
  GetServer,
  ListServers,
  ListTools,
  RegisterServer,
  ToggleServer,
  UpdateServer,
} from "../support/operations.ts";
import { seedTools } from "../support/seed.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => stopApp(app));

const weather = {
  name: "Weather Service",
  description: "Provides weather forecasts",
  path: "/weather",
  proxyPassUrl: "http://localhost:8000/mcp",
  tags: ["Weather", " forecast ", "weather"],
  numTools: 3,
  numStars: 4,
  isPython: true,
  license: "MIT",
  metadata: { team: "data-platform", owner: "alice@example.com", nested: { region: "us-east-1" } },
};

describe("servers through GraphQL", () => {
  it("registers a server, normalising path and tags, disabled at first", async () => {
    const { registerServer: r } = await app.gqlOk(RegisterServer, { input: { ...weather, path: "Weather/" } });
    expect(r.__typename).toBe("RegisterServerSuccess");
    if (r.__typename !== "RegisterServerSuccess") return;
    expect(r.server).toMatchObject({
      path: "/weather",
      name: "Weather Service",
      tags: ["weather", "forecast"],
      numTools: 3,
      numStars: 4,
      isPython: true,
      license: "MIT",
      enabled: false,
      transport: "AUTO",
      health: "DISABLED",
      healthStatus: "disabled",
      status: "ACTIVE",
      isLatest: true,
      version: "1.0.0",
      metadata: weather.metadata,
    });
  });

  it("reads it back by any spelling of its path", async () => {
    for (const path of ["weather", "/weather", "/weather/", "WEATHER"]) {
      const { server } = await app.gqlOk(GetServer, { path });
      expect(server?.path, path).toBe("/weather");
      expect(server?.tools).toEqual([]);
    }
    const missing = await app.gqlOk(GetServer, { path: "/nope" });
    expect(missing.server).toBeNull();
  });

  it("refuses a second server at the same path with a conflict", async () => {
    const { registerServer: r } = await app.gqlOk(RegisterServer, { input: { ...weather, path: "/weather/" } });
    expect(r.__typename).toBe("ConflictError");
    if (r.__typename === "ConflictError") expect(r.field).toBe("path");
  });

  it("updates only the fields sent and keeps the discovered tools", async () => {
    const before = await app.gqlOk(GetServer, { path: "/weather" });
    await seedTools(app, "/weather", [{ name: "get_forecast", description: "Forecast for a city" }]);
    const { updateServer: u } = await app.gqlOk(UpdateServer, {
      path: "weather",
      input: { name: "Weather API", numStars: 5, tags: ["api"] },
    });
    expect(u.__typename).toBe("UpdateServerSuccess");
    if (u.__typename !== "UpdateServerSuccess") return;
    expect(u.server).toMatchObject({
      name: "Weather API",
      numStars: 5,
      tags: ["api"],
      description: weather.description,
      proxyPassUrl: weather.proxyPassUrl,
      license: "MIT",
    });
    expect(u.server.tools.map((t) => t.name)).toEqual(["get_forecast"]);
    expect(Date.parse(u.server.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.server!.updatedAt));
  });

  it("reports not-found for updates, toggles and deletes of unknown paths", async () => {
    const u = await app.gqlOk(UpdateServer, { path: "/ghost", input: { name: "x" } });
    expect(u.updateServer.__typename).toBe("NotFoundError");
    const t = await app.gqlOk(ToggleServer, { path: "/ghost", enabled: true });
    expect(t.toggleServer.__typename).toBe("NotFoundError");
    const d = await app.gqlOk(DeleteServer, { path: "/ghost" });
    expect(d.deleteServer.__typename).toBe("NotFoundError");
  });

  it("toggles a server on and off", async () => {
    const on = await app.gqlOk(ToggleServer, { path: "/weather", enabled: true });
    expect(on.toggleServer).toMatchObject({ server: { enabled: true, health: "UNKNOWN", healthStatus: "unknown" } });
    const off = await app.gqlOk(ToggleServer, { path: "/weather", enabled: false });
    expect(off.toggleServer).toMatchObject({ server: { enabled: false, health: "DISABLED" } });
  });

  it("moves a server to a free path, and refuses a taken one", async () => {
    await app.gqlOk(RegisterServer, { input: { ...weather, name: "Other", path: "/other" } });
    const taken = await app.gqlOk(UpdateServer, { path: "/other", input: { path: "/weather" } });
    expect(taken.updateServer.__typename).toBe("ConflictError");
    const moved = await app.gqlOk(UpdateServer, { path: "/other", input: { path: "/team/other" } });
    expect(moved.updateServer).toMatchObject({ server: { path: "/team/other" } });
    expect((await app.gqlOk(GetServer, { path: "/other" })).server).toBeNull();
  });

  it("resolves servers and tools by node id", async () => {
    const { server } = await app.gqlOk(GetServer, { path: "/weather" });
    const node = await app.gqlOk(GetNode, { id: server!.id });
    expect(node.node).toMatchObject({ __typename: "Server", path: "/weather" });
    const tools = await app.gqlOk(ListTools, { serverPath: "/weather" });
    const toolId = tools.tools.edges[0]!.node.id;
    expect((await app.gqlOk(GetNode, { id: toolId })).node).toMatchObject({ __typename: "Tool", name: "get_forecast" });
  });

  it("lists tools of one server or of all, with search", async () => {
    await seedTools(app, "/team/other", [
      { name: "lookup", description: "Looks things up" },
      { name: "forecast_archive", description: "Old data" },
    ]);
    const all = await app.gqlOk(ListTools, {});
    expect(all.tools.totalCount).toBe(3);
    const one = await app.gqlOk(ListTools, { serverPath: "team/other/" });
    expect(one.tools.edges.map((e) => e.node.name).sort()).toEqual(["forecast_archive", "lookup"]);
    const found = await app.gqlOk(ListTools, { search: "FORECAST" });
    expect(found.tools.edges.map((e) => e.node.name).sort()).toEqual(["forecast_archive", "get_forecast"]);
    const paged = await app.gqlOk(ListTools, { first: 2 });
    expect(paged.tools.edges).toHaveLength(2);
    const rest = await app.gqlOk(ListTools, { first: 2, after: paged.tools.pageInfo.endCursor });
    expect(rest.tools.edges).toHaveLength(1);
  });

  it("deletes a server with its tools", async () => {
    const d = await app.gqlOk(DeleteServer, { path: "/team/other" });
    expect(d.deleteServer).toMatchObject({ __typename: "DeleteServerSuccess", server: { path: "/team/other" } });
    expect((await app.gqlOk(GetServer, { path: "/team/other" })).server).toBeNull();
    expect(await app.db.prisma.tool.count({ where: { name: "lookup" } })).toBe(0);
    expect((await app.gqlOk(ListTools, {})).tools.totalCount).toBe(1);
  });
});

describe("listing and searching servers", () => {
  beforeAll(async () => {
    const input = (i: number) => ({
      name: `Service ${String(i).padStart(2, "0")}`,
      path: `/list/s${String(i).padStart(2, "0")}`,
      proxyPassUrl: `http://127.0.0.1:${40000 + i}/mcp`,
      description: i === 5 ? "An odd service at 100% uptime" : i % 2 === 0 ? "An even service" : "An odd service",
      tags: i % 3 === 0 ? ["triple", "list"] : ["list"],
      metadata: i === 7 ? { compliance_level: "PCI-DSS", owners: ["Zelda@example.com"] } : {},
    });
    for (let i = 1; i <= 12; i += 1) await app.gqlOk(RegisterServer, { input: input(i) });
    await app.gqlOk(ToggleServer, { path: "/list/s01", enabled: true });
    await app.gqlOk(ToggleServer, { path: "/list/s02", enabled: true });
    await app.db.prisma.server.update({ where: { path: "/list/s02" }, data: { healthStatus: "HEALTHY" } });
  });

  const paths = (r: { servers: { edges: { node: { path: string } }[] } }) => r.servers.edges.map((e) => e.node.path);

  it.each([
    ["name", "service 07", ["/list/s07"]],
    ["description", "EVEN SERVICE", ["/list/s02", "/list/s04", "/list/s06", "/list/s08", "/list/s10", "/list/s12"]],
    ["path", "list/s1", ["/list/s10", "/list/s11", "/list/s12"]],
    ["tag", "tripl", ["/list/s03", "/list/s06", "/list/s09", "/list/s12"]],
    ["metadata value", "pci-dss", ["/list/s07"]],
    ["nested metadata value", "zelda@", ["/list/s07"]],
    ["a literal %", "100%", ["/list/s05"]],
    ["a literal _ (not a LIKE wildcard)", "_", []],
  ])("search matches %s case-insensitively", async (_what, search, expected) => {
    const r = await app.gqlOk(ListServers, { first: 100, filter: { search } });
    expect(paths(r)).toEqual(expected);
    expect(r.servers.totalCount).toBe(expected.length);
  });

  it("filters by tags, enabled and health", async () => {
    const tagged = await app.gqlOk(ListServers, { first: 100, filter: { tags: ["TRIPLE", "list"] } });
    expect(tagged.servers.totalCount).toBe(4);
    const enabled = await app.gqlOk(ListServers, { first: 100, filter: { enabled: true, search: "list/" } });
    expect(paths(enabled)).toEqual(["/list/s01", "/list/s02"]);
    const healthy = await app.gqlOk(ListServers, { first: 100, filter: { health: ["HEALTHY"] } });
    expect(paths(healthy)).toEqual(["/list/s02"]);
    const unknownOrDisabled = await app.gqlOk(ListServers, {
      first: 100,
      filter: { health: ["UNKNOWN", "DISABLED"], search: "list/" },
    });
    expect(paths(unknownOrDisabled)).toHaveLength(11);
    expect(paths(unknownOrDisabled)).not.toContain("/list/s02");
  });

  it("pages forward and backward by path with a total count", async () => {
    const filter = { search: "/list/" };
    const first = await app.gqlOk(ListServers, { first: 5, filter });
    expect(first.servers.totalCount).toBe(12);
    expect(paths(first)).toEqual(["/list/s01", "/list/s02", "/list/s03", "/list/s04", "/list/s05"]);
    expect(first.servers.pageInfo.hasNextPage).toBe(true);
    const second = await app.gqlOk(ListServers, { first: 5, after: first.servers.pageInfo.endCursor, filter });
    expect(paths(second)).toEqual(["/list/s06", "/list/s07", "/list/s08", "/list/s09", "/list/s10"]);
    const back = await app.gqlOk(ListServers, { last: 3, before: second.servers.pageInfo.startCursor, filter });
    expect(paths(back)).toEqual(["/list/s03", "/list/s04", "/list/s05"]);
  });
});
