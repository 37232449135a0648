// Unit tests for the pure identity rules: claims, policy, throttling, redirects.
import { describe, expect, it } from "vitest";
import { groupsFromClaims, normalizeGroup, usernameFromClaims } from "../../src/auth/identity.ts";
import { LoginThrottle, MAX_USERNAME_DELAY_MS } from "../../src/auth/login-throttle.ts";
import { allowFor, can, canCallTool, canRegister, grantsFor, parsePolicy, scopesHeld, serversWhere } from "../../src/auth/policy.ts";
import { safeNext, sameSecret } from "../../src/auth/routes.ts";
import { readTokenRequest, type TokenLimits, type TokenRequest } from "../../src/auth/tokens.ts";
import { flagValue } from "../../src/config.ts";

describe("claims", () => {
  it.each([
    [{ groups: ["/mcp-registry-admin", "/team/weather", "plain"] }, "groups", ["mcp-registry-admin", "team/weather", "plain"]],
    [{ realm_access: { roles: ["weather-team", "offline_access"] } }, "realm_access.roles", ["weather-team", "offline_access"]],
    [{ groups: "a b,c" }, "groups", ["a", "b", "c"]],
    [{ groups: [1, null, "/x", "/x"] }, "groups", ["x"]],
    [{}, "groups", []],
    [{ realm_access: "nope" }, "realm_access.roles", []],
  ])("groups from %j at %s", (claims, path, expected) => {
    expect(groupsFromClaims(claims, path)).toEqual(expected);
  });

  it("names users by preferred_username, service accounts by client id", () => {
    expect(usernameFromClaims({ preferred_username: "alice", sub: "x" })).toBe("alice");
    expect(usernameFromClaims({ client_id: "mcp-gateway-m2m", sub: "x" })).toBe("mcp-gateway-m2m");
    expect(usernameFromClaims({ sub: "only-sub" })).toBe("only-sub");
  });

  it("strips Keycloak's leading slash", () => {
    expect(normalizeGroup("//a/b")).toBe("a/b");
  });
});

describe("policy", () => {
  const parsed = parsePolicy({
    groups: {
      "/weather-team": [
        { servers: ["/weather", "/weather/*"], permissions: ["list_service", "toggle_service", "use_service"], tools: ["get_*"] },
      ],
      readers: [{ servers: "all", permissions: ["list_service"] }],
    },
  });
  if (!parsed.ok) throw new Error("fixture policy must parse");
  const policy = parsed.policy;

  it.each([
    [{ groups: "not a map" }, "groups"],
    [{ groups: { g: [{ servers: "weather", permissions: ["list_service"] }] } }, "groups.g.0.servers"],
    [{ groups: { g: [{ servers: "/w", permissions: ["fly"] }] } }, "groups.g.0.permissions"],
    [{ groups: { g: [{ servers: "/w", permissions: "all", extra: 1 }] } }, "groups.g.0"],
    [{ groups: { g: [{ servers: "/w/*/x", permissions: "all" }] } }, "groups.g.0.servers"],
    [{ unknown: true }, "policy"],
  ])("refuses %j, naming %s", (document, field) => {
    const r = parsePolicy(document);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.field).toBe(field);
  });

  it("grants a group's rules, keyed by group without its leading slash", () => {
    const g = grantsFor({ groups: ["weather-team"], scopes: null }, policy, "mcp-registry-admin");
    expect(g.admin).toBe(false);
    expect(can(g, "list_service", "/weather")).toBe(true);
    expect(can(g, "toggle_service", "/weather/eu")).toBe(true);
    expect(can(g, "list_service", "/weatherman")).toBe(false);
    expect(can(g, "modify_service", "/weather")).toBe(false);
    expect(canCallTool(g, "/weather", "get_forecast")).toBe(true);
    expect(canCallTool(g, "/weather", "delete_city")).toBe(false);
    // Listing a server is not using it: the gateway needs use_service.
    const reader = grantsFor({ groups: ["readers"], scopes: null }, policy, "mcp-registry-admin");
    expect(canCallTool(reader, "/weather", "get_forecast")).toBe(false);
    const scoped = grantsFor({ groups: ["weather-team"], scopes: ["list_service"] }, policy, "mcp-registry-admin");
    expect(canCallTool(scoped, "/weather", "get_forecast")).toBe(false);
    const allow = allowFor(g, "/weather");
    expect([allow.all, allow.tool("get_x"), allow.tool("put_x"), allow.prompt("any"), allow.resource("file:///a")]).toEqual([false, true, false, true, true]);
    expect(allowFor(reader, "/weather").prompt("any")).toBe(false);
    expect(serversWhere(g)).toEqual({ OR: [{ path: "/weather" }, { path: { startsWith: "/weather/" } }] });
  });

  it("makes the admin group admin, and lists everything", () => {
    const g = grantsFor({ groups: ["mcp-registry-admin"], scopes: null }, policy, "/mcp-registry-admin");
    expect(g.admin).toBe(true);
    expect(serversWhere(g)).toEqual({});
    expect(can(g, "modify_service", "/anything")).toBe(true);
  });

  it("gives no one anything without a rule", () => {
    const g = grantsFor({ groups: ["strangers"], scopes: null }, policy, "mcp-registry-admin");
    expect(serversWhere(g)).toEqual({ id: { in: [] } });
    expect(scopesHeld(g, { scopes: null })).toEqual([]);
  });

  it("cuts a registry token's grants to its scopes; admin needs the admin scope", () => {
    const limited = grantsFor({ groups: ["weather-team"], scopes: ["list_service"] }, policy, "mcp-registry-admin");
    expect(can(limited, "list_service", "/weather")).toBe(true);
    expect(can(limited, "toggle_service", "/weather")).toBe(false);
    const adminWithoutScope = grantsFor({ groups: ["mcp-registry-admin"], scopes: ["list_service"] }, policy, "mcp-registry-admin");
    expect(adminWithoutScope.admin).toBe(false);
    expect(can(adminWithoutScope, "list_service", "/anything")).toBe(true);
    expect(can(adminWithoutScope, "modify_service", "/anything")).toBe(false);
  });

  it("keys equal grants equally, different grants differently", () => {
    const a = grantsFor({ groups: ["readers"], scopes: null }, policy, "x");
    const b = grantsFor({ groups: ["readers", "nobody"], scopes: null }, policy, "x");
    const c = grantsFor({ groups: ["weather-team"], scopes: null }, policy, "x");
    expect(a.key).toBe(b.key);
    expect(a.key).not.toBe(c.key);
  });
});

