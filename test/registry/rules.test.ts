// The registry's pure rules, without a server: names and paths, latest-version
// selection, version checks, cursors, descriptions, the remote URL, the publish
// permission, and the contract checker itself.
import { describe, expect, it } from "vitest";
import { canPublish, grantsFor, parsePolicy, pathSelectors, scopesHeld } from "../../src/auth/policy.ts";
import { decodeCursor, encodeCursor } from "../../src/registry/cursor.ts";
import { cutText } from "../../src/registry/entry.ts";
import { compareVersions, latestOf, versionProblem } from "../../src/registry/latest.ts";
import { gatewayNameOf, gatewayPathOf, splitName } from "../../src/registry/names.ts";
import { remoteOf } from "../../src/registry/remote.ts";
import { CURRENT_SCHEMA, validateServerJson } from "../../src/registry/validate.ts";
import { responseErrors } from "../support/openapi.ts";
import { registrySpec } from "../support/registry.ts";

describe("names and paths", () => {
  it.each([
    ["/weather", "io.mcpgateway/weather"],
    ["/team/weather", "io.mcpgateway/team.weather"],
    ["/a_b/c-d/e", "io.mcpgateway/a_b.c-d.e"],
  ])("gateway path %s is named %s, and the name leads back to the path", (p, name) => {
    expect(gatewayNameOf("io.mcpgateway", p)).toBe(name);
    expect(gatewayPathOf("io.mcpgateway", name)).toBe(p);
  });

  it.each([["com.other/weather"], ["io.mcpgateway/Weather"], ["io.mcpgateway/a..b"], ["io.mcpgateway"]])(
    "%s is not a gateway name",
    (name) => {
      expect(gatewayPathOf("io.mcpgateway", name)).toBeNull();
    },
  );

  it("splits a name at its one slash", () => {
    expect(splitName("io.github.acme/weather")).toEqual({ namespace: "io.github.acme", server: "weather" });
    expect(splitName("a/b/c")).toBeNull();
    expect(splitName("nos-slash")).toBeNull();
  });

});

describe("latest version (official rules)", () => {
  const at = (version: string, minute: number, status = "ACTIVE") => ({ version, publishedAt: new Date(Date.UTC(2025, 0, 1, 0, minute)), status });

  it.each([
    [[at("1.0.0", 1), at("2.0.0", 2)], "2.0.0", "the higher semver"],
    [[at("2.0.0", 1), at("1.0.0", 2)], "2.0.0", "the higher semver, though published earlier"],
    [[at("1.0.0", 1), at("2025-06-18", 2)], "1.0.0", "semver over a later non-semver"],
    [[at("2025-06-18", 1), at("0.0.1", 2)], "0.0.1", "semver over an earlier non-semver"],
    [[at("2025.06.18", 1), at("v2", 2)], "v2", "the newer of two non-semver"],
    [[at("v9.0.0", 2), at("1.0.0", 1)], "1.0.0", "a v-prefixed version is not semver"],
    [[at("1.2.3", 1), at("1.2.3-1", 2)], "1.2.3", "a release over its later prerelease"],
    [[at("1.0.0+b1", 1), at("1.0.0+b2", 2)], "1.0.0+b1", "equal precedence (build metadata only): the first published stays"],
    [[at("1.0.0+b2", 2), at("1.0.0+b1", 1)], "1.0.0+b1", "equal precedence, in any order"],
    [[at("1.0.0", 1), at("2.0.0", 2, "DELETED")], "1.0.0", "never a deleted version while others live"],
    [[at("1.0.0", 1, "DELETED"), at("2.0.0", 2, "DELETED")], "2.0.0", "the best of all when every one is deleted"],
    [[at("1.0.0", 1, "DEPRECATED"), at("0.9.0", 2)], "1.0.0", "deprecated versions still count"],
  ])("%j → %s (%s)", (rows, expected) => {
    expect(latestOf(rows)?.version).toBe(expected);
  });

  it("is undefined for no versions, and compareVersions is antisymmetric", () => {
    expect(latestOf([])).toBeUndefined();
    const a = at("1.0.0", 1);
    const b = at("abc", 2);
    expect(Math.sign(compareVersions(a, b))).toBe(-Math.sign(compareVersions(b, a)));
  });

  it.each([
    ["1.0.0", null],
    ["2.1.3-alpha", null],
    ["2025.11.25", null],
    ["2025.06.18", null],
    ["2025-06-18", null],
    ["v1.0", null],
    ["^1.2.3", "range"],
    ["~1.2.3", "range"],
    [">=1.2.3", "range"],
    ["<=1.2.3", "range"],
    [">1.2.3", "range"],
    ["<1.2.3", "range"],
    ["1.x", "range"],
    ["1.2.*", "range"],
    ["1 - 2", "range"],
    ["1.2 || 1.3", "range"],
    ["snapshot - 2025.09", null],
    ["2025.09 nightly", null],
    ["latest", "latest"],
    ["", "non-empty"],
  ])("version %j: %s", (version, problem) => {
    const found = versionProblem(version);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });
});

