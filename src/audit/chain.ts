// The audit chain's rule, with no database: a row's hash is SHA-256 over its id, the
// previous row's hash and a canonical text of its fields. The writer has PostgreSQL compute
// the same digest (sha256 over "id|prev|payload") under the head's row lock; the verifier
// recomputes it here from the stored columns.
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export type AuditFields = {
  at: Date;
  actor: string;
  actorName: string;
  authMethod: string | null;
  action: string;
  serverPath: string | null;
  tool: string | null;
  outcome: string;
  latencyMs: number | null;
  session: string | null;
  tokenHint: string | null;
  details: Record<string, unknown>;
};

/** JSON with object keys sorted at every level, so that jsonb's own key order does not matter. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The text the hash covers besides the id and the previous hash. */
export function payloadOf(f: AuditFields): string {
  return canonicalJson([
    f.at.toISOString(),
    f.actor,
    f.actorName,
    f.authMethod,
    f.action,
    f.serverPath,
    f.tool,
    f.outcome,
    f.latencyMs,
    f.session,
    f.tokenHint,
    f.details,
  ]);
}

export function hashOf(id: bigint, prevHash: string, payload: string): string {
  return createHash("sha256").update(`${id}|${prevHash}|${payload}`, "utf8").digest("hex");
}

/** At most the first 6 characters of a token id: enough to tell tokens apart in a list, useless to a thief. */
export function tokenHintOf(jti: string | undefined | null): string | null {
  return jti ? jti.slice(0, 6) : null;
}
