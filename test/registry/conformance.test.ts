// The publish path behaves like the official registry's, against the real server (PGlite,
// or PostgreSQL with TEST_DATABASE_URL): each rule's accepted and refused document
// (conformance-cases.ts) through POST /v0.1/publish and /v0.1/validate, remote URLs that
// belong to one name (also when a deleted version comes back), PUT editing, statuses,
// latest with build metadata, statusChangedAt, and REGISTRY_ALLOW_PRIVATE_REMOTES.
// registryCall checks every answer against the official openapi.yaml (2xx) and against
// this product's OpenAPI document (every status declared, errors in its shape).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PERMISSIONS } from "../../src/auth/policy.ts";
import { CURRENT_SCHEMA } from "../../src/registry/validate.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { RegisterServer } from "../support/operations.ts";
import { OFFICIAL, registryCall, type ServerList, type ServerResponse } from "../support/registry.ts";
import { base, ruleCases, type Doc } from "./conformance-cases.ts";

let app: TestApp;
let aliceToken: string; // may publish under com.example.alice only

type ErrorBody = { error: { code: string; message: string } };
type Issues = { valid: boolean; issues: { type: string; path: string; message: string; severity: string; reference: string }[] };

beforeAll(async () => {
  app = await startApp();
  const problems = await app.auth.policy.update(
    { groups: { alice: [{ namespaces: ["com.example.alice"], permissions: ["publish"] }, { namespaces: ["com.example.shared"], permissions: ["list_service"] }] } },
    "test",
  );
  expect(problems).toEqual([]);
  aliceToken = await tokenFor(app, { subject: "alice", username: "alice", groups: ["alice"], scopes: [...PERMISSIONS] });
});

afterAll(async () => {
  await stopApp(app);
});

const publish = <T = ServerResponse>(doc: unknown, token = app.adminToken) => registryCall<T>(app.url, "POST", "/v0.1/publish", { token, body: doc });
const get = <T = ServerResponse>(p: string) => registryCall<T>(app.url, "GET", p, { token: app.adminToken });
const enc = encodeURIComponent;
const status = (name: string, version: string | null, body: unknown) =>
  registryCall<ErrorBody & ServerResponse>(app.url, "PATCH", version ? `/v0.1/servers/${enc(name)}/versions/${enc(version)}/status` : `/v0.1/servers/${enc(name)}/status`, {
    token: app.adminToken,
    body,
  });
const put = (name: string, version: string, doc: unknown, token = app.adminToken) =>
  registryCall<ErrorBody & ServerResponse>(app.url, "PUT", `/v0.1/servers/${enc(name)}/versions/${enc(version)}`, { token, body: doc });

describe("each rule of the official publish path, through the server", () => {
  it.each(ruleCases().map((c) => [c.rule, c] as const))("%s", async (_rule, c) => {
    const refused = await publish<ErrorBody>(c.refused);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.error.code).toBe("VALIDATION_ERROR");
    expect(refused.body.error.message).toContain(c.field);
    if (c.message) expect(refused.body.error.message).toContain(c.message);
    const name = (c.refused as { name?: unknown }).name;
    if (typeof name === "string" && name.includes("/") && name.split("/").length === 2) {
      expect((await get(`/v0.1/servers/${enc(name)}/versions?include_deleted=true`)).status, "nothing stored").toBe(404);
    }
    // The public validate endpoint names the same field, in the official shape.
    const checked = await registryCall<Issues>(app.url, "POST", "/v0/validate", { body: c.refused });
    expect(checked.status).toBe(200);
    expect(checked.body.valid).toBe(false);
    expect(checked.body.issues.map((i) => i.path)).toContain(c.field);

    const accepted = await publish(c.accepted);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.server).toEqual(c.accepted);
  });
});