describe("cursors", () => {
  it("round-trip, and refuse anything this registry did not make", () => {
    const key = { name: "io.mcpgateway/team.weather", version: "1.0.0" };
    const c = encodeCursor(key);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(c).not.toContain("weather");
    expect(decodeCursor(c)).toEqual(key);
    const json = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    for (const bad of ["", "!!", "eyJ4IjoxfQ", Buffer.from('{"p":"no-slash"}').toString("base64url"), Buffer.from("[]").toString("base64url"), "a".repeat(900),
      json({ p: "/team/weather" }), json({ n: "a/b" }), json({ n: "a/b", v: 1 }), json({ n: "", v: "1" }), json({ n: "a/b\u0000", v: "1" })]) {
      expect(decodeCursor(bad), bad).toBeNull();
    }
  });
});

describe("descriptions and remotes", () => {
  it("cuts text to the limit in characters, ending in an ellipsis", () => {
    expect(cutText("short", 100)).toBe("short");
    expect(cutText("x".repeat(100), 100)).toBe("x".repeat(100));
    const cut = cutText("é".repeat(150), 100);
    expect([...cut]).toHaveLength(100);
    expect(cut.endsWith("…")).toBe(true);
    expect([...cutText("😀".repeat(120), 100)]).toHaveLength(100);
  });

  it.each([
    [{ path: "/weather", proxyPassUrl: "http://10.0.0.5/mcp", transport: "STREAMABLE_HTTP" }, "https://gw.example.com/weather/mcp"],
    [{ path: "/team/notes", proxyPassUrl: "http://10.0.0.5/sse", transport: "SSE" }, "https://gw.example.com/team/notes/mcp"],
  ])("the remote of %j is the gateway's Streamable HTTP URL %s, never the upstream's", (server, url) => {
    const remote = remoteOf(server, "https://gw.example.com/");
    expect(remote).toEqual({ type: "streamable-http", url });
    expect(JSON.stringify(remote)).not.toContain("10.0.0.5");
  });
});

describe("server.json validation", () => {
  it("picks the schema by $schema, and refuses an unknown one or none", () => {
    const doc = { $schema: CURRENT_SCHEMA, name: "com.example/xy", description: "d", version: "1.0.0" };
    expect(validateServerJson(doc)).toEqual([]);
    const { $schema: _none, ...unnamed } = doc;
    expect(validateServerJson(unnamed)).toMatchObject([{ field: "$schema", message: expect.stringContaining("$schema field is required") }]);
    for (const date of ["2025-07-09", "2025-09-16", "2025-09-29", "2025-10-11", "2025-10-17", "2025-12-11"]) {
      expect(validateServerJson({ ...doc, $schema: `https://static.modelcontextprotocol.io/schemas/${date}/server.schema.json` }), date).toEqual([]);
    }
    expect(validateServerJson({ ...doc, $schema: "https://static.modelcontextprotocol.io/schemas/2099-01-01/server.schema.json" })[0]?.field).toBe("$schema");
    // A field the 2025-12-11 schema knows but types differently is reported at its path.
    expect(validateServerJson({ ...doc, websiteUrl: 42 })).toMatchObject([{ type: "schema", field: "websiteUrl", message: "must be string" }]);
  });

  it("names every problem at once", () => {
    const problems = validateServerJson({ $schema: CURRENT_SCHEMA, name: "bad", version: "^1", description: "d".repeat(101) });
    expect(problems.map((p) => p.field).sort()).toEqual(["description", "name", "version"]);
  });
});

