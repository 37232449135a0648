// The registry capability: listing entries (gateway servers, named after their paths,
// merged with published entries), publishing, and status changes. It owns the
// transactions, the per-name lock, the isLatest recompute and the announcements; the
// rules it applies are pure functions beside it (rules.ts, names.ts, latest.ts,
// validate.ts). Callers (GraphQL resolvers) parse, call, and map the result.
//
// Published entries live in `registry_entries`, gateway servers in `servers`: nothing
// published is ever listed, counted, checked or changed as a gateway server.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { appendAudit, type AuditActor } from "../audit/log.ts";
import { pathSelectors, canPublish, type Grants } from "../auth/policy.ts";
import type { ChangeFeed } from "../db/changes.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";
import type { ServerEvents } from "../servers/events.ts";
import { decodeCursor, encodeCursor, type CursorKey } from "./cursor.ts";
import { entryNameOf, type EntryRow, type GatewayEntryRow, type PublishedEntryRow } from "./entry.ts";
import { compareVersions, latestOf } from "./latest.ts";
import { compareBytes, gatewayAfter, gatewayPathOf, gatewaySearch, isOwnNamespace, splitName } from "./names.ts";
import {
  canReadPublished,
  keepPublisherMeta,
  publishedReadSelectors,
  statusChangeProblems,
  statusChangeRefusal,
  unchangedStatusProblem,
  type EntryStatus,
} from "./rules.ts";
import { validateServerJson, type Issue, type ServerJson } from "./validate.ts";

export const REGISTRY_LIMIT_MAX = 1_000;

export type RegistryDeps = {
  prisma: PrismaClient;
  /** Announces registry changes (response caches empty on them, on every replica). */
  changes: ChangeFeed;
  /** Gateway servers' lifecycle events, for a status change of a gateway server. */
  events: ServerEvents;
  log: Logger;
  /** REGISTRY_NAMESPACE: gateway servers are `{namespace}/{path}`. */
  namespace: string;
  /** REGISTRY_ALLOW_PRIVATE_REMOTES: http and private-network remotes may be published. */
  allowPrivateRemotes: boolean;
  /** Who is making the change, for the audit log. */
  actor?: AuditActor | null;
};

type Db = Prisma.TransactionClient | PrismaClient;

export type ListArgs = {
  limit: number;
  cursor: string | null;
  search: string | null;
  updatedSince: Date | null;
  /** `latest`, an exact version, or null for every version. */
  version: string | null;
  includeDeleted: boolean;
};

export type Page = { entries: EntryRow[]; nextCursor: string | null };

/**
 * Every column an entry is built from, as one JSON text per row: the embedded database
 * decodes one text column far faster than twenty typed ones (timestamps, arrays), and
 * JSON.parse does the rest.
 */
const GATEWAY_COLUMNS = Prisma.sql`json_build_object('kind', 'gateway', 'id', id, 'path', path, 'name', name,
  'description', description, 'proxyPassUrl', proxy_pass_url, 'transport', transport, 'tags', tags,
  'numTools', num_tools, 'enabled', enabled, 'healthStatus', health_status, 'healthReason', health_reason,
  'lastChecked', last_checked, 'version', version, 'status', status, 'statusMessage', status_message,
  'statusChangedAt', status_changed_at, 'publishedAt', published_at, 'isLatest', is_latest,
  'updatedAt', updated_at)::text AS entry`;

const PUBLISHED_COLUMNS = Prisma.sql`json_build_object('kind', 'published', 'id', id, 'name', name,
  'version', version, 'serverJson', server_json, 'status', status, 'statusMessage', status_message,
  'statusChangedAt', status_changed_at, 'publishedAt', published_at, 'isLatest', is_latest,
  'updatedAt', updated_at)::text AS entry`;

const asDate = (v: unknown): Date => new Date(String(v));
const asDateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : asDate(v));