describe("group names that are Object.prototype members", () => {
  const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];

  it.each(NAMES)("grants nothing to %s when the policy does not name it", (name) => {
    const r = parsePolicy({ groups: { readers: [{ servers: "all", permissions: ["list_service"] }] } });
    if (!r.ok) throw new Error("fixture policy must parse");
    const g = grantsFor({ groups: [name], scopes: null }, r.policy, "mcp-registry-admin");
    expect(g.rules).toEqual([]);
    expect(g.admin).toBe(false);
  });

  it.each(NAMES)("keeps a group named %s (own key, as JSON.parse and YAML make it) and grants its rules", (name) => {
    const document = JSON.parse(`{"groups": {"${name}": [{"servers": "/mine", "permissions": ["toggle_service"]}]}}`) as unknown;
    const r = parsePolicy(document);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect([...r.policy.groups.keys()]).toEqual([name]);
    const g = grantsFor({ groups: [name], scopes: null }, r.policy, "mcp-registry-admin");
    expect(can(g, "toggle_service", "/mine")).toBe(true);
    expect(can(g, "toggle_service", "/other")).toBe(false);
  });

  it("adds up the rules of /team and team, which name one group", () => {
    const r = parsePolicy({
      groups: { "/team": [{ servers: "/a", permissions: ["list_service"] }], team: [{ servers: "/b", permissions: ["list_service"] }] },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.policy.groups.get("team")?.map((rule) => rule.servers)).toEqual([["/a"], ["/b"]]);
  });

  it.each([
    [{ groups: { "": [] } }, "groups."],
    [{ groups: { "/": [] } }, "groups./"],
    [{ groups: [] }, "groups"],
    [{ groups: null }, "groups"],
  ])("refuses %j, naming %s", (document, field) => {
    const r = parsePolicy(document);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.field).toBe(field);
  });
});

describe("login throttle", () => {
  it("blocks an IP after the limit, until the window passes; other addresses are not blocked", () => {
    const t = new LoginThrottle(3, 60_000);
    const now = 1_000_000;
    for (let i = 0; i < 3; i += 1) t.fail("1.1.1.1", "admin", now);
    expect(t.retryAfter("1.1.1.1", now)).toBe(60);
    expect(t.retryAfter("2.2.2.2", now)).toBe(0);
    expect(t.retryAfter("1.1.1.1", now + 60_001)).toBe(0);
  });

  it.each([
    [0, 0],
    [2, 0],
    [3, 1_000],
    [4, 2_000],
    [5, 4_000],
    [6, 8_000],
    [7, MAX_USERNAME_DELAY_MS],
    [50, MAX_USERNAME_DELAY_MS],
  ])("slows a username down after %i failures from anywhere by %i ms", (failures, delay) => {
    const t = new LoginThrottle(3, 60_000);
    const now = 1_000_000;
    for (let i = 0; i < failures; i += 1) t.fail(`10.0.0.${i}`, "Admin", now);
    expect(t.delayMs("admin", now)).toBe(delay);
    expect(t.delayMs("someone-else", now)).toBe(0);
    expect(t.delayMs("admin", now + 60_001)).toBe(0);
  });

  it("clears the address and the name on success, not the other addresses", () => {
    const t = new LoginThrottle(3, 60_000);
    const now = 1_000_000;
    for (let i = 0; i < 3; i += 1) t.fail("1.1.1.1", "admin", now);
    t.succeed("2.2.2.2", "admin");
    expect(t.delayMs("admin", now)).toBe(0);
    expect(t.retryAfter("1.1.1.1", now)).toBe(60);
  });
});

