// publicReader(): the one policy for public and anonymous reads. It may list every
// server and nothing else, and is not dressed up as a member of the admin group.
import { describe, expect, it } from "vitest";
import { parsePolicy, PERMISSIONS, can, canCallTool, canPublish, grantsFor, pathSelectors, scopesHeld, serversWhere, type Permission } from "../../src/auth/policy.ts";
import { publicReader } from "../../src/auth/public-reader.ts";

const PATHS = ["/weather", "/weather/eu", "/finance", "/team-a/x", "/", "/constructor", "/__proto__"];
const NAMESPACES = ["com.example", "io.github.someone", "all", "constructor"];

describe("publicReader()", () => {
  const { identity, grants } = publicReader();

  it.each(PERMISSIONS.flatMap((permission) => PATHS.map((path) => [permission, path] as [Permission, string])))(
    "%s on %s: allowed only for list_service",
    (permission, path) => {
      expect(can(grants, permission, path)).toBe(permission === "list_service");
    },
  );

  it.each(NAMESPACES)("may not publish under %s", (namespace) => {
    expect(canPublish(grants, namespace)).toBe(false);
  });

  it.each([
    ["/weather", "get_forecast"],
    ["/finance", "all"],
  ])("may not call tool %s %s", (path, tool) => {
    expect(canCallTool(grants, path, tool)).toBe(false);
  });

  it("is no admin, and its list filter covers every server", () => {
    expect(grants.admin).toBe(false);
    expect(pathSelectors(grants, "list_service")).toBeNull();
    expect(serversWhere(grants, "list_service")).toEqual({});
    for (const permission of PERMISSIONS.filter((p) => p !== "list_service")) {
      expect(serversWhere(grants, permission)).toEqual({ id: { in: [] } });
    }
  });

  it("holds no scope a registry token could carry (no token issuing)", () => {
    expect(scopesHeld(grants, identity)).toEqual([]);
  });

  it("is in no group: grants recomputed from its identity allow nothing, whatever the policy says", () => {
    expect(identity.groups).toEqual([]);
    expect(identity.authMethod).toBe("public");
    const parsed = parsePolicy({ groups: { "mcp-registry-admin": [{ servers: "all", permissions: "all" }], anonymous: [{ servers: "all", permissions: "all" }] } });
    if (!parsed.ok) throw new Error("policy did not parse");
    const recomputed = grantsFor(identity, parsed.policy, "mcp-registry-admin");
    expect(recomputed.admin).toBe(false);
    expect(recomputed.rules).toEqual([]);
  });

  it("hands out a fresh copy each time: a caller that mutates one cannot widen the next", () => {
    const first = publicReader();
    first.grants.rules[0]?.permissions.push("register_service");
    first.identity.groups.push("mcp-registry-admin");
    const next = publicReader();
    expect(can(next.grants, "register_service", "/weather")).toBe(false);
    expect(next.identity.groups).toEqual([]);
  });
});
