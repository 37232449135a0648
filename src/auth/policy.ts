// The permission model: groups map to permissions on server selectors. Pure: the
// GraphQL layer asks it questions; unit tests test it without a server.
import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Identity } from "./identity.ts";
import { normalizeGroup } from "./identity.ts";
import { likeEscape } from "../db/like.ts";

export const PERMISSIONS = [
  "list_service",
  "register_service",
  "modify_service",
  "toggle_service",
  "health_check_service",
  // Calling the server's tools (and prompts and resources) through the gateway at /{path}/mcp;
  // a rule's `tools` list limits which.
  "use_service",
  // Publishing to the official registry API (POST /v0.1/publish) under a namespace; rules
  // grant it through `namespaces`, not `servers`.
  "publish",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * A selector is `all`, an exact path (`/weather`), or a prefix ending in `*`
 * (`/weather/*`, `/team-*`), so that every selector can run as a database filter.
 */
const selector = z
  .string()
  .trim()
  .refine((s) => s === "all" || /^\/[a-z0-9_\-/]*\*?$/.test(s), {
    message: "must be `all`, a path such as /weather, or a prefix ending in * such as /weather/*",
  });
const toolSelector = z
  .string()
  .trim()
  .refine((s) => s === "all" || /^[^*\s]+\*?$/.test(s), { message: "must be `all`, a tool name, or a prefix ending in *" });

/** A registry namespace (`com.example`), `all`, or a prefix ending in `*` (`com.example.*`). */
const namespaceSelector = z
  .string()
  .trim()
  .refine((s) => s === "all" || /^[a-zA-Z0-9.-]+\*?$/.test(s), {
    message: "must be `all`, a namespace such as com.example, or a prefix ending in * such as com.example.*",
  });

const ruleSchema = z
  .strictObject({
    servers: z
      .union([selector, z.array(selector).min(1)])
      .optional()
      .transform((s) => (s === undefined ? [] : Array.isArray(s) ? s : [s])),
    /** Registry namespaces the rule's `publish` permission applies to. */
    namespaces: z
      .union([namespaceSelector, z.array(namespaceSelector).min(1)])
      .optional()
      .transform((s) => (s === undefined ? [] : Array.isArray(s) ? s : [s])),
    permissions: z
      .union([z.literal("all"), z.array(z.enum(PERMISSIONS))])
      .transform((p) => (p === "all" ? [...PERMISSIONS] : p)),
    tools: z
      .union([toolSelector, z.array(toolSelector)])
      .default("all")
      .transform((t) => (Array.isArray(t) ? t : [t])),
  })
  .refine((r) => r.servers.length > 0 || r.namespaces.length > 0, {
    message: "a rule needs `servers`, `namespaces`, or both",
  });

const rulesSchema = z.array(ruleSchema);

export type Rule = z.output<typeof ruleSchema>;
/**
 * Rules by group name. A Map, because group names come from outside (the policy, and
 * the identity provider's claims): `constructor` or `__proto__` must be names like any other.
 */
export type Policy = { groups: ReadonlyMap<string, readonly Rule[]> };

export type PolicyProblem = { field: string; message: string };

/**
 * Reads `{ groups: { <group>: [rules] } }`. The groups are walked by hand rather than by
 * z.record, which assigns keys onto a fresh object and so loses a group named `__proto__`.
 */
export function parsePolicy(document: unknown): { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] } {
  const top = z.strictObject({ groups: z.unknown().optional() }).safeParse(document);
  if (!top.success) return { ok: false, problems: top.error.issues.map((i) => problem(i.path, i.message)) };
  const raw = top.data.groups === undefined ? {} : top.data.groups;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [problem(["groups"], "must be a map of group names to lists of rules")] };
  }
  const problems: PolicyProblem[] = [];
  const groups = new Map<string, Rule[]>();
  for (const [name, value] of Object.entries(raw)) {
    const group = normalizeGroup(name);
    if (group === "") {
      problems.push(problem(["groups", name], "a group needs a name"));
      continue;
    }
    const rules = rulesSchema.safeParse(value);
    if (!rules.success) {
      problems.push(...rules.error.issues.map((i) => problem(["groups", name, ...i.path], i.message)));
      continue;
    }
    // `/team` and `team` name the same group (Keycloak's path form): their rules add up.
    groups.set(group, [...(groups.get(group) ?? []), ...rules.data]);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, policy: { groups } };
}

function problem(path: readonly PropertyKey[], message: string): PolicyProblem {
  return { field: path.map(String).join(".") || "policy", message };
}

export const EMPTY_POLICY: Policy = { groups: new Map() };

/** What one identity may do: admin, or the union of its groups' rules, cut to its scopes. */
export type Grants = {
  admin: boolean;
  rules: Rule[];
  /** Stable text naming exactly what these grants allow: callers with equal keys see the same data. */
  key: string;
};

/** The caller as every resolver sees it: an identity and what the policy grants it. */
export type Viewer = { identity: Identity; grants: Grants };

export function grantsFor(identity: Pick<Identity, "groups" | "scopes">, policy: Policy, adminGroup: string): Grants {
  const scopes = identity.scopes === null ? null : new Set(identity.scopes);
  const inAdminGroup = identity.groups.includes(normalizeGroup(adminGroup));
  const admin = inAdminGroup && (scopes === null || scopes.has("admin"));
  const rules: Rule[] = [];
  if (inAdminGroup && !admin && scopes !== null) {
    // An admin's token cut to some scopes holds those permissions everywhere.
    const permissions = PERMISSIONS.filter((p) => scopes.has(p));
    if (permissions.length > 0) rules.push({ servers: ["all"], namespaces: ["all"], permissions, tools: ["all"] });
  }
  for (const group of [...identity.groups].sort()) {
    for (const rule of policy.groups.get(group) ?? []) {
      const permissions = scopes === null ? rule.permissions : rule.permissions.filter((p) => scopes.has(p));
      if (permissions.length > 0) rules.push({ ...rule, permissions });
    }
  }
  const key = admin ? "admin" : JSON.stringify(rules);
  return { admin, rules, key };
}

