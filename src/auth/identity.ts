// Who is calling, as every part of the product sees it, and how claims from an
// identity provider's token become one.
export type AuthMethod = "session-oidc" | "session-local" | "bearer-oidc" | "bearer-registry" | "public";

export type Identity = {
  subject: string;
  username: string;
  groups: string[];
  /**
   * Registry permissions this credential is limited to (registry-issued tokens), or
   * null when only the groups decide (sessions, provider tokens).
   */
  scopes: string[] | null;
  authMethod: AuthMethod;
  /** The OIDC provider id, for sessions and bearer tokens that came from one. */
  provider?: string;
  /** Token id of a registry-issued token. */
  jti?: string;
  /** A registry-issued token's expiry (ms since the epoch): a token it generates may not outlive it. */
  expiresAt?: number;
  /** A registry-issued token generated with another one names it; such a token may not generate more. */
  parentJti?: string;
  /** The server paths a registry-issued token is limited to (its grants are cut to them); absent: not limited. */
  servers?: string[];
};

/** Reads a claim by dotted path: `realm_access.roles` reaches into `{realm_access: {roles}}`. */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  let value: unknown = claims;
  for (const key of path.split(".")) {
    // Own keys only: a path such as `constructor` must not reach Object.prototype.
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Keycloak names groups by full path ("/team/weather"); policies name them without the leading "/". */
export function normalizeGroup(group: string): string {
  return group.trim().replace(/^\/+/, "");
}

export function groupsFromClaims(claims: Record<string, unknown>, groupsClaim: string): string[] {
  const raw = claimAt(claims, groupsClaim);
  const list = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(/[\s,]+/) : [];
  return [...new Set(list.filter((g): g is string => typeof g === "string").map(normalizeGroup).filter((g) => g !== ""))];
}

/** The name shown for a subject: the user's name, or for client-credentials tokens the client id. */
export function usernameFromClaims(claims: Record<string, unknown>): string {
  for (const key of ["preferred_username", "username", "email", "client_id", "azp", "sub"]) {
    const value = Object.hasOwn(claims, key) ? claims[key] : undefined;
    if (typeof value === "string" && value !== "") return value;
  }
  return "unknown";
}