function toEntry(raw: { entry: string }): EntryRow {
  const r = JSON.parse(raw.entry) as Record<string, unknown>;
  const dates = {
    statusChangedAt: asDateOrNull(r.statusChangedAt),
    publishedAt: asDate(r.publishedAt),
    updatedAt: asDate(r.updatedAt),
  };
  if (r.kind === "published") return { ...(r as unknown as PublishedEntryRow), ...dates };
  return { ...(r as unknown as GatewayEntryRow), ...dates, lastChecked: asDateOrNull(r.lastChecked) };
}

async function select(db: Db, columns: Prisma.Sql, table: "servers" | "registry_entries", where: Prisma.Sql[], tail: Prisma.Sql): Promise<EntryRow[]> {
  const from = table === "servers" ? Prisma.sql`servers` : Prisma.sql`registry_entries`;
  const rows = await db.$queryRaw<{ entry: string }[]>`
    SELECT ${columns} FROM ${from} WHERE ${where.length > 0 ? Prisma.join(where, " AND ") : Prisma.sql`true`} ${tail}`;
  return rows.map(toEntry);
}

/** SQL for "the caller may list this gateway server" (list_service on its path, as every list). */
function gatewayVisibleSql(grants: Grants): Prisma.Sql {
  const selectors = pathSelectors(grants, "list_service");
  if (selectors === null) return Prisma.sql`true`;
  const ors: Prisma.Sql[] = [];
  if (selectors.exact.length > 0) ors.push(Prisma.sql`path IN (${Prisma.join(selectors.exact)})`);
  for (const prefix of selectors.prefixes) ors.push(Prisma.sql`starts_with(path, ${prefix})`);
  return ors.length === 0 ? Prisma.sql`false` : Prisma.sql`(${Prisma.join(ors, " OR ")})`;
}

/** SQL for "the caller may read this published entry" (rules.ts publishedReadSelectors). */
function publishedVisibleSql(grants: Grants): Prisma.Sql {
  const selectors = publishedReadSelectors(grants);
  if (selectors === null) return Prisma.sql`true`;
  // A namespace holds no `/`: the name starts with `{namespace}/`, or with the prefix.
  const starts = [...selectors.exact.map((n) => `${n}/`), ...selectors.prefixes];
  if (starts.length === 0) return Prisma.sql`false`;
  return Prisma.sql`(${Prisma.join(starts.map((s) => Prisma.sql`starts_with(name, ${s})`), " OR ")})`;
}

/** The filters both tables share. */
function commonFilters(args: Pick<ListArgs, "updatedSince" | "version" | "includeDeleted">): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (args.updatedSince) where.push(Prisma.sql`updated_at > ${args.updatedSince.toISOString()}::timestamptz`);
  // The official API: deleted entries are hidden unless asked for, and always shown to incremental sync.
  if (!args.includeDeleted && !args.updatedSince) where.push(Prisma.sql`status <> 'DELETED'`);
  if (args.version === "latest") where.push(Prisma.sql`is_latest`);
  else if (args.version) where.push(Prisma.sql`version = ${args.version}`);
  return where;
}

function keyOf(row: EntryRow, namespace: string): CursorKey {
  return { name: entryNameOf(row, namespace), version: row.version };
}

function compareKeys(a: CursorKey, b: CursorKey): number {
  return compareBytes(a.name, b.name) || compareBytes(a.version, b.version);
}

async function gatewayPage(deps: RegistryDeps, grants: Grants, args: ListArgs, after: CursorKey | null, take: number): Promise<EntryRow[]> {
  const where = [gatewayVisibleSql(grants), ...commonFilters(args)];
  if (after) {
    const a = gatewayAfter(deps.namespace, after);
    if (a.kind === "none") return [];
    if (a.kind === "after") {
      where.push(Prisma.sql`path COLLATE "C" > ${a.path}`);
    }
  }
  if (args.search) {
    const s = gatewaySearch(deps.namespace, args.search);
    if (s.kind === "none") return [];
    if (s.kind === "paths") {
      const ors: Prisma.Sql[] = [];
      if (s.inPath !== undefined) ors.push(Prisma.sql`strpos(substr(path, 2), ${s.inPath}) > 0`);
      if (s.pathStart !== undefined) ors.push(Prisma.sql`starts_with(path, ${s.pathStart})`);
      where.push(Prisma.sql`(${Prisma.join(ors, " OR ")})`);
    }
  }
  // Byte order of paths is the order of the names they stand for (names.ts).
  return select(deps.prisma, GATEWAY_COLUMNS, "servers", where, Prisma.sql`ORDER BY path COLLATE "C" LIMIT ${take}`);
}