describe("remote URLs belong to one server name", () => {
  const withRemote = (name: string, url: string, version = "1.0.0"): Doc => ({
    $schema: CURRENT_SCHEMA,
    name,
    description: "Remote",
    version,
    remotes: [{ type: "streamable-http", url }],
  });

  it("another name cannot publish a URL in use; the same name can, and the comparison is exact", async () => {
    const url = "https://shared.example.com/mcp";
    expect((await publish(withRemote("com.example.remotes/first", url))).status).toBe(200);
    const taken = await publish<ErrorBody>(withRemote("com.example.remotes/second", url));
    expect(taken.status).toBe(400);
    expect(taken.body.error.message).toBe(`remote URL ${url} is already used by server com.example.remotes/first`);
    expect((await get("/v0.1/servers/com.example.remotes%2Fsecond/versions")).status).toBe(404);
    expect((await publish(withRemote("com.example.remotes/first", url, "1.1.0"))).status).toBe(200);
    // Exact comparison: another path, a trailing slash or another letter case is another URL.
    for (const [i, other] of ["https://shared.example.com/mcp/", "https://shared.example.com/MCP", "https://shared.example.com/mcp2"].entries()) {
      expect((await publish(withRemote(`com.example.remotes/exact-${i}`, other))).status, other).toBe(200);
    }
  });

  it("a deleted server frees its URL; bringing it back to active while another has it is refused", async () => {
    const url = "https://revived.example.com/mcp";
    expect((await publish(withRemote("com.example.remotes/old", url))).status).toBe(200);
    expect((await status("com.example.remotes/old", null, { status: "deleted" })).status).toBe(200);
    expect((await publish(withRemote("com.example.remotes/new", url))).status).toBe(200);
    for (const version of ["1.0.0", null]) {
      const back = await status("com.example.remotes/old", version, { status: "active" });
      expect(back.status).toBe(400);
      expect(back.body.error.message).toContain("is already used by server com.example.remotes/new");
    }
    const still = await get("/v0.1/servers/com.example.remotes%2Fold/versions/1.0.0?include_deleted=true");
    expect(still.body._meta[OFFICIAL]).toMatchObject({ status: "deleted" });
    // Once the other lets it go, it may come back.
    expect((await status("com.example.remotes/new", null, { status: "deleted" })).status).toBe(200);
    expect((await status("com.example.remotes/old", "1.0.0", { status: "active" })).status).toBe(200);
  });
});

describe("status codes", () => {
  it("a duplicate version is 400; a status change that changes nothing is 400; a bad status is 422", async () => {
    const doc = base();
    expect((await publish(doc)).status).toBe(200);
    const dup = await publish<ErrorBody>({ ...doc, description: "Again" });
    expect(dup.status).toBe(400);
    expect(dup.body.error.message).toContain("cannot publish duplicate version");
    const name = doc.name as string;
    const same = await status(name, "1.0.0", { status: "active" });
    expect(same.status).toBe(400);
    expect(same.body.error.message).toContain("no changes to apply");
    expect((await status(name, "1.0.0", { status: "gone" })).status).toBe(422);
    expect((await status(name, "1.0.0", { status: "active", statusMessage: "why" })).status).toBe(422);
    expect((await registryCall(app.url, "GET", "/v0.1/servers?search=%C3%28", { token: app.adminToken })).status).toBe(400);
  });
});

describe("fields like the official", () => {
  it("statusChangedAt is set at publication and moves with each status change", async () => {
    const doc = base();
    const published = await publish(doc);
    const meta = published.body._meta[OFFICIAL]!;
    expect(meta.statusChangedAt).toBe(meta.publishedAt);
    await new Promise((r) => setTimeout(r, 5));
    const changed = await status(doc.name as string, "1.0.0", { status: "deprecated", statusMessage: "Old" });
    expect(Date.parse(changed.body._meta[OFFICIAL]!.statusChangedAt as string)).toBeGreaterThan(Date.parse(meta.publishedAt as string));
  });

  it("latest ignores build metadata: 1.0.0+b2 after 1.0.0+b1 keeps the first", async () => {
    const doc = base({ version: "1.0.0+b1" });
    expect((await publish(doc)).status).toBe(200);
    const second = await publish({ ...doc, version: "1.0.0+b2" });
    expect(second.status).toBe(200);
    expect(second.body._meta[OFFICIAL]).toMatchObject({ isLatest: false });
    const latest = await get(`/v0.1/servers/${enc(doc.name as string)}/versions/latest`);
    expect(latest.body.server.version).toBe("1.0.0+b1");
    // A higher version still wins.
    expect((await publish({ ...doc, version: "1.0.1+b0" })).body._meta[OFFICIAL]).toMatchObject({ isLatest: true });
  });
});