describe("the publish permission", () => {
  const parsed = parsePolicy({
    groups: {
      acme: [
        { namespaces: ["com.acme", "io.github.acme.*"], permissions: ["publish"] },
        { servers: "/com-acme/*", permissions: ["list_service"] },
      ],
      readers: [{ servers: "all", permissions: "all" }],
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const policy = parsed.policy;

  it("is granted on namespaces: exact, or a prefix ending in *", () => {
    const g = grantsFor({ groups: ["acme"], scopes: null }, policy, "admins");
    expect(canPublish(g, "com.acme")).toBe(true);
    expect(canPublish(g, "io.github.acme.tools")).toBe(true);
    expect(canPublish(g, "io.github.acme")).toBe(false);
    expect(canPublish(g, "com.acme.evil")).toBe(false);
    expect(canPublish(g, "com.other")).toBe(false);
    expect(pathSelectors(g)).toEqual({ exact: [], prefixes: ["/com-acme/"] });
  });

  it("is not granted by `servers` rules, even with permissions: all", () => {
    const g = grantsFor({ groups: ["readers"], scopes: null }, policy, "admins");
    expect(canPublish(g, "com.acme")).toBe(false);
    expect(pathSelectors(g)).toBeNull();
  });

  it("belongs to admins, and to an admin's token only with the publish (or admin) scope", () => {
    expect(canPublish(grantsFor({ groups: ["admins"], scopes: null }, policy, "admins"), "any.where")).toBe(true);
    expect(canPublish(grantsFor({ groups: ["admins"], scopes: ["publish"] }, policy, "admins"), "any.where")).toBe(true);
    expect(canPublish(grantsFor({ groups: ["admins"], scopes: ["list_service"] }, policy, "admins"), "any.where")).toBe(false);
    expect(canPublish(grantsFor({ groups: ["acme"], scopes: ["list_service"] }, policy, "admins"), "com.acme")).toBe(false);
    expect(scopesHeld(grantsFor({ groups: ["acme"], scopes: null }, policy, "admins"), { scopes: null })).toEqual(["list_service", "publish"]);
  });

  it.each([
    [{ groups: { g: [{ permissions: ["publish"] }] } }, "groups.g.0"],
    [{ groups: { g: [{ namespaces: ["com example"], permissions: ["publish"] }] } }, "groups.g.0.namespaces.0"],
    [{ groups: { g: [{ namespaces: "com.acme/x", permissions: ["publish"] }] } }, "groups.g.0.namespaces"],
    [{ groups: { g: [{ namespaces: [], permissions: ["publish"] }] } }, "groups.g.0.namespaces"],
  ])("a policy %j is refused at %s", (document, field) => {
    const r = parsePolicy(document);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.field).toBe(field);
  });
});

describe("the contract checker (test/support/openapi.ts)", () => {
  it("passes a conforming body and names what breaks the contract", () => {
    const good = { servers: [{ server: { name: "a.b/c", description: "d", version: "1" }, _meta: {} }], metadata: { count: 1 } };
    expect(responseErrors(registrySpec(), "get", "/v0.1/servers", 200, good)).toEqual([]);
    const bad = { servers: [{ server: { name: "a/b/c", version: "1" }, _meta: { "io.modelcontextprotocol.registry/official": { extra: 1 } } }], metadata: { nextCursor: null } };
    const errors = responseErrors(registrySpec(), "get", "/v0.1/servers", 200, bad).join("\n");
    expect(errors).toContain("description");
    expect(errors).toContain("pattern");
    expect(errors).toContain("additional properties");
    expect(errors).toContain("/metadata/nextCursor");
  });

  it("refuses to validate against a response the document does not declare", () => {
    expect(() => responseErrors(registrySpec(), "get", "/v0.1/nowhere", 200, {})).toThrow(/declares no/);
    expect(() => responseErrors(registrySpec(), "get", "/v0.1/servers", 418, {})).toThrow(/declares no/);
  });
});

describe("the REST answer cache", () => {
  it("serves what it stored until any change, refuses answers computed across a change, and bounds its bytes", async () => {
    const { ChangeFeed } = await import("../../src/db/changes.ts");
    const { AnswerCache } = await import("../../src/rest/answer-cache.ts");
    const feed = new ChangeFeed();
    const cache = new AnswerCache(feed, 60_000);
    const g = cache.begin();
    cache.set("a", Buffer.from("one"), g);
    expect(cache.get("a")?.toString()).toBe("one");
    const before = cache.begin();
    feed.publish({ entity: "server", path: "/x" });
    expect(cache.get("a")).toBeUndefined();
    cache.set("b", Buffer.from("stale"), before);
    expect(cache.get("b")).toBeUndefined();
    const page = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < 20; i += 1) cache.set(`p${i}`, page, cache.begin());
    expect(cache.size).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(cache.get("p19")).toBe(page);
    expect(cache.get("p0")).toBeUndefined();
    cache.close();
  });
});
