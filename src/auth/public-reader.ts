// Who reads on behalf of nobody: the public health feed (HEALTH_FEED_REQUIRE_AUTH=false)
// and the registry API's anonymous reads (REGISTRY_PUBLIC_READS). One explicit policy,
// rather than an identity dressed up as a member of the admin group.
import type { Identity } from "./identity.ts";
import type { Grants, Rule } from "./policy.ts";
import type { Viewer } from "./viewer.ts";

/**
 * Lists every server (and every registry namespace's entries), and nothing else: no
 * admin, no writes, no publishing, no tools to call. Its identity holds no groups and no
 * scopes, so grants recomputed from it (grantsFor) allow nothing, and it has no scope to
 * put into a registry token.
 */
const RULES: readonly Rule[] = [{ servers: ["all"], namespaces: ["all"], permissions: ["list_service"], tools: [] }];

const IDENTITY: Identity = {
  subject: "system:public-reader",
  username: "anonymous",
  groups: [],
  scopes: [],
  authMethod: "public",
};

export function publicReader(): Viewer {
  const rules = RULES.map((r) => ({ ...r, servers: [...r.servers], namespaces: [...r.namespaces], permissions: [...r.permissions], tools: [...r.tools] }));
  // The same key grantsFor would give these rules: callers with equal grants share cached answers.
  const grants: Grants = { admin: false, rules, key: JSON.stringify(rules) };
  return { identity: { ...IDENTITY, groups: [], scopes: [] }, grants };
}
