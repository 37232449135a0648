// Registry tokens limited to some servers: what such a token may do is what its owner's
// grants (already cut to the token's scopes) allow on those paths, and nothing elsewhere.
// The intersection is computed once, where a viewer is made (viewer.ts), so every surface
// (GraphQL, REST, the gateway, sockets) sees the limited grants.
import { PERMISSIONS, selectorMatches, type Grants, type Permission, type Rule } from "./policy.ts";

/** Publishing is per registry namespace, not per server: a token limited to servers cannot publish. */
const SERVER_PERMISSIONS: readonly Permission[] = PERMISSIONS.filter((p) => p !== "publish");

/** Grants cut to the exact paths in `servers`; the grants unchanged when the token is not limited. */
export function limitToServers(grants: Grants, servers: readonly string[] | undefined): Grants {
  if (servers === undefined) return grants;
  const base: readonly Rule[] = grants.admin
    ? [{ servers: ["all"], namespaces: [], permissions: [...SERVER_PERMISSIONS], tools: ["all"] }]
    : grants.rules;
  const rules: Rule[] = [];
  for (const rule of base) {
    const paths = servers.filter((path) => rule.servers.some((s) => selectorMatches(s, path)));
    const permissions = rule.permissions.filter((p) => SERVER_PERMISSIONS.includes(p));
    if (paths.length > 0 && permissions.length > 0) rules.push({ servers: paths, namespaces: [], permissions, tools: rule.tools });
  }
  // The key format of grantsFor's non-admin grants: equal keys mean equal answers.
  return { admin: false, rules, key: JSON.stringify(rules) };
}