describe("PUT /v0.1/servers/{name}/versions/{version}", () => {
  it("replaces the document, checked as a publish is, keeping name, version and publication", async () => {
    const doc = base({ name: "com.example.alice/edited" });
    const first = await publish(doc, aliceToken);
    expect(first.status).toBe(200);
    const edited = { ...doc, description: "Edited", remotes: [{ type: "sse", url: "https://edited.example.com/sse" }] };
    const res = await put("com.example.alice/edited", "1.0.0", edited, aliceToken);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.server).toEqual(edited);
    expect(res.body._meta[OFFICIAL]!.publishedAt).toBe(first.body._meta[OFFICIAL]!.publishedAt);
    expect(Date.parse(res.body._meta[OFFICIAL]!.updatedAt as string)).toBeGreaterThanOrEqual(Date.parse(first.body._meta[OFFICIAL]!.updatedAt as string));
    expect((await get("/v0/servers/com.example.alice%2Fedited/versions/1.0.0")).body.server).toEqual(edited);

    // Each refusal changes nothing.
    const refusals: [string, unknown, number, string?][] = [
      ["1.0.0", { ...edited, version: "^1" }, 422],
      ["1.0.0", { ...edited, name: "com.example.alice/renamed" }, 400, "cannot rename server"],
      ["1.0.0", { ...edited, version: "2.0.0" }, 400, "publish a new version"],
      ["9.9.9", { ...edited, version: "9.9.9" }, 404],
    ];
    for (const [version, body, expected, message] of refusals) {
      const refused = await put("com.example.alice/edited", version, body, aliceToken);
      expect(refused.status, JSON.stringify(body)).toBe(expected);
      if (message) expect(refused.body.error.message).toContain(message);
    }
    expect((await get("/v0/servers/com.example.alice%2Fedited/versions/1.0.0")).body.server).toEqual(edited);
  });

  it("needs publish on the namespace, keeps remote URLs to one name, and leaves gateway servers to the gateway's API", async () => {
    const shared = base({ name: "com.example.shared/theirs", remotes: [{ type: "streamable-http", url: "https://theirs.example.com/mcp" }] });
    expect((await publish(shared)).status).toBe(200);
    const forbidden = await put("com.example.shared/theirs", "1.0.0", { ...shared, description: "Mine now" }, aliceToken);
    expect(forbidden.status).toBe(403);
    const hidden = await put("org.hidden/theirs", "1.0.0", { ...shared, name: "org.hidden/theirs" }, aliceToken);
    expect(hidden.status).toBe(404);

    const mine = base({ name: "com.example.alice/grabby" });
    expect((await publish(mine, aliceToken)).status).toBe(200);
    const grab = await put("com.example.alice/grabby", "1.0.0", { ...mine, remotes: [{ type: "streamable-http", url: "https://theirs.example.com/mcp" }] }, aliceToken);
    expect(grab.status).toBe(400);
    expect(grab.body.error.message).toContain("already used by server com.example.shared/theirs");

    await app.gqlOk(RegisterServer, { input: { path: "/gw", name: "GW", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    const gateway = await put("io.mcpgateway/gw", "1.0.0", base({ name: "io.mcpgateway/gw" }));
    expect(gateway.status).toBe(400);
    expect(gateway.body.error.message).toContain("registered through the gateway");
    expect((await get("/v0.1/servers/com.example.shared%2Ftheirs/versions/1.0.0")).body.server).toEqual(shared);
  });
});

describe("REGISTRY_ALLOW_PRIVATE_REMOTES=true", () => {
  let internal: TestApp;
  beforeAll(async () => {
    internal = await startApp({ env: { REGISTRY_ALLOW_PRIVATE_REMOTES: "true" } });
  });
  afterAll(async () => {
    await stopApp(internal);
  });

  it("publishes http and private-network remotes, which the default refuses", async () => {
    const doc = base({ remotes: [{ type: "streamable-http", url: "http://10.20.0.5:8080/mcp" }] });
    expect((await publish<ErrorBody>(doc)).status).toBe(422);
    const res = await registryCall<ServerList & ServerResponse>(internal.url, "POST", "/v0.1/publish", { token: internal.adminToken, body: doc });
    expect(res.status).toBe(200);
    expect(res.body.server).toEqual(doc);
  });
});