async function publishedPage(grants: Grants, db: Db, args: ListArgs, after: CursorKey | null, take: number): Promise<EntryRow[]> {
  const where = [publishedVisibleSql(grants), ...commonFilters(args)];
  // name and version are COLLATE "C" columns: the comparison and the order are byte order.
  if (after) where.push(Prisma.sql`(name, version) > (${after.name}, ${after.version})`);
  if (args.search) where.push(Prisma.sql`strpos(lower(name), ${args.search.toLowerCase()}) > 0`);
  return select(db, PUBLISHED_COLUMNS, "registry_entries", where, Prisma.sql`ORDER BY name, version LIMIT ${take}`);
}

/** Entries the caller may list, ordered by name then version, one page after the cursor. */
export async function listEntries(deps: RegistryDeps, grants: Grants, args: ListArgs): Promise<Page> {
  if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > REGISTRY_LIMIT_MAX) {
    throw new ValidationError([{ field: "limit", message: `must be between 1 and ${REGISTRY_LIMIT_MAX}` }]);
  }
  const after = args.cursor === null ? null : decodeCursor(args.cursor);
  if (args.cursor !== null && after === null) {
    throw new ValidationError([{ field: "cursor", message: "is not a cursor this registry returned" }]);
  }
  const search = args.search?.trim() || null;
  const filters = { ...args, search };
  const take = args.limit + 1;
  const [gateway, published] = await Promise.all([
    gatewayPage(deps, grants, filters, after, take),
    publishedPage(grants, deps.prisma, filters, after, take),
  ]);
  // Both lists are in key order; a gateway name and a published name are never equal
  // (nobody publishes in REGISTRY_NAMESPACE), so merging them keeps it.
  const merged: EntryRow[] = [];
  let g = 0;
  let p = 0;
  while (merged.length < take && (g < gateway.length || p < published.length)) {
    const next =
      p >= published.length ||
      (g < gateway.length && compareKeys(keyOf(gateway[g]!, deps.namespace), keyOf(published[p]!, deps.namespace)) < 0)
        ? gateway[g++]!
        : published[p++]!;
    merged.push(next);
  }
  const entries = merged.slice(0, args.limit);
  const last = entries[entries.length - 1];
  return { entries, nextCursor: merged.length > args.limit && last ? encodeCursor(keyOf(last, deps.namespace)) : null };
}

/** The versions of `name` the caller may read, newest publication first (with `version`: that one, or `latest`). */
async function versionsOf(
  deps: RegistryDeps,
  db: Db,
  grants: Grants,
  name: string,
  opts: { includeDeleted: boolean; version?: string | null; limit?: number },
): Promise<EntryRow[]> {
  const filters = commonFilters({ updatedSince: null, version: opts.version ?? null, includeDeleted: opts.includeDeleted });
  const tail = Prisma.sql`ORDER BY published_at DESC, version COLLATE "C" ${opts.limit ? Prisma.sql`LIMIT ${opts.limit}` : Prisma.empty}`;
  const path = gatewayPathOf(deps.namespace, name);
  if (path !== null) {
    return select(db, GATEWAY_COLUMNS, "servers", [gatewayVisibleSql(grants), Prisma.sql`path = ${path}`, ...filters], tail);
  }
  const parts = splitName(name);
  if (!parts || !canReadPublished(grants, parts.namespace)) return [];
  return select(db, PUBLISHED_COLUMNS, "registry_entries", [Prisma.sql`name = ${name}`, ...filters], tail);
}

