// Published entries are registry entries, not gateway servers: no gateway surface lists,
// counts or changes them (GraphQL servers and serverCounts, the dashboard's queries, the
// product API's /api/server_details/all and /api/tools/all, the health feed's map), no
// server mutation reaches them by any path, and names are compared exactly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { graphql } from "../../src/generated/gql/index.ts";
import { WebCountsDocument, WebDashboardDocument } from "../../src/generated/gql/graphql.ts";
import { CURRENT_SCHEMA } from "../../src/registry/validate.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { DeleteServer, ListServers, RegisterServer, ToggleServer, UpdateServer } from "../support/operations.ts";
import { GATEWAY, OFFICIAL, registryCall, type ServerList, type ServerResponse } from "../support/registry.ts";

const RefreshServer = graphql(`
  mutation TestRefreshPublished($path: String!) {
    refreshServer(path: $path) {
      __typename
    }
  }
`);

let app: TestApp;
const auth = () => ({ authorization: `Bearer ${app.adminToken}` });

/** Where 0005-era code stored these entries (publishedPathOf), and paths their names could suggest. */
const OLD_PATHS = ["/com-example/isolated/1-0-0", "/com-example/isolated", "/com.example/isolated", "/isolated"];

const publish = (doc: Record<string, unknown>) =>
  registryCall<ServerResponse>(app.url, "POST", "/v0.1/publish", { token: app.adminToken, body: { $schema: CURRENT_SCHEMA, ...doc } });
const get = <T = ServerList>(p: string) => registryCall<T>(app.url, "GET", p, { token: app.adminToken });

beforeAll(async () => {
  // A loopback remote (which nothing may probe) needs the internal-registry setting since issue 15.
  app = await startApp({ env: { REGISTRY_ALLOW_PRIVATE_REMOTES: "true" } });
  await app.gqlOk(RegisterServer, { input: { path: "/gw", name: "Gateway server", proxyPassUrl: "http://127.0.0.1:9/gw/mcp" } });
  const published = await publish({
    name: "com.example/isolated",
    description: "Published, not registered",
    version: "1.0.0",
    remotes: [{ type: "streamable-http", url: "http://127.0.0.1:9/published/mcp" }],
  });
  expect(published.status).toBe(200);
});

afterAll(async () => {
  await stopApp(app);
});

describe("a published entry is not a gateway server", () => {
  it("is listed by /v0.1 only, with no path", async () => {
    const list = await get("/v0.1/servers");
    expect(list.body.servers.map((s) => s.server.name)).toEqual(["com.example/isolated", "io.mcpgateway/gw"]);
    expect(list.body.servers[0]!._meta[GATEWAY]).toEqual({ published: true });
  });

  it("never appears in GraphQL servers, serverCounts, or the dashboard's queries", async () => {
    const servers = await app.gqlOk(ListServers, { first: 100 });
    expect(servers.servers.totalCount).toBe(1);
    expect(servers.servers.edges.map((e) => e.node.path)).toEqual(["/gw"]);
    const dashboard = await app.gqlOk(WebDashboardDocument, { first: 100 });
    expect(dashboard.servers.totalCount).toBe(1);
    expect(dashboard.servers.edges.map((e) => e.node.path)).toEqual(["/gw"]);
    const counts = await app.gqlOk(WebCountsDocument, {});
    expect(counts.serverCounts).toEqual({ total: 1, healthy: 0, unhealthy: 0, checking: 0, unknown: 0, disabled: 1 });
    // Not found by a search for its name or description either.
    const searched = await app.gqlOk(ListServers, { first: 100, filter: { search: "isolated" } });
    expect(searched.servers.totalCount).toBe(0);
  });

  it("never appears in /api/server_details/all, /api/tools/all or the health map (HTTP and WebSocket)", async () => {
    const details = (await (await fetch(`${app.url}/api/server_details/all`, { headers: auth() })).json()) as Record<string, unknown>;
    expect(Object.keys(details)).toEqual(["/gw"]);
    const tools = (await (await fetch(`${app.url}/api/tools/all`, { headers: auth() })).json()) as { tools: { server_path: string }[]; servers: Record<string, unknown> };
    expect(tools.tools.filter((t) => t.server_path !== "/gw")).toEqual([]);
    expect(Object.keys(tools.servers).filter((p) => p !== "/gw")).toEqual([]);
    const polled = (await (await fetch(`${app.url}/ws/health_status`, { headers: auth() })).json()) as Record<string, unknown>;
    expect(Object.keys(polled)).toEqual(["/gw"]);
    const ws = new WebSocket(`${app.url.replace(/^http/, "ws")}/ws/health_status`, { headers: auth() });
    try {
      const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
        ws.once("message", (data: Buffer) => resolve(JSON.parse(data.toString("utf8")) as Record<string, unknown>));
        ws.once("error", reject);
      });
      expect(Object.keys(first)).toEqual(["/gw"]);
    } finally {
      ws.close();
    }
  });

  it("no server mutation reaches it, by any path, over GraphQL or the product API", async () => {
    const before = await get<ServerResponse>("/v0.1/servers/com.example%2Fisolated/versions/1.0.0");
    for (const path of OLD_PATHS) {
      expect((await app.gql(ToggleServer, { path, enabled: true })).data?.toggleServer.__typename, path).toBe("NotFoundError");
      expect((await app.gql(UpdateServer, { path, input: { path: "/mine" } })).data?.updateServer.__typename, path).toBe("NotFoundError");
      expect((await app.gql(RefreshServer, { path })).data?.refreshServer.__typename, path).toBe("NotFoundError");
      expect((await app.gql(DeleteServer, { path })).data?.deleteServer.__typename, path).toBe("NotFoundError");
      const form = { ...auth(), "content-type": "application/x-www-form-urlencoded" };
      expect((await fetch(`${app.url}/api/toggle${path}`, { method: "POST", headers: form, body: "enabled=on" })).status, path).toBe(404);
      expect((await fetch(`${app.url}/api/edit${path}`, { method: "POST", headers: form, body: "path=/mine" })).status, path).toBe(404);
      expect((await fetch(`${app.url}/api/refresh${path}`, { method: "POST", headers: auth() })).status, path).toBe(404);
    }
    expect((await app.gql(ListServers, { first: 100 })).data?.servers.edges.map((e) => e.node.path)).toEqual(["/gw"]);
    const after = await get<ServerResponse>("/v0.1/servers/com.example%2Fisolated/versions/1.0.0");
    expect(after.body).toEqual(before.body);
  });

  it("leaves its old synthetic path free: a gateway server registered there is another entry", async () => {
    const registered = await app.gqlOk(RegisterServer, {
      input: { path: "/com-example/isolated/1-0-0", name: "Squatter", proxyPassUrl: "http://127.0.0.1:9/s/mcp" },
    });
    expect(registered.registerServer.__typename).toBe("RegisterServerSuccess");
    try {
      const published = await get<ServerResponse>("/v0.1/servers/com.example%2Fisolated/versions/latest");
      expect(published.body.server.description).toBe("Published, not registered");
      const gateway = await get("/v0.1/servers/io.mcpgateway%2Fcom-example.isolated.1-0-0/versions");
      expect(gateway.body.servers.map((s) => s.server.title)).toEqual(["Squatter"]);
    } finally {
      await app.gqlOk(DeleteServer, { path: "/com-example/isolated/1-0-0" });
    }
  });
});

