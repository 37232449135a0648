// The official registry API (/v0.1 and /v0) against the real server. Every 2xx answer
// is validated against the official openapi.yaml by registryCall (test/support/registry.ts).
import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PERMISSIONS } from "../../src/auth/policy.ts";
import { CURRENT_SCHEMA } from "../../src/registry/validate.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { RegisterServer } from "../support/operations.ts";
import {
  GATEWAY,
  OFFICIAL,
  registryCall,
  SHARED_SPEC_DIR,
  SPEC_DIR,
  type ServerList,
  type ServerResponse,
} from "../support/registry.ts";
import { signInAsAdmin } from "../support/session.ts";

let app: TestApp;
let aliceToken: string; // may publish under com.example, list /team/*
let readerToken: string; // may list /team/* only
let carolToken: string; // may list everything, publish nothing
let wideToken: string; // may list everything and publish in every namespace, modify nothing

const LONG = "A weather service that answers forecasts for every city on Earth, with hourly detail and alerts, for ten days ahead.";

beforeAll(async () => {
  app = await startApp();
  const problems = await app.auth.policy.update(
    {
      groups: {
        publishers: [
          { namespaces: ["com.example", "io.github.acme.*"], permissions: ["publish"] },
          { servers: ["/team/*", "/com-example/*"], permissions: ["list_service"] },
        ],
        readers: [{ servers: "/team/*", permissions: ["list_service"] }],
        everyone: [{ servers: "all", permissions: ["list_service"] }],
        wide: [{ servers: "all", namespaces: "all", permissions: ["list_service", "publish"] }],
      },
    },
    "test",
  );
  expect(problems).toEqual([]);
  aliceToken = await tokenFor(app, { subject: "alice", username: "alice", groups: ["publishers"], scopes: [...PERMISSIONS] });
  readerToken = await tokenFor(app, { subject: "rita", username: "rita", groups: ["readers"], scopes: [...PERMISSIONS] });
  carolToken = await tokenFor(app, { subject: "carol", username: "carol", groups: ["everyone"], scopes: [...PERMISSIONS] });
  wideToken = await tokenFor(app, { subject: "walt", username: "walt", groups: ["wide"], scopes: [...PERMISSIONS] });
  const servers = [
    { path: "/weather", name: "Weather", description: LONG, proxyPassUrl: "http://127.0.0.1:9/weather/mcp", transport: "STREAMABLE_HTTP" as const, tags: ["forecast", "public"] },
    { path: "/team/notes", name: "Notes", description: "Team notes", proxyPassUrl: "http://127.0.0.1:9/notes/sse", transport: "AUTO" as const },
    { path: "/team/tickets", name: "Tickets", description: "", proxyPassUrl: "http://127.0.0.1:9/tickets/sse", transport: "SSE" as const },
  ];
  for (const input of servers) await app.gqlOk(RegisterServer, { input });
});

afterAll(async () => {
  await stopApp(app);
});

const get = <T = ServerList>(p: string, token: string | undefined = app.adminToken) => registryCall<T>(app.url, "GET", p, { token });
const publish = (doc: unknown, token = app.adminToken) => registryCall<ServerResponse>(app.url, "POST", "/v0.1/publish", { token, body: doc });