export function entryVersions(deps: RegistryDeps, grants: Grants, name: string, includeDeleted: boolean): Promise<EntryRow[]> {
  return versionsOf(deps, deps.prisma, grants, name, { includeDeleted });
}

/** One version of `name` (`latest` for the latest), or null. */
export async function entryVersion(
  deps: RegistryDeps,
  grants: Grants,
  name: string,
  version: string,
  includeDeleted: boolean,
): Promise<EntryRow | null> {
  return (await versionsOf(deps, deps.prisma, grants, name, { includeDeleted, version, limit: 1 }))[0] ?? null;
}

/** Serialises writes to one name (publish, status) so that "latest" is decided on a stable set. */
async function lockName(tx: Prisma.TransactionClient, name: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${`mcp-registry:entry:${name}`}))) AS l`;
}

/** Marks the latest version of `name` (the official rules, latest.ts) and no other. */
async function recomputeLatest(tx: Prisma.TransactionClient, name: string): Promise<void> {
  const rows = await tx.registryEntry.findMany({
    where: { name },
    select: { id: true, version: true, publishedAt: true, status: true, isLatest: true },
  });
  const best = latestOf(rows);
  const stale = rows.filter((r) => r.isLatest && r.id !== best?.id).map((r) => r.id);
  if (stale.length > 0) await tx.registryEntry.updateMany({ where: { id: { in: stale } }, data: { isLatest: false } });
  if (best && !best.isLatest) await tx.registryEntry.update({ where: { id: best.id }, data: { isLatest: true } });
}

async function publishedByIds(tx: Db, ids: string[]): Promise<EntryRow[]> {
  if (ids.length === 0) return [];
  return select(tx, PUBLISHED_COLUMNS, "registry_entries", [Prisma.sql`id IN (${Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`))})`], Prisma.sql`ORDER BY published_at DESC, version COLLATE "C"`);
}

/** The exact URLs of a document's remotes, each once, in byte order (the order their locks are taken in). */
function remoteUrlsOf(doc: Record<string, unknown>): string[] {
  const remotes = Array.isArray(doc.remotes) ? (doc.remotes as unknown[]) : [];
  const urls = remotes.map((r) => (typeof r === "object" && r !== null ? (r as { url?: unknown }).url : undefined));
  return [...new Set(urls.filter((u): u is string => typeof u === "string"))].sort(compareBytes);
}

/**
 * As the official registry: a remote URL belongs to one server name. A version of
 * another name that is not deleted and lists the same URL (compared exactly) refuses it.
 * Each URL is locked for the transaction, so two names cannot claim one at once.
 */
async function claimRemoteUrls(tx: Prisma.TransactionClient, name: string, doc: Record<string, unknown>): Promise<void> {
  for (const url of remoteUrlsOf(doc)) {
    await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${`mcp-registry:remote:${url}`}))) AS l`;
    const owners = await tx.$queryRaw<{ name: string }[]>`
      SELECT r.name FROM registry_entry_remotes r JOIN registry_entries e ON e.id = r.entry_id
      WHERE r.url = ${url} AND r.name <> ${name} AND e.status <> 'DELETED'
      LIMIT 1`;
    if (owners[0]) throw new ConflictError("remotes", `remote URL ${url} is already used by server ${owners[0].name}`);
  }
}

/** Records a version's remote URLs (registry_entry_remotes), replacing what it had. */
async function recordRemoteUrls(tx: Prisma.TransactionClient, entryId: string, name: string, doc: Record<string, unknown>, replace: boolean): Promise<void> {
  if (replace) await tx.registryEntryRemote.deleteMany({ where: { entryId } });
  const urls = remoteUrlsOf(doc);
  if (urls.length > 0) await tx.registryEntryRemote.createMany({ data: urls.map((url) => ({ entryId, name, url })) });
}

/**
 * A publish's locks in one statement: the name's, then each remote URL's in byte order
 * (the order every writer takes them in, so that two publishes cannot deadlock).
 * `unnest` yields the keys in array order, and each lock is taken as its row is read.
 */
async function lockForPublish(tx: Prisma.TransactionClient, name: string, urls: string[]): Promise<void> {
  const keys = [`mcp-registry:entry:${name}`, ...urls.map((url) => `mcp-registry:remote:${url}`)];
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(k))::text AS locked FROM unnest(ARRAY[${Prisma.join(keys)}]::text[]) AS k`;
}

