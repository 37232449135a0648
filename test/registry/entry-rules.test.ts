// The registry service's pure rules, tabled: status-change problems, the publisher's
// `_meta`, the gateway's own namespace, who reads and who changes an entry, and the
// name-to-path conditions that list gateway servers by name (checked against the name
// rule itself over many paths and texts).
import { describe, expect, it } from "vitest";
import { grantsFor, parsePolicy, type Grants } from "../../src/auth/policy.ts";
import { compareBytes, gatewayAfter, gatewayNameOf, gatewaySearch, isOwnNamespace } from "../../src/registry/names.ts";
import {
  canReadPublished,
  keepPublisherMeta,
  publishedReadSelectors,
  statusChangeProblems,
  statusChangeRefusal,
  unchangedStatusProblem,
} from "../../src/registry/rules.ts";
import type { ServerJson } from "../../src/registry/validate.ts";

const base: ServerJson = { name: "com.example/x", description: "d", version: "1.0.0" };
const PUB = "io.modelcontextprotocol.registry/publisher-provided";

describe("keepPublisherMeta", () => {
  it.each([
    ["no _meta", base, base],
    ["only the publisher block", { ...base, _meta: { [PUB]: { a: 1 } } }, { ...base, _meta: { [PUB]: { a: 1 } } }],
    ["the publisher block among others", { ...base, _meta: { [PUB]: { a: 1 }, "io.modelcontextprotocol.registry/official": { isLatest: true }, x: 2 } }, { ...base, _meta: { [PUB]: { a: 1 } } }],
    ["no publisher block", { ...base, _meta: { "io.mcpgateway/registry": { enabled: true } } }, base],
    ["an empty _meta", { ...base, _meta: {} }, base],
  ])("%s", (_what, doc, expected) => {
    expect(keepPublisherMeta(doc as ServerJson)).toEqual(expected);
  });
});

describe("statusChangeProblems", () => {
  it.each([
    ["ACTIVE", null, []],
    ["DEPRECATED", "Use 2.0", []],
    ["DELETED", "x".repeat(500), []],
    ["DELETED", "😀".repeat(500), []],
    ["DELETED", "x".repeat(501), ["statusMessage"]],
    ["ACTIVE", "no", ["statusMessage"]],
    ["ACTIVE", "", ["statusMessage"]],
    ["RETIRED", null, ["status"]],
    ["active", null, ["status"]],
  ])("%s with %j: problems at %j", (status, message, fields) => {
    expect(statusChangeProblems(status, message).map((p) => p.field)).toEqual(fields);
  });

  it.each([
    [[{ status: "DEPRECATED", statusMessage: "m" }], { oneVersion: true, status: "DEPRECATED", statusMessage: "m" }, true],
    [[{ status: "DEPRECATED", statusMessage: "m" }], { oneVersion: true, status: "DEPRECATED", statusMessage: "other" }, false],
    [[{ status: "DEPRECATED", statusMessage: "m" }], { oneVersion: true, status: "DELETED", statusMessage: "m" }, false],
    // Every version at once: repeating it is allowed (it reports what it touched).
    [[{ status: "ACTIVE", statusMessage: null }], { oneVersion: false, status: "ACTIVE", statusMessage: null }, false],
  ])("targets %j, change %j: refused as unchanged %s", (targets, change, refused) => {
    expect(unchangedStatusProblem(targets, change) !== null).toBe(refused);
  });
});

describe("the gateway's own namespace", () => {
  it.each([
    ["io.mcpgateway", true],
    ["IO.MCPGateway", true],
    ["io.mcpgateway.other", false],
    ["io.mcpgatewa", false],
  ])("%s is own: %s", (ns, own) => {
    expect(isOwnNamespace(ns, "io.mcpgateway")).toBe(own);
  });
});