describe("gateway servers as registry entries", () => {
  it("lists every gateway server as {REGISTRY_NAMESPACE}/{path} with remotes and both _meta blocks", async () => {
    const { status, body } = await get("/v0.1/servers");
    expect(status).toBe(200);
    expect(body.metadata.count).toBe(3);
    expect(body.metadata.nextCursor).toBeUndefined();
    const names = body.servers.map((s) => s.server.name);
    expect(names).toEqual(["io.mcpgateway/team.notes", "io.mcpgateway/team.tickets", "io.mcpgateway/weather"]);
    const weather = body.servers[2]!;
    // Clients are sent to the gateway, never to the upstream's own (here private) address.
    expect(weather.server.remotes).toEqual([{ type: "streamable-http", url: `${app.config.publicUrl}/weather/mcp` }]);
    expect(JSON.stringify(body)).not.toContain("127.0.0.1:9");
    expect([...(weather.server.description as string)].length).toBe(100);
    expect(weather.server.description.endsWith("…")).toBe(true);
    expect(weather.server.version).toBe("1.0.0");
    expect(weather._meta[OFFICIAL]).toMatchObject({ status: "active", isLatest: true });
    expect(Date.parse(weather._meta[OFFICIAL]!.publishedAt as string)).not.toBeNaN();
    expect(Date.parse(weather._meta[OFFICIAL]!.updatedAt as string)).not.toBeNaN();
    expect(weather._meta[GATEWAY]).toEqual({
      path: "/weather",
      enabled: false,
      healthStatus: "disabled",
      lastCheckedAt: null,
      numTools: 0,
      tags: ["forecast", "public"],
    });
    // SSE upstreams too are offered as the gateway's Streamable HTTP endpoint; an empty description falls back to the name.
    expect(body.servers[0]!.server.remotes).toEqual([{ type: "streamable-http", url: `${app.config.publicUrl}/team/notes/mcp` }]);
    expect(body.servers[1]!.server.remotes).toEqual([{ type: "streamable-http", url: `${app.config.publicUrl}/team/tickets/mcp` }]);
    expect(weather._meta[OFFICIAL]!.statusChangedAt).toBe(weather._meta[OFFICIAL]!.publishedAt);
    expect(body.servers[1]!.server.description).toBe("Tickets");
  });

  it("finds a server by its URL-encoded name, its versions, and version latest, under /v0.1 and /v0", async () => {
    for (const prefix of ["/v0.1", "/v0"]) {
      const one = await get<ServerResponse>(`${prefix}/servers/io.mcpgateway%2Fteam.notes/versions/latest`);
      expect(one.status).toBe(200);
      expect(one.body.server.name).toBe("io.mcpgateway/team.notes");
      const exact = await get<ServerResponse>(`${prefix}/servers/io.mcpgateway%2Fteam.notes/versions/1.0.0`);
      expect(exact.body).toEqual(one.body);
      const versions = await get(`${prefix}/servers/io.mcpgateway%2Fweather/versions`);
      expect(versions.body.servers.map((s) => s.server.version)).toEqual(["1.0.0"]);
      expect(versions.body.metadata.count).toBe(1);
    }
  });

  it.each([
    ["/v0.1/servers/io.mcpgateway%2Fnowhere/versions", 404],
    ["/v0.1/servers/io.mcpgateway%2Fnowhere/versions/latest", 404],
    ["/v0.1/servers/io.mcpgateway%2Fweather/versions/9.9.9", 404],
    ["/v0.1/servers/com.other%2Fweather/versions/latest", 404],
    ["/v0.1/servers?limit=0", 422],
    ["/v0.1/servers?limit=1001", 422],
    ["/v0.1/servers?limit=ten", 422],
    ["/v0.1/servers?updated_since=yesterday", 422],
    ["/v0.1/servers?updated_since=2025-08-07", 422],
    ["/v0.1/servers?include_deleted=maybe", 422],
    ["/v0.1/servers?cursor=not-a-cursor", 422],
    ["/v0.1/servers?cursor=eyJ4IjoxfQ", 422],
    ["/v0.1/servers?search=%00", 400],
    ["/v0.1/servers?search=a%01b", 400],
    ["/v0.1/servers?search=%C0%80", 400],
    ["/v0/servers?version=1%0A", 400],
    ["/v0.1/servers?unknown=%1F", 400],
    ["/v0.1/servers?updated_since=2025-08-07T13:15:04Z&include_deleted=false", 400],
  ])("GET %s answers %i with the error body", async (p, expected) => {
    const { status, body } = await get<{ error: { code: string; message: string } }>(p);
    expect(status).toBe(expected);
    expect(body.error.code).toBe(expected === 404 ? "NOT_FOUND" : expected === 422 ? "VALIDATION_ERROR" : "BAD_REQUEST");
  });

  it("an incremental sync with include_deleted=true (or left out) is answered", async () => {
    expect((await get("/v0.1/servers?updated_since=2025-08-07T13:15:04Z&include_deleted=true")).status).toBe(200);
    expect((await get("/v0.1/servers?updated_since=2025-08-07T13:15:04Z")).status).toBe(200);
  });

  it("accepts limit from 1 to 1000 and searches names case-insensitively", async () => {
    expect((await get("/v0.1/servers?limit=1")).body.servers).toHaveLength(1);
    expect((await get("/v0.1/servers?limit=1000")).body.servers).toHaveLength(3);
    const found = await get("/v0.1/servers?search=TEAM.N");
    expect(found.body.servers.map((s) => s.server.name)).toEqual(["io.mcpgateway/team.notes"]);
    const byNamespace = await get("/v0.1/servers?search=mcpgateway%2Fwea");
    expect(byNamespace.body.servers.map((s) => s.server.name)).toEqual(["io.mcpgateway/weather"]);
    expect((await get("/v0.1/servers?search=%25")).body.servers).toEqual([]);
  });
});