type PublishState = {
  taken: boolean;
  /** The current latest version, if any. */
  latest: { id: string; version: string; publishedAt: Date; status: EntryStatus } | null;
  /** Each of the URLs a live version of another name lists, with that name. */
  owners: Map<string, string>;
};

/**
 * What a publish decides on, read in one statement after the locks (so that it sees every
 * write they serialise with): whether the version exists, the current latest, and the
 * remote URLs that belong to another name (registry_entry_remotes).
 */
async function publishState(tx: Prisma.TransactionClient, name: string, version: string, urls: string[]): Promise<PublishState> {
  const owners =
    urls.length === 0
      ? Prisma.sql`NULL::text`
      : Prisma.sql`(SELECT json_agg(json_build_object('url', o.url, 'name', o.name))::text FROM (
          SELECT DISTINCT ON (r.url) r.url, r.name FROM registry_entry_remotes r JOIN registry_entries e ON e.id = r.entry_id
          WHERE r.url IN (${Prisma.join(urls)}) AND r.name <> ${name} AND e.status <> 'DELETED') AS o)`;
  const [row] = await tx.$queryRaw<{ taken: boolean; latest: string | null; owners: string | null }[]>`
    SELECT EXISTS (SELECT 1 FROM registry_entries WHERE name = ${name} AND version = ${version}) AS taken,
      (SELECT json_build_object('id', id, 'version', version, 'publishedAt', published_at, 'status', status)::text
        FROM registry_entries WHERE name = ${name} AND is_latest LIMIT 1) AS latest,
      ${owners} AS owners`;
  const latest = row?.latest ? (JSON.parse(row.latest) as { id: string; version: string; publishedAt: string; status: EntryStatus }) : null;
  const owned = row?.owners ? (JSON.parse(row.owners) as { url: string; name: string }[]) : [];
  return {
    taken: row?.taken === true,
    latest: latest ? { ...latest, publishedAt: asDate(latest.publishedAt) } : null,
    owners: new Map(owned.map((o) => [o.url, o.name])),
  };
}

/** Writes a new version in one statement: the current latest unmarked if it loses, the row, its remote URLs. */
async function insertVersion(
  tx: Prisma.TransactionClient,
  doc: ServerJson,
  opts: { now: Date; isLatest: boolean; unmark: string | null; urls: string[] },
): Promise<EntryRow> {
  const id = randomUUID();
  const now = opts.now.toISOString();
  const unmark =
    opts.unmark === null
      ? Prisma.empty
      : Prisma.sql`unmarked AS (UPDATE registry_entries SET is_latest = false, updated_at = ${now}::timestamptz WHERE id = ${opts.unmark}::uuid RETURNING id),`;
  const remotes =
    opts.urls.length === 0
      ? Prisma.empty
      : Prisma.sql`, remotes AS (INSERT INTO registry_entry_remotes (entry_id, name, url)
          SELECT created.id, created.name, u FROM created, unnest(ARRAY[${Prisma.join(opts.urls)}]::text[]) AS u RETURNING entry_id)`;
  const rows = await tx.$queryRaw<{ entry: string }[]>`
    WITH ${unmark} created AS (
      INSERT INTO registry_entries (id, name, version, server_json, status_changed_at, is_latest, published_at, updated_at)
      VALUES (${id}::uuid, ${doc.name}, ${doc.version}, ${JSON.stringify(doc)}::jsonb, ${now}::timestamptz, ${opts.isLatest}, ${now}::timestamptz, ${now}::timestamptz)
      RETURNING *)${remotes}
    SELECT ${PUBLISHED_COLUMNS} FROM created`;
  return toEntry(rows[0]!);
}