/** May the caller publish (and change the status of) entries named `{namespace}/...`? */
export function canPublish(grants: Grants, namespace: string): boolean {
  if (grants.admin) return true;
  return grants.rules.some(
    (r) => r.permissions.includes("publish") && r.namespaces.some((s) => selectorMatches(s, namespace)),
  );
}

/** May the caller register servers at all (register_service on some path)? Each path is still checked with can(). */
export function canRegister(grants: Grants): boolean {
  return grants.admin || grants.rules.some((r) => r.permissions.includes("register_service"));
}

export function selectorMatches(selectorText: string, value: string): boolean {
  if (selectorText === "all") return true;
  if (selectorText.endsWith("*")) return value.startsWith(selectorText.slice(0, -1));
  return value === selectorText;
}

export function can(grants: Grants, permission: Permission, path: string): boolean {
  if (grants.admin) return true;
  return grants.rules.some((r) => r.permissions.includes(permission) && r.servers.some((s) => selectorMatches(s, path)));
}

/** May the caller call this tool of this server through the gateway? Needs use_service on the server, from a rule whose `tools` name it. */
export function canCallTool(grants: Grants, path: string, tool: string): boolean {
  return allowFor(grants, path).tool(tool);
}

/**
 * What the caller may reach on a server through the gateway: the tools the `tools` lists of
 * its use_service rules for that path name (the union over rules). The policy format names
 * only tools, so use_service on the server allows all of its prompts and resources.
 */
export function allowFor(grants: Grants, path: string): GatewayAllow {
  if (grants.admin) return ALLOW_ALL;
  const selectors = grants.rules
    .filter((r) => r.permissions.includes("use_service") && r.servers.some((s) => selectorMatches(s, path)))
    .flatMap((r) => r.tools);
  if (selectors.includes("all")) return ALLOW_ALL;
  const using = selectors.length > 0;
  return {
    all: false,
    tool: (name) => selectors.some((t) => selectorMatches(t, name)),
    prompt: () => using,
    resource: () => using,
  };
}

/** The shape of the gateway's Allow (src/gateway/target.ts), which auth may not import. */
export type GatewayAllow = {
  readonly all: boolean;
  tool(name: string): boolean;
  prompt(name: string): boolean;
  resource(uri: string): boolean;
};

const ALLOW_ALL: GatewayAllow = { all: true, tool: () => true, prompt: () => true, resource: () => true };

/**
 * The paths on which the caller holds `permission`: null for every path, else exact
 * paths and prefixes (for queries written in SQL; serversWhere is the Prisma form).
 */
export function pathSelectors(
  grants: Grants,
  permission: Permission = "list_service",
): { exact: string[]; prefixes: string[] } | null {
  if (grants.admin) return null;
  const selectors = grants.rules.filter((r) => r.permissions.includes(permission)).flatMap((r) => r.servers);
  if (selectors.includes("all")) return null;
  return {
    exact: selectors.filter((s) => !s.endsWith("*")),
    prefixes: selectors.filter((s) => s.endsWith("*")).map((s) => s.slice(0, -1)),
  };
}

/** A database filter for the servers on which the caller holds `permission` (list_service for lists). */
export function serversWhere(grants: Grants, permission: Permission = "list_service"): Prisma.ServerWhereInput {
  if (grants.admin) return {};
  const selectors = grants.rules.filter((r) => r.permissions.includes(permission)).flatMap((r) => r.servers);
  if (selectors.includes("all")) return {};
  if (selectors.length === 0) return { id: { in: [] } };
  return {
    OR: selectors.map((s) =>
      s.endsWith("*") ? { path: { startsWith: likeEscape(s.slice(0, -1)) } } : { path: s },
    ),
  };
}

/**
 * serversWhere as plain data, for statements Prisma's `where` cannot reach (the search's SQL):
 * null when every server is allowed, else exact paths and LIKE prefix patterns (escaped).
 * Both empty: nothing is allowed.
 */
export function serverPathsAllowed(grants: Grants, permission: Permission = "list_service"): { exact: string[]; prefixes: string[] } | null {
  if (grants.admin) return null;
  const selectors = grants.rules.filter((r) => r.permissions.includes(permission)).flatMap((r) => r.servers);
  if (selectors.includes("all")) return null;
  return {
    exact: selectors.filter((s) => !s.endsWith("*")),
    prefixes: selectors.filter((s) => s.endsWith("*")).map((s) => `${likeEscape(s.slice(0, -1))}%`),
  };
}

/** The scopes a caller holds, of which a registry token it asks for may carry a subset. */
export function scopesHeld(grants: Grants, identity: Pick<Identity, "scopes">): string[] {
  if (identity.scopes !== null) return identity.scopes;
  if (grants.admin) return [...PERMISSIONS, "admin"];
  return PERMISSIONS.filter((p) => grants.rules.some((r) => r.permissions.includes(p)));
}

/** Grants as data, for `viewer { permissions }`. */
export function describeGrants(
  grants: Grants,
): { servers: string[]; namespaces: string[]; permissions: Permission[]; tools: string[] }[] {
  if (grants.admin) return [{ servers: ["all"], namespaces: ["all"], permissions: [...PERMISSIONS], tools: ["all"] }];
  return grants.rules.map((r) => ({ servers: r.servers, namespaces: r.namespaces, permissions: r.permissions, tools: r.tools }));
}