describe("access", () => {
  it.each([
    ["GET", "/v0.1/servers"],
    ["GET", "/v0/servers"],
    ["GET", "/v0.1/servers/io.mcpgateway%2Fweather/versions"],
    ["GET", "/v0.1/servers/io.mcpgateway%2Fweather/versions/latest"],
    ["POST", "/v0.1/publish"],
    ["PUT", "/v0.1/servers/com.example%2Fany/versions/1.0.0"],
    ["PATCH", "/v0.1/servers/io.mcpgateway%2Fweather/status"],
    ["PATCH", "/v0.1/servers/io.mcpgateway%2Fweather/versions/1.0.0/status"],
  ])("%s %s without a credential is 401", async (method, p) => {
    const res = await registryCall<{ error: { code: string } }>(app.url, method, p, method === "GET" ? {} : { body: { status: "active" } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHENTICATED");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("reads with a session cookie too", async () => {
    const cookie = await signInAsAdmin(app.url);
    const res = await registryCall<ServerList>(app.url, "GET", "/v0.1/servers", { cookie });
    expect(res.status).toBe(200);
    expect(res.body.servers).toHaveLength(3);
  });

  it("a restricted token sees only its servers, and others are not found", async () => {
    const list = await get("/v0.1/servers", readerToken);
    expect(list.body.servers.map((s) => s.server.name)).toEqual(["io.mcpgateway/team.notes", "io.mcpgateway/team.tickets"]);
    expect((await get("/v0.1/servers/io.mcpgateway%2Fweather/versions/latest", readerToken)).status).toBe(404);
    expect((await get("/v0.1/servers/io.mcpgateway%2Fweather/versions", readerToken)).status).toBe(404);
    expect((await get("/v0.1/servers/io.mcpgateway%2Fteam.notes/versions/latest", readerToken)).status).toBe(200);
  });

  it("answers CORS preflights without credentials, and sends the CORS headers on answers", async () => {
    for (const p of ["/v0.1/servers", "/v0/servers/io.mcpgateway%2Fweather/versions/latest", "/v0.1/publish"]) {
      const pre = await fetch(`${app.url}${p}`, {
        method: "OPTIONS",
        headers: { origin: "https://vscode.dev", "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get("access-control-allow-origin")).toBe("*");
      expect(pre.headers.get("access-control-allow-methods")).toBe("GET, POST, PUT, PATCH, OPTIONS");
      expect(pre.headers.get("access-control-allow-headers")).toBe("Authorization, Content-Type");
    }
    const res = await get("/v0.1/servers");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    // Other APIs are not opened to every origin.
    const other = await fetch(`${app.url}/health`);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers health, ping and version without credentials", async () => {
    for (const prefix of ["/v0.1", "/v0"]) {
      expect(await (await fetch(`${app.url}${prefix}/health`)).json()).toEqual({ status: "ok" });
      expect(await (await fetch(`${app.url}${prefix}/ping`)).json()).toEqual({ pong: true });
      const version = (await (await fetch(`${app.url}${prefix}/version`)).json()) as Record<string, unknown>;
      // The official shape, {version, git_commit, build_time}, with this product's fields beside it.
      expect(version).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), git_commit: expect.any(String), build_time: expect.any(String) });
    }
  });
});

async function examples(): Promise<{ file: string; doc: Record<string, unknown> }[]> {
  const dir = path.join(SPEC_DIR, "examples");
  const out: { file: string; doc: Record<string, unknown> }[] = [];
  for (const file of (await fs.readdir(dir)).sort()) {
    const parsed = JSON.parse(await fs.readFile(path.join(dir, file), "utf8")) as unknown;
    for (const doc of Array.isArray(parsed) ? parsed : [parsed]) out.push({ file, doc: doc as Record<string, unknown> });
  }
  return out;
}

describe("publishing", () => {
  it("the vendored spec files equal shared/spec/mcp-registry (when checked out beside the repo)", async () => {
    const shared = await fs.readdir(path.join(SHARED_SPEC_DIR, "examples")).catch(() => null);
    if (shared === null) return;
    for (const file of ["openapi.yaml", ...shared.map((f) => `examples/${f}`)]) {
      expect(await fs.readFile(path.join(SPEC_DIR, file), "utf8"), file).toBe(await fs.readFile(path.join(SHARED_SPEC_DIR, file), "utf8"));
    }
    // The schemas publishing validates against (embedded in src/registry/schemas/).
    const embedded = new URL("../../src/registry/schemas/", import.meta.url);
    const read = (file: string) => fs.readFile(new URL(file, embedded), "utf8");
    expect(await read("2025-12-11.server.schema.json")).toBe(await fs.readFile(path.join(SHARED_SPEC_DIR, "server.schema.json"), "utf8"));
    for (const file of await fs.readdir(path.join(SHARED_SPEC_DIR, "schemas-older"))) {
      expect(await read(file), file).toBe(await fs.readFile(path.join(SHARED_SPEC_DIR, "schemas-older", file), "utf8"));
    }
  });

  it("round-trips every example: published, then read back equal, with _meta added", async () => {
    const all = await examples();
    expect(all.length).toBeGreaterThanOrEqual(21);
    for (const { file, doc } of all) {
      const res = await publish(doc);
      expect(res.status, `${file}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.server).toEqual(doc);
      expect(res.body._meta[OFFICIAL]).toMatchObject({ status: "active" });
      const name = encodeURIComponent(doc.name as string);
      const back = await get<ServerResponse>(`/v0.1/servers/${name}/versions/${encodeURIComponent(doc.version as string)}`);
      expect(back.status, file).toBe(200);
      expect(back.body.server).toEqual(doc);
      expect(back.body._meta[OFFICIAL]).toEqual(res.body._meta[OFFICIAL]);
      expect(back.body._meta[GATEWAY]).toMatchObject({ published: true });
    }
    // Two versions of the airtable server (seed.json): the higher semver is latest.
    const latest = await get<ServerResponse>("/v0.1/servers/io.github.domdomegg%2Fairtable-mcp-server/versions/latest");
    expect(latest.body.server.version).toBe("1.7.3");
    const versions = await get("/v0.1/servers/io.github.domdomegg%2Fairtable-mcp-server/versions");
    expect(versions.body.servers.map((s) => [s.server.version, s._meta[OFFICIAL]!.isLatest])).toEqual([
      ["1.7.3", true],
      ["1.7.2", false],
    ]);
  });

  const valid = { $schema: "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json", name: "com.example/errors", description: "A server", version: "1.0.0" };

  it.each([
    ["a name without a slash", { ...valid, name: "com.example" }, "name"],
    ["a name with two slashes", { ...valid, name: "com.example/a/b" }, "name"],
    ["a name with a space", { ...valid, name: "com.example/my server" }, "name"],
    ["a caret range", { ...valid, version: "^1.2.3" }, "version"],
    ["a tilde range", { ...valid, version: "~1.2.3" }, "version"],
    ["a >= range", { ...valid, version: ">=1.2.3" }, "version"],
    ["an x range", { ...valid, version: "1.x" }, "version"],
    ["a star range", { ...valid, version: "1.2.*" }, "version"],
    ["a hyphen range", { ...valid, version: "1 - 2" }, "version"],
    ["the version latest", { ...valid, version: "latest" }, "version"],
    ["a 101-character description", { ...valid, description: "d".repeat(101) }, "description"],
    ["no description", { ...valid, description: undefined }, "description"],
    ["no version", { ...valid, version: undefined }, "version"],
    ["an unknown $schema", { ...valid, $schema: "https://example.com/schema.json" }, "$schema"],
    ["no $schema", { ...valid, $schema: undefined }, "$schema"],
    ["a remote without a url", { ...valid, remotes: [{ type: "sse" }] }, "remotes[0]"],
    ["a package with a bad transport", { ...valid, packages: [{ registryType: "npm", identifier: "x", transport: { type: "carrier-pigeon" } }] }, "packages[0].transport"],
  ])("refuses %s with 422 naming %s, and stores nothing", async (_what, doc, field) => {
    const res = await publish(doc);
    expect(res.status).toBe(422);
    const body = res.body as unknown as { error: { code: string; message: string } };
    expect(body.error.code).toBe("VALIDATION_ERROR");
    expect(body.error.message).toContain(`Invalid server.json: ${field}`);
    const name = (doc as { name?: string }).name ?? "";
    if (name) expect((await get(`/v0.1/servers/${encodeURIComponent(name)}/versions`)).status).toBe(404);
  });

  it("accepts a 100-character description, a non-semver version and an older schema", async () => {
    expect((await publish({ ...valid, name: "com.example/edge", description: "d".repeat(100), version: "2025-06-18" })).status).toBe(200);
    const older = { ...valid, $schema: "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json", name: "com.example/older" };
    expect((await publish(older)).status).toBe(200);
    const sept = { ...valid, $schema: "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json", name: "com.example/sept" };
    expect((await publish(sept)).status).toBe(200);
  });

  it("refuses a duplicate name and version with 400", async () => {
    const doc = { ...valid, name: "com.example/dup" };
    expect((await publish(doc)).status).toBe(200);
    const again = await publish({ ...doc, description: "Changed" });
    expect(again.status).toBe(400);
    expect((again.body as unknown as { error: { code: string } }).error.code).toBe("CONFLICT");
    const stored = await get<ServerResponse>("/v0.1/servers/com.example%2Fdup/versions/1.0.0");
    expect(stored.body.server.description).toBe("A server");
  });

  it("refuses names in the gateway's own namespace (a gateway server's, or any other) with 400", async () => {
    for (const name of ["io.mcpgateway/weather", "io.mcpgateway/not-yet-registered"]) {
      const res = await publish({ ...valid, name });
      expect(res.status).toBe(400);
      expect((res.body as unknown as { error: { message: string } }).error.message).toContain("REGISTRY_NAMESPACE");
    }
    const weather = await get("/v0.1/servers/io.mcpgateway%2Fweather/versions");
    expect(weather.body.servers).toHaveLength(1);
    expect(weather.body.servers[0]!._meta[GATEWAY]).toMatchObject({ path: "/weather" });
  });

  it("needs publish on the name's namespace: 403 otherwise", async () => {
    expect((await publish({ ...valid, name: "com.example/alice", version: "1.0.0" }, aliceToken)).status).toBe(200);
    expect((await publish({ ...valid, name: "io.github.acme.tools/alice" }, aliceToken)).status).toBe(200);
    const other = await publish({ ...valid, name: "org.other/alice" }, aliceToken);
    expect(other.status).toBe(403);
    expect((other.body as unknown as { error: { code: string } }).error.code).toBe("FORBIDDEN");
    expect((await publish({ ...valid, name: "io.github.acme/alice" }, aliceToken)).status).toBe(403);
    expect((await publish({ ...valid, name: "com.example/carol" }, carolToken)).status).toBe(403);
    // A registry token without the publish scope cannot publish, whatever its owner may do.
    const listOnly = await tokenFor(app, { subject: "alice", username: "alice", groups: ["publishers"], scopes: ["list_service"] });
    expect((await publish({ ...valid, name: "com.example/scoped" }, listOnly)).status).toBe(403);
    // What alice published is listed to her: publish on a namespace lets one read it.
    const mine = await get("/v0.1/servers?search=com.example%2Falice", aliceToken);
    expect(mine.body.servers.map((s) => s.server.name)).toEqual(["com.example/alice"]);
  });

  it("validate reports issues in the official shape, without a credential, storing nothing", async () => {
    type Issues = { valid: boolean; issues: { type: string; path: string; message: string; severity: string; reference: string }[] };
    const bad = await registryCall<Issues>(app.url, "POST", "/v0.1/validate", {
      body: { ...valid, name: "com.example/validated", version: "^1" },
    });
    expect(bad.status).toBe(200);
    expect(bad.body).toEqual({
      valid: false,
      issues: [{ type: "semantic", path: "version", message: 'version must be a specific version, not a range: "^1"', severity: "error", reference: "version-looks-like-range" }],
    });
    const good = await registryCall<Issues>(app.url, "POST", "/v0/validate", {
      body: { ...valid, name: "com.example/validated" },
    });
    expect(good.body).toEqual({ valid: true, issues: [] });
    expect(good.body.valid).toBe(true);
    expect((await get("/v0.1/servers/com.example%2Fvalidated/versions")).status).toBe(404);
  });
});

describe("latest version and status", () => {
  const doc = (name: string, version: string) => ({ $schema: CURRENT_SCHEMA, name, description: "Versions", version });
  const latestOf = async (name: string) =>
    (await get<ServerResponse>(`/v0.1/servers/${encodeURIComponent(name)}/versions/latest`)).body.server.version;

  it("semver beats non-semver; the higher semver wins; otherwise the newer publish wins", async () => {
    const n = "com.example/versions";
    await publish(doc(n, "1.0.0"));
    expect(await latestOf(n)).toBe("1.0.0");
    await publish(doc(n, "2025-06-18"));
    expect(await latestOf(n)).toBe("1.0.0");
    await publish(doc(n, "0.9.0"));
    expect(await latestOf(n)).toBe("1.0.0");
    await publish(doc(n, "1.1.0-beta.1"));
    expect(await latestOf(n)).toBe("1.1.0-beta.1");
    await publish(doc(n, "1.1.0"));
    expect(await latestOf(n)).toBe("1.1.0");
    const m = "com.example/dates";
    await publish(doc(m, "2025-01-01"));
    await publish(doc(m, "2024-01-01"));
    expect(await latestOf(m)).toBe("2024-01-01");
  });

  it("a status change sets the message, hides deleted versions and recomputes latest", async () => {
    const n = "com.example/lifecycle";
    await publish(doc(n, "1.0.0"));
    await publish(doc(n, "2.0.0"));
    const patch = (p: string, body: unknown, token = app.adminToken) => registryCall<ServerResponse>(app.url, "PATCH", p, { token, body });
    const dep = await patch("/v0.1/servers/com.example%2Flifecycle/versions/2.0.0/status", { status: "deprecated", statusMessage: "Use 3.0" });
    expect(dep.status).toBe(200);
    expect(dep.body._meta[OFFICIAL]).toMatchObject({ status: "deprecated", statusMessage: "Use 3.0", isLatest: true });
    expect(Date.parse(dep.body._meta[OFFICIAL]!.statusChangedAt as string)).not.toBeNaN();
    const again = await patch("/v0.1/servers/com.example%2Flifecycle/versions/2.0.0/status", { status: "deprecated", statusMessage: "Use 3.0" });
    expect(again.status).toBe(400);
    const del = await patch("/v0/servers/com.example%2Flifecycle/versions/2.0.0/status", { status: "deleted" });
    expect(del.body._meta[OFFICIAL]).toMatchObject({ status: "deleted", isLatest: false });
    expect(await latestOf(n)).toBe("1.0.0");
    expect((await get("/v0.1/servers/com.example%2Flifecycle/versions/2.0.0")).status).toBe(404);
    expect((await get("/v0.1/servers/com.example%2Flifecycle/versions/2.0.0?include_deleted=true")).status).toBe(200);
    const versions = await get("/v0.1/servers/com.example%2Flifecycle/versions");
    expect(versions.body.servers.map((s) => s.server.version)).toEqual(["1.0.0"]);
    const withDeleted = await get("/v0.1/servers/com.example%2Flifecycle/versions?include_deleted=true");
    expect(withDeleted.body.servers.map((s) => s.server.version)).toEqual(["2.0.0", "1.0.0"]);

    const all = await registryCall<{ updatedCount: number; servers: ServerResponse[] }>(app.url, "PATCH", "/v0.1/servers/com.example%2Flifecycle/status", {
      token: app.adminToken,
      body: { status: "active" },
    });
    expect(all.status).toBe(200);
    expect(all.body.updatedCount).toBe(2);
    expect(await latestOf(n)).toBe("2.0.0");
  });

  it.each([
    [{ status: "retired" }, 422],
    [{ status: "active", statusMessage: "no" }, 422],
    [{ status: "deprecated", statusMessage: "x".repeat(501) }, 422],
    [{}, 422],
  ])("refuses the status body %j with %i", async (body, expected) => {
    await publish(doc("com.example/status-errors", "1.0.0"));
    const res = await registryCall(app.url, "PATCH", "/v0.1/servers/com.example%2Fstatus-errors/versions/1.0.0/status", { token: app.adminToken, body });
    expect(res.status).toBe(expected);
  });

  it("status changes need publish on the namespace (or modify on the path); hidden entries are not found", async () => {
    await publish(doc("org.other/guarded", "1.0.0"));
    const p = "/v0.1/servers/org.other%2Fguarded/versions/1.0.0/status";
    expect((await registryCall(app.url, "PATCH", p, { token: carolToken, body: { status: "deprecated" } })).status).toBe(403);
    expect((await registryCall(app.url, "PATCH", p, { token: readerToken, body: { status: "deprecated" } })).status).toBe(404);
    expect((await registryCall(app.url, "PATCH", "/v0.1/servers/org.other%2Fnone/status", { token: app.adminToken, body: { status: "deprecated" } })).status).toBe(404);
    // A gateway server's status follows its path permissions (admin here).
    const gw = await registryCall<ServerResponse>(app.url, "PATCH", "/v0.1/servers/io.mcpgateway%2Fteam.tickets/versions/1.0.0/status", {
      token: app.adminToken,
      body: { status: "deprecated", statusMessage: "Moving to /team/issues" },
    });
    expect(gw.status).toBe(200);
    expect(gw.body._meta[OFFICIAL]).toMatchObject({ status: "deprecated", statusMessage: "Moving to /team/issues" });
  });
});

describe("edges found in review", () => {
  const doc = (name: string, version: string, extra: Record<string, unknown> = {}) => ({ $schema: CURRENT_SCHEMA, name, description: "Edges", version, ...extra });

  it("a publish grant on every namespace does not reach the gateway's own servers", async () => {
    const p = "/v0.1/servers/io.mcpgateway%2Fweather/versions/1.0.0/status";
    const refused = await registryCall(app.url, "PATCH", p, { token: wideToken, body: { status: "deleted" } });
    expect(refused.status).toBe(403);
    expect((await registryCall(app.url, "PATCH", "/v0.1/servers/io.mcpgateway%2Fweather/status", { token: wideToken, body: { status: "deleted" } })).status).toBe(403);
    const still = await get<ServerResponse>("/v0.1/servers/io.mcpgateway%2Fweather/versions/latest");
    expect(still.body._meta[OFFICIAL]).toMatchObject({ status: "active" });
  });

  it("refuses the gateway's namespace in any letter case", async () => {
    const res = await publish(doc("IO.MCPGateway/weather", "1.0.0"), wideToken);
    expect(res.status).toBe(400);
  });

  it("keeps only the publisher-provided block of a published _meta", async () => {
    const res = await publish(
      doc("org.meta/forged", "1.0.0", {
        _meta: {
          "io.modelcontextprotocol.registry/publisher-provided": { tool: "ci" },
          [OFFICIAL]: { status: "active", isLatest: true, publishedAt: "2000-01-01T00:00:00Z" },
          [GATEWAY]: { enabled: true },
        },
      }),
    );
    expect(res.status).toBe(200);
    const read = await get<ServerResponse>("/v0.1/servers/org.meta%2Fforged/versions/1.0.0");
    expect(read.body.server._meta).toEqual({ "io.modelcontextprotocol.registry/publisher-provided": { tool: "ci" } });
    expect(read.body._meta[OFFICIAL]?.publishedAt).not.toBe("2000-01-01T00:00:00Z");
  });

  it("publishes versions and names that differ only in punctuation or case as distinct entries", async () => {
    for (const v of ["1.0.0-rc.1", "1.0.0-rc-1", "1.0.0-RC.1"]) expect((await publish(doc("org.edge/punct", v))).status).toBe(200);
    expect((await publish(doc("org.edge/Punct", "1.0.0"))).status).toBe(200);
    expect((await publish(doc("org.edge/punct", "1.0.0"))).status).toBe(200);
    const versions = await get("/v0.1/servers/org.edge%2Fpunct/versions");
    expect(versions.body.servers.map((s) => s.server.version).sort()).toEqual(["1.0.0", "1.0.0-RC.1", "1.0.0-rc-1", "1.0.0-rc.1"]);
  });

  // A published version is no server row (issue 12): deleting it is a status change, and
  // deleteServer cannot reach it (test/registry/entries.test.ts).
  it("deleting the latest version hands latest to the next version", async () => {
    await publish(doc("org.edge/deleted", "1.0.0"));
    const two = await publish(doc("org.edge/deleted", "2.0.0"));
    expect(two.body._meta[GATEWAY]).toEqual({ published: true });
    const gone = await registryCall(app.url, "PATCH", "/v0.1/servers/org.edge%2Fdeleted/versions/2.0.0/status", { token: app.adminToken, body: { status: "deleted" } });
    expect(gone.status).toBe(200);
    const latest = await get<ServerResponse>("/v0.1/servers/org.edge%2Fdeleted/versions/latest");
    expect(latest.status).toBe(200);
    expect(latest.body.server.version).toBe("1.0.0");
    expect(latest.body._meta[OFFICIAL]).toMatchObject({ isLatest: true });
  });

  it.each([
    ["PATCH", "/v0.1/servers/io.mcpgateway%2Fweather/status", { status: "toString" }, 422],
    ["PATCH", "/v0.1/servers/io.mcpgateway%2Fweather/status", null, 400],
    ["POST", "/v0.1/publish", null, 400],
    ["POST", "/v0.1/publish", [{ name: "com.example/errors", description: "A server", version: "1.0.0" }], 400],
    ["POST", "/v0.1/validate", "text", 400],
  ] as const)("answers %s %s with body %j by %i, not 500", async (method, p, body, expected) => {
    const res = await registryCall<{ error: { code: string } }>(app.url, method, p, { token: app.adminToken, body });
    expect(res.status).toBe(expected);
    expect(res.body.error.code).toMatch(/^(VALIDATION_ERROR|BAD_REQUEST)$/);
  });
});

describe("public reads (REGISTRY_PUBLIC_READS=true)", () => {
  let open: TestApp;
  beforeAll(async () => {
    open = await startApp({ env: { REGISTRY_PUBLIC_READS: "true", REGISTRY_NAMESPACE: "com.acme.gateway" } });
    await open.gqlOk(RegisterServer, { input: { path: "/maps", name: "Maps", proxyPassUrl: "http://127.0.0.1:9/maps/mcp" } });
  });
  afterAll(async () => {
    await stopApp(open);
  });

  it("lets anonymous callers read, under the configured namespace, but not write", async () => {
    const list = await registryCall<ServerList>(open.url, "GET", "/v0.1/servers");
    expect(list.status).toBe(200);
    expect(list.body.servers.map((s) => s.server.name)).toEqual(["com.acme.gateway/maps"]);
    const one = await registryCall<ServerResponse>(open.url, "GET", "/v0/servers/com.acme.gateway%2Fmaps/versions/latest");
    expect(one.status).toBe(200);
    const write = await registryCall(open.url, "POST", "/v0.1/publish", { body: { name: "com.acme/x", description: "x", version: "1.0.0" } });
    expect(write.status).toBe(401);
  });
});