function validated(deps: RegistryDeps, document: unknown): ServerJson {
  const problems: Issue[] = validateServerJson(document, { allowPrivateRemotes: deps.allowPrivateRemotes });
  if (problems.length > 0) throw new ValidationError(problems.map(({ field, message }) => ({ field, message })));
  return keepPublisherMeta(document as ServerJson);
}

/**
 * Publishes a server.json: validated, its `_meta` cut to the publisher's block, under a
 * namespace the caller may publish in and that is not the gateway's own. A name and
 * version is published once; its remote URLs are no other name's.
 */
export async function publishEntry(deps: RegistryDeps, grants: Grants, document: unknown): Promise<EntryRow> {
  const doc = validated(deps, document);
  const { namespace } = splitName(doc.name)!;
  if (!canPublish(grants, namespace)) throw new ForbiddenError("publish", doc.name);
  // The gateway's namespace names gateway servers by path; a published entry there could
  // later collide with a server registered at that path, so it stays theirs alone.
  if (isOwnNamespace(namespace, deps.namespace)) {
    throw new ConflictError("name", `${namespace} is this gateway's own namespace (REGISTRY_NAMESPACE): its servers appear there by path`);
  }
  const taken = () => new ConflictError("version", `invalid version: cannot publish duplicate version ${doc.version} of ${doc.name}; versions cannot be changed`);
  let entry: EntryRow;
  try {
    entry = await deps.prisma.$transaction(async (tx) => {
      const urls = remoteUrlsOf(doc);
      await lockForPublish(tx, doc.name, urls);
      const state = await publishState(tx, doc.name, doc.version, urls);
      if (state.taken) throw taken();
      const owned = urls.find((url) => state.owners.has(url));
      if (owned !== undefined) throw new ConflictError("remotes", `remote URL ${owned} is already used by server ${state.owners.get(owned)}`);
      const now = new Date();
      // A deleted latest (every version deleted) gives way to a live one; otherwise the official comparison decides.
      const current = state.latest;
      const isLatest = !current || current.status === "DELETED" || compareVersions({ version: doc.version, publishedAt: now }, current) > 0;
      const row = await insertVersion(tx, doc, { now, isLatest, unmark: isLatest && current ? current.id : null, urls });
      await appendAudit(tx, deps.actor, { action: "registry.publish", details: { name: doc.name, version: doc.version } });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw taken();
    throw err;
  }
  // After the commit, so that no cache refills with what was there before.
  deps.changes.publish({ entity: "registry" });
  deps.log.info({ name: doc.name, version: doc.version }, "server published");
  return entry;
}

/**
 * Replaces the document of a published version (PUT), with the checks of a publish:
 * validated, `publish` on the namespace, remote URLs no other name's. The name and the
 * version stay (a rename or a new version is a publish); a gateway server is edited
 * through the gateway's own API.
 */
export async function editEntry(deps: RegistryDeps, grants: Grants, name: string, version: string, document: unknown): Promise<EntryRow> {
  if (gatewayPathOf(deps.namespace, name) !== null) {
    throw new ConflictError("name", `${name} is a server registered through the gateway; edit it with POST /edit/{path} or updateServer`);
  }
  const parts = splitName(name);
  if (!parts || !canReadPublished(grants, parts.namespace)) throw new NotFoundError(name, `No server ${name} ${version}`);
  const doc = validated(deps, document);
  if (doc.name !== name) throw new ConflictError("name", `cannot rename server: the document names ${doc.name}, the URL ${name}`);
  if (doc.version !== version) {
    throw new ConflictError("version", `the document's version ${doc.version} is not ${version}; publish a new version instead`);
  }
  if (!canPublish(grants, parts.namespace)) throw new ForbiddenError("publish", name);
  const entry = await deps.prisma.$transaction(async (tx) => {
    await lockName(tx, name);
    const current = await tx.registryEntry.findUnique({ where: { name_version: { name, version } }, select: { id: true, status: true } });
    if (!current) throw new NotFoundError(name, `No server ${name} ${version}`);
    if (current.status !== "DELETED") await claimRemoteUrls(tx, name, doc);
    await tx.registryEntry.update({ where: { id: current.id }, data: { serverJson: doc as Prisma.InputJsonObject } });
    await recordRemoteUrls(tx, current.id, name, doc, true);
    await appendAudit(tx, deps.actor, { action: "registry.edit", details: { name, version } });
    return (await publishedByIds(tx, [current.id]))[0]!;
  });
  deps.changes.publish({ entity: "registry" });
  deps.log.info({ name, version }, "server version edited");
  return entry;
}

export type StatusChange = { name: string; version: string | null; status: EntryStatus; statusMessage: string | null };

/** Sets the status of one version (or, without one, every version) of an entry; `latest` is recomputed. */
export async function setEntryStatus(deps: RegistryDeps, grants: Grants, change: StatusChange): Promise<EntryRow[]> {
  const problems = statusChangeProblems(change.status, change.statusMessage);
  if (problems.length > 0) throw new ValidationError(problems);
  const what = change.version ? `${change.name} ${change.version}` : change.name;
  const notFound = () => new NotFoundError(change.name, `No server ${what}`);
  const data = { status: change.status, statusMessage: change.statusMessage, statusChangedAt: new Date() };
  // The version is matched exactly: `latest` names no version here.
  const targetsOf = async (tx: Db) =>
    (await versionsOf(deps, tx, grants, change.name, { includeDeleted: true })).filter((r) => change.version === null || r.version === change.version);
  const check = (targets: EntryRow[], refusal: string | null) => {
    if (refusal) throw new ForbiddenError(refusal, change.name);
    const unchanged = unchangedStatusProblem(targets, { oneVersion: change.version !== null, status: change.status, statusMessage: change.statusMessage });
    if (unchanged) throw new ConflictError(unchanged.field, unchanged.message);
  };

  if (gatewayPathOf(deps.namespace, change.name) !== null) {
    const entries = await deps.prisma.$transaction(async (tx) => {
      const targets = await targetsOf(tx);
      if (targets.length === 0) throw notFound();
      const paths = targets.map((t) => (t as GatewayEntryRow).path);
      check(targets, statusChangeRefusal(grants, { kind: "gateway", paths }));
      await tx.server.updateMany({ where: { path: { in: paths } }, data });
      for (const path of paths) await appendAudit(tx, deps.actor, { action: "registry.status", serverPath: path, details: { name: change.name, version: change.version, status: change.status } });
      return targetsOf(tx);
    });
    for (const e of entries as GatewayEntryRow[]) deps.events.publish({ type: "updated", serverId: e.id, path: e.path });
    return entries;
  }

  const parts = splitName(change.name);
  if (!parts) throw notFound();
  const entries = await deps.prisma.$transaction(async (tx) => {
    // The versions are read under the name's lock, so that one published meanwhile is not left out.
    await lockName(tx, change.name);
    const targets = await targetsOf(tx);
    if (targets.length === 0) throw notFound();
    check(targets, statusChangeRefusal(grants, { kind: "published", namespace: parts.namespace }));
    // A deleted version brought back claims its remote URLs again (the official registry checks the same).
    if (change.status !== "DELETED") {
      for (const t of targets) if (t.status === "DELETED") await claimRemoteUrls(tx, change.name, (t as PublishedEntryRow).serverJson);
    }
    const ids = targets.map((t) => t.id);
    await tx.registryEntry.updateMany({ where: { id: { in: ids } }, data });
    await appendAudit(tx, deps.actor, { action: "registry.status", details: { name: change.name, version: change.version, status: change.status } });
    await recomputeLatest(tx, change.name);
    return publishedByIds(tx, ids);
  });
  deps.changes.publish({ entity: "registry" });
  return entries;
}

/** What publishing `document` would object to (the validate endpoint); nothing is read or stored. */
export function checkServerJson(deps: Pick<RegistryDeps, "allowPrivateRemotes">, document: unknown): Issue[] {
  return validateServerJson(document, { allowPrivateRemotes: deps.allowPrivateRemotes });
}