describe("names are compared exactly", () => {
  it("two names differing only in case both publish, both list, and each keeps its own versions and latest", async () => {
    const upper = await publish({ name: "org.case/Weather", description: "Upper", version: "1.0.0" });
    const lower = await publish({ name: "org.case/weather", description: "Lower", version: "1.0.0" });
    expect([upper.status, lower.status]).toEqual([200, 200]);
    expect((await publish({ name: "org.case/weather", description: "Lower two", version: "2.0.0" })).status).toBe(200);
    // The same name and version again is still refused.
    expect((await publish({ name: "org.case/Weather", description: "Again", version: "1.0.0" })).status).toBe(400);
    const listed = await get("/v0.1/servers?search=org.case");
    expect(listed.body.servers.map((s) => [s.server.name, s.server.version, s._meta[OFFICIAL]!.isLatest])).toEqual([
      ["org.case/Weather", "1.0.0", true],
      ["org.case/weather", "1.0.0", false],
      ["org.case/weather", "2.0.0", true],
    ]);
    const upperVersions = await get("/v0.1/servers/org.case%2FWeather/versions");
    expect(upperVersions.body.servers.map((s) => s.server.description)).toEqual(["Upper"]);
    const lowerLatest = await get<ServerResponse>("/v0.1/servers/org.case%2Fweather/versions/latest");
    expect(lowerLatest.body.server.description).toBe("Lower two");
  });

  it("pages through gateway servers and published entries in one order, by name then version", async () => {
    for (const v of ["1.0.0", "1.0.1", "1.0.0-rc.1"]) expect((await publish({ name: "io.mcpgateway-x/order", description: "O", version: v })).status).toBe(200);
    await app.gqlOk(RegisterServer, { input: { path: "/a/b", name: "Nested", proxyPassUrl: "http://127.0.0.1:9/ab/mcp" } });
    await app.gqlOk(RegisterServer, { input: { path: "/a-b", name: "Dashed", proxyPassUrl: "http://127.0.0.1:9/a-b/mcp" } });
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await get(`/v0.1/servers?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(page.status).toBe(200);
      walked.push(...page.body.servers.map((s) => `${s.server.name} ${s.server.version}`));
      cursor = page.body.metadata.nextCursor;
    } while (cursor);
    const all = (await get("/v0.1/servers?limit=1000")).body.servers.map((s) => `${s.server.name} ${s.server.version}`);
    expect(walked).toEqual(all);
    const bytes = (t: string) => Buffer.from(t);
    expect([...all].sort((x, y) => Buffer.compare(bytes(x.replace(" ", "\u0000")), bytes(y.replace(" ", "\u0000"))))).toEqual(all);
    expect(all).toEqual([
      "com.example/isolated 1.0.0",
      "io.mcpgateway-x/order 1.0.0",
      "io.mcpgateway-x/order 1.0.0-rc.1",
      "io.mcpgateway-x/order 1.0.1",
      "io.mcpgateway/a-b 1.0.0",
      "io.mcpgateway/a.b 1.0.0",
      "io.mcpgateway/gw 1.0.0",
      "org.case/Weather 1.0.0",
      "org.case/weather 1.0.0",
      "org.case/weather 2.0.0",
    ]);
  });
});
