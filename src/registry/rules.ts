// The registry's rules that need no database: who may read a published entry, who may
// change an entry's status, what a status change may say, and what of a published
// `_meta` is kept. The service (service.ts) asks them; tests table them.
import { can, canPublish, type Grants } from "../auth/policy.ts";
import type { Problem } from "../errors.ts";
import type { ServerJson } from "./validate.ts";
import { STATUS_MESSAGE_MAX } from "./validate.ts";

export const STATUSES = ["ACTIVE", "DEPRECATED", "DELETED"] as const;
export type EntryStatus = (typeof STATUSES)[number];

export const PUBLISHER_META = "io.modelcontextprotocol.registry/publisher-provided";

/**
 * As the official registry does: of a published `_meta`, only the publisher-provided
 * block is kept, so that nobody can publish a registry-managed block of their own.
 */
export function keepPublisherMeta(doc: ServerJson): ServerJson {
  const meta = (doc as { _meta?: Record<string, unknown> })._meta;
  if (meta === undefined) return doc;
  const { _meta: _dropped, ...rest } = doc as ServerJson & { _meta?: unknown };
  return (Object.hasOwn(meta, PUBLISHER_META) ? { ...rest, _meta: { [PUBLISHER_META]: meta[PUBLISHER_META] } } : rest) as ServerJson;
}

/** What is wrong with a requested status change in itself (before any entry is looked at). */
export function statusChangeProblems(status: string, message: string | null): Problem[] {
  if (!(STATUSES as readonly string[]).includes(status)) return [{ field: "status", message: "is not a status" }];
  if (message !== null && [...message].length > STATUS_MESSAGE_MAX) {
    return [{ field: "statusMessage", message: `must be at most ${STATUS_MESSAGE_MAX} characters` }];
  }
  if (message !== null && status === "ACTIVE") return [{ field: "statusMessage", message: "is not allowed when the status is active" }];
  return [];
}

/** A change of one version to the status and message it already has changes nothing, and is refused. */
export function unchangedStatusProblem(
  targets: readonly { status: string; statusMessage: string | null }[],
  change: { oneVersion: boolean; status: string; statusMessage: string | null },
): Problem | null {
  if (!change.oneVersion || !targets.every((t) => t.status === change.status && t.statusMessage === change.statusMessage)) return null;
  return { field: "status", message: `no changes to apply: the status is already ${change.status.toLowerCase()}` };
}

/**
 * The namespaces whose published entries the caller may read: null for every one, else
 * exact namespaces and prefixes (`com.example.*` as `com.example.`). Read by:
 * `list_service` in a rule whose `namespaces` match; `list_service` on `servers: all`
 * (all is everything the registry lists); `publish` on the namespace (a publisher reads
 * what it may publish and change).
 */
export function publishedReadSelectors(grants: Grants): { exact: string[]; prefixes: string[] } | null {
  if (grants.admin) return null;
  const selectors: string[] = [];
  for (const rule of grants.rules) {
    const lists = rule.permissions.includes("list_service");
    if (lists && rule.servers.includes("all")) return null;
    if (lists || rule.permissions.includes("publish")) selectors.push(...rule.namespaces);
  }
  if (selectors.includes("all")) return null;
  return {
    exact: [...new Set(selectors.filter((s) => !s.endsWith("*")))],
    prefixes: [...new Set(selectors.filter((s) => s.endsWith("*")).map((s) => s.slice(0, -1)))],
  };
}

export function canReadPublished(grants: Grants, namespace: string): boolean {
  const selectors = publishedReadSelectors(grants);
  return selectors === null || selectors.exact.includes(namespace) || selectors.prefixes.some((p) => namespace.startsWith(p));
}

/**
 * May the caller change the status of these versions? A published entry's: `publish` on
 * its namespace. A gateway server's (in REGISTRY_NAMESPACE): `modify_service` on its
 * path, whatever publish grants say. The permission that is missing, or null.
 */
export function statusChangeRefusal(
  grants: Grants,
  target: { kind: "published"; namespace: string } | { kind: "gateway"; paths: readonly string[] },
): "publish" | "modify_service" | null {
  if (target.kind === "published") return canPublish(grants, target.namespace) ? null : "publish";
  return target.paths.every((p) => can(grants, "modify_service", p)) ? null : "modify_service";
}