describe("who reads and who changes a published entry", () => {
  const parsed = parsePolicy({
    groups: {
      publishers: [{ namespaces: ["com.example", "io.github.acme.*"], permissions: ["publish"] }],
      nsreaders: [{ namespaces: "org.read", permissions: ["list_service"] }],
      everyone: [{ servers: "all", permissions: ["list_service"] }],
      team: [{ servers: "/team/*", permissions: ["list_service", "modify_service"] }],
      allns: [{ namespaces: "all", permissions: ["list_service"] }],
      modifiers: [{ servers: "all", permissions: ["modify_service"] }],
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const grants = (group: string, scopes: string[] | null = null): Grants => grantsFor({ groups: [group], scopes }, parsed.policy, "admins");

  it.each([
    ["publishers", "com.example", true],
    ["publishers", "io.github.acme.tools", true],
    ["publishers", "io.github.acme", false],
    ["publishers", "com.example.sub", false],
    ["nsreaders", "org.read", true],
    ["nsreaders", "org.reader", false],
    ["everyone", "any.where", true],
    ["team", "com.example", false],
    ["allns", "any.where", true],
    ["modifiers", "com.example", false],
    ["admins", "any.where", true],
  ])("%s reads %s: %s", (group, ns, expected) => {
    expect(canReadPublished(grants(group), ns)).toBe(expected);
  });

  it("lists the namespaces as SQL-ready selectors, and drops them with the token's scopes", () => {
    expect(publishedReadSelectors(grants("publishers"))).toEqual({ exact: ["com.example"], prefixes: ["io.github.acme."] });
    expect(publishedReadSelectors(grants("team"))).toEqual({ exact: [], prefixes: [] });
    expect(publishedReadSelectors(grants("everyone"))).toBeNull();
    // A token cut to list_service keeps no publish, so a publisher's namespaces are not readable by it.
    expect(publishedReadSelectors(grants("publishers", ["list_service"]))).toEqual({ exact: [], prefixes: [] });
    expect(publishedReadSelectors(grants("admins", ["list_service"]))).toBeNull();
  });

  it.each([
    ["publishers", { kind: "published", namespace: "com.example" }, null],
    ["publishers", { kind: "published", namespace: "org.other" }, "publish"],
    ["everyone", { kind: "published", namespace: "com.example" }, "publish"],
    // modify_service on every path does not reach published entries, and publish does not reach gateway servers.
    ["modifiers", { kind: "published", namespace: "com.example" }, "publish"],
    ["publishers", { kind: "gateway", paths: ["/team/a"] }, "modify_service"],
    ["team", { kind: "gateway", paths: ["/team/a", "/team/b"] }, null],
    ["team", { kind: "gateway", paths: ["/team/a", "/other"] }, "modify_service"],
    ["admins", { kind: "gateway", paths: ["/x"] }, null],
  ] as const)("%s changing the status of %j: refused for want of %s", (group, target, missing) => {
    expect(statusChangeRefusal(grants(group), target)).toBe(missing);
  });
});

describe("gateway names as path conditions", () => {
  const NS = "io.mcpgateway";
  const paths = ["/a", "/a-b", "/a/b", "/a_b", "/a0", "/ab", "/b", "/team", "/team-x", "/team/notes", "/team/notes/x", "/team_y", "/weather", "/z9/z"].sort(compareBytes);

  it("byte order of paths is the byte order of their names", () => {
    const names = paths.map((p) => gatewayNameOf(NS, p));
    expect([...names].sort(compareBytes)).toEqual(names);
  });

  /** Does the condition admit this path (as the SQL in service.ts reads it)? */
  const afterAdmits = (cond: ReturnType<typeof gatewayAfter>, p: string) => cond.kind === "all" || (cond.kind === "after" && compareBytes(p, cond.path) > 0);
  const searchAdmits = (cond: ReturnType<typeof gatewaySearch>, p: string) =>
    cond.kind === "all" ||
    (cond.kind === "paths" && ((cond.inPath !== undefined && p.slice(1).includes(cond.inPath)) || (cond.pathStart !== undefined && p.startsWith(cond.pathStart))));

  const cursors = [
    ...paths.map((p) => gatewayNameOf(NS, p)),
    "com.example/x", "io.mcpgateway", "io.mcpgateway/", "io.mcpgateway.z/a", "io.mcpgateway/team.", "io.mcpgateway/team.m", "io.mcpgateway/Team", "zz/a", "io-x/a", "a/b",
  ];
  it.each(cursors)("after %s: exactly the paths whose name sorts after it", (name) => {
    const cond = gatewayAfter(NS, { name });
    for (const p of paths) {
      expect(afterAdmits(cond, p), `${p} after ${name}`).toBe(compareBytes(gatewayNameOf(NS, p), name) > 0);
    }
  });

  const searches = ["a", "A", "team.n", "TEAM.N", "mcpgateway/wea", "y/t", "/", "io.mcpgateway/", "gateway/team.notes.x", "o", ".", "-", "_", "%", "team/notes", "a/b", "x/y/z", "io.mcpgateway/a-b"];
  it.each(searches)("search %j: exactly the paths whose name holds it, in any case", (search) => {
    const cond = gatewaySearch(NS, search);
    for (const p of paths) {
      expect(searchAdmits(cond, p), `${p} for ${search}`).toBe(gatewayNameOf(NS, p).toLowerCase().includes(search.toLowerCase()));
    }
  });
});