describe("sign-in helpers", () => {
  it.each([
    ["/servers?x=1", "/servers?x=1"],
    ["https://evil.example/", "/"],
    ["//evil.example/", "/"],
    ["/\\evil.example", "/"],
    [undefined, "/"],
  ])("next=%j -> %s", (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });

  it("compares secrets of different lengths without throwing", () => {
    expect(sameSecret("a", "a")).toBe(true);
    expect(sameSecret("a", "ab")).toBe(false);
  });
});

describe("the shipped example policy", () => {
  it("is valid", async () => {
    const fs = await import("node:fs/promises");
    const YAML = (await import("yaml")).default;
    const text = await fs.readFile(new URL("../../config/access-policy.example.yaml", import.meta.url), "utf8");
    const r = parsePolicy(YAML.parse(text));
    expect(r.ok).toBe(true);
    if (r.ok) expect([...r.policy.groups.keys()]).toEqual(["mcp-servers-unrestricted", "platform-readers", "weather-team"]);
  });
});

describe("token requests", () => {
  const limits: TokenLimits = { held: ["list_service", "publish"], maxTtlSeconds: 7_200, serverMaxTtlSeconds: 7_200, defaultTtlSeconds: 3_600 };
  const child: TokenLimits = { ...limits, maxTtlSeconds: 600 };
  it.each<[string, TokenRequest, TokenLimits, { field: string; message: string }[]]>([
    ["nothing asked: every held scope, the default lifetime", {}, limits, []],
    ["a held subset", { scopes: ["publish"] }, limits, []],
    ["a scope not held", { scopes: ["publish", "admin"] }, limits, [{ field: "scopes", message: "not held by you: admin" }]],
    ["only blanks", { scopes: [" ", ""] }, limits, [{ field: "scopes", message: "at least one scope is needed" }]],
    ["too short", { expiresInSeconds: 59 }, limits, [{ field: "expiresInSeconds", message: "must be from 60 to 7200" }]],
    ["too long", { expiresInSeconds: 7_201 }, limits, [{ field: "expiresInSeconds", message: "must be from 60 to 7200" }]],
    ["not whole", { expiresInSeconds: 90.5 }, limits, [{ field: "expiresInSeconds", message: "must be from 60 to 7200" }]],
    [
      "past the generating token's expiry",
      { expiresInSeconds: 601 },
      child,
      [{ field: "expiresInSeconds", message: "must be from 60 to 600 (a token may not outlive the token that generates it)" }],
    ],
    [
      "the generating token expires within a minute",
      {},
      { ...limits, maxTtlSeconds: 59 },
      [{ field: "expiresInSeconds", message: "cannot be met: the token you are using expires within a minute" }],
    ],
    ["a long description", { description: "x".repeat(201) }, limits, [{ field: "description", message: "must be at most 200 characters" }]],
    [
      "every problem at once",
      { scopes: ["admin"], expiresInSeconds: 1, description: "x".repeat(201) },
      limits,
      [
        { field: "scopes", message: "not held by you: admin" },
        { field: "expiresInSeconds", message: "must be from 60 to 7200" },
        { field: "description", message: "must be at most 200 characters" },
      ],
    ],
  ])("%s", (_name, request, l, problems) => {
    expect(readTokenRequest(request, l).problems).toEqual(problems);
  });

  it("fills in defaults: held scopes, the default lifetime cut to what is left, a trimmed description", () => {
    expect(readTokenRequest({ description: "  ci  " }, limits).grant).toEqual({ scopes: ["list_service", "publish"], ttlSeconds: 3_600, description: "ci" });
    expect(readTokenRequest({ scopes: ["publish", " publish "] }, child).grant).toEqual({ scopes: ["publish"], ttlSeconds: 600, description: "" });
  });
});

describe("canRegister", () => {
  const policy = parsePolicy({
    groups: { reg: [{ servers: ["/team/*"], permissions: ["register_service"] }], read: [{ servers: ["all"], permissions: ["list_service"] }] },
  });
  if (!policy.ok) throw new Error("policy");
  it.each([
    [["reg"], true],
    [["read"], false],
    [[], false],
    [["admins"], true],
  ])("groups %j -> %s", (groups, expected) => {
    expect(canRegister(grantsFor({ groups, scopes: null }, policy.policy, "admins"))).toBe(expected);
  });
});

describe("flags", () => {
  it.each([
    ["true", true],
    [" On ", true],
    ["1", true],
    ["YES", true],
    ["false", false],
    ["off", false],
    ["0", false],
    ["No", false],
    ["", undefined],
    ["2", undefined],
    ["truthy", undefined],
  ])("%j -> %s", (text, expected) => {
    expect(flagValue(text)).toBe(expected);
  });
});
