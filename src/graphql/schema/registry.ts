// The official MCP registry's view of the servers (served as REST under /v0.1 and /v0
// by src/rest/registry-v0.ts): entries, their versions, publishing and status changes.
//
// A published entry is a server row: registryName and version from its server.json, the
// document itself in serverJson, a path derived from name and version (names.ts), and
// `enabled` false, so the gateway never contacts it. Servers registered through the
// gateway are entries too, named `{REGISTRY_NAMESPACE}/{path}`.
//
// Who may do what: reading needs list_service on the entry's path (as every list does);
// publishing needs `publish` on the name's namespace; a status change needs `publish` on
// the namespace or modify_service on every version's path.
import { Prisma } from "../../generated/prisma/client.ts";
import { canPublish, can, pathSelectors } from "../../auth/policy.ts";
import { decodeCursor, encodeCursor } from "../../registry/cursor.ts";
import { entryNameOf, metaOf, serverJsonOf, type EntryRow } from "../../registry/entry.ts";
import { gatewayPathOf, publishedPathOf, splitName } from "../../registry/names.ts";
import { lockName, recomputeLatest } from "../../registry/versions-store.ts";
import { STATUS_MESSAGE_MAX, validateServerJson, type ServerJson } from "../../registry/validate.ts";
import { searchTextOf } from "../../servers/search.ts";
import { builder } from "../builder.ts";
import type { Context } from "../context.ts";
import { grantsOf } from "../viewer.ts";
import { ConflictError, FieldError, ForbiddenError, isUniqueViolation, NotFoundError, resultOf, ValidationError } from "./errors.ts";
import { ServerStatusEnum } from "./servers.ts";

export const REGISTRY_LIMIT_MAX = 1_000;

const RegistryEntryRef = builder.objectRef<EntryRow>("RegistryEntry").implement({
  description: "A server as the official MCP registry API shows it (one version of it).",
  fields: (t) => ({
    name: t.string({
      description: "The entry's reverse-DNS name, e.g. io.github.acme/weather.",
      resolve: (r, _a, ctx) => entryNameOf(r, ctx.config.registry.namespace),
    }),
    version: t.exposeString("version", { description: "This version's version string." }),
    path: t.exposeString("path", { description: "The server row behind the entry." }),
    status: t.field({
      type: ServerStatusEnum,
      description: "This version's status.",
      resolve: (r) => r.status as "ACTIVE" | "DEPRECATED" | "DELETED",
    }),
    isLatest: t.exposeBoolean("isLatest", { description: "Whether this is the latest version of the name." }),
    publishedAt: t.expose("publishedAt", { type: "DateTime", description: "When this version was published." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When this version last changed (its status, for instance)." }),
    server: t.field({
      type: "JSONObject",
      description: "The ServerJSON document: as published, or built from a gateway server's fields.",
      resolve: (r, _a, ctx) => serverJsonOf(r, ctx.config.registry.namespace),
    }),
    meta: t.field({
      type: "JSONObject",
      description: "The registry-managed `_meta`: the official block and this product's `io.mcpgateway/registry`.",
      resolve: (r) => metaOf(r),
    }),
  }),
});

const RegistryPage = builder
  .objectRef<{ entries: EntryRow[]; nextCursor: string | null }>("RegistryPage")
  .implement({
    description: "One page of registry entries.",
    fields: (t) => ({
      entries: t.field({ type: [RegistryEntryRef], description: "The page's entries, ordered by path.", resolve: (p) => p.entries }),
      nextCursor: t.string({ nullable: true, description: "Opaque; null on the last page.", resolve: (p) => p.nextCursor }),
    }),
  });

const ServerJsonCheck = builder
  .objectRef<{ problems: { field: string; message: string }[] }>("ServerJsonCheck")
  .implement({
    description: "What checking a server.json found.",
    fields: (t) => ({
      valid: t.boolean({ description: "True when publishing it would find no problem.", resolve: (c) => c.problems.length === 0 }),
      problems: t.field({
        type: [FieldError],
        description: "Each problem, with the JSON path of the field (e.g. `packages[0].version`).",
        resolve: (c) => c.problems,
      }),
    }),
  });

const StatusChange = builder
  .objectRef<{ entries: EntryRow[] }>("RegistryStatusChange")
  .implement({
    description: "The versions a status change touched.",
    fields: (t) => ({
      updatedCount: t.int({ description: "How many versions changed.", resolve: (c) => c.entries.length }),
      entries: t.field({ type: [RegistryEntryRef], description: "The versions, as they are now.", resolve: (c) => c.entries }),
    }),
  });

/**
 * Every column an entry is built from, as one JSON text per row: the embedded database
 * decodes one text column far faster than twenty typed ones (timestamps, arrays), and
 * JSON.parse does the rest.
 */
const ENTRY_COLUMNS = Prisma.sql`json_build_object('id', id, 'path', path, 'name', name, 'description', description,
  'proxyPassUrl', proxy_pass_url, 'transport', transport, 'tags', tags, 'numTools', num_tools, 'enabled', enabled,
  'healthStatus', health_status, 'healthReason', health_reason, 'lastChecked', last_checked,
  'registryName', registry_name, 'version', version, 'status', status, 'statusMessage', status_message,
  'statusChangedAt', status_changed_at, 'publishedAt', published_at, 'isLatest', is_latest,
  'updatedAt', updated_at, 'serverJson', server_json)::text AS entry`;

const asDate = (v: unknown): Date => new Date(String(v));
const asDateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : asDate(v));

function toEntry(raw: { entry: string }): EntryRow {
  const r = JSON.parse(raw.entry) as Record<string, unknown>;
  return {
    ...(r as unknown as EntryRow),
    lastChecked: asDateOrNull(r.lastChecked),
    statusChangedAt: asDateOrNull(r.statusChangedAt),
    publishedAt: asDate(r.publishedAt),
    updatedAt: asDate(r.updatedAt),
  };
}

/** SQL for "the viewer may list this row". */
function visibleSql(ctx: Context): Prisma.Sql {
  const selectors = pathSelectors(grantsOf(ctx), "list_service");
  if (selectors === null) return Prisma.sql`true`;
  const ors: Prisma.Sql[] = [];
  if (selectors.exact.length > 0) ors.push(Prisma.sql`path IN (${Prisma.join(selectors.exact)})`);
  for (const prefix of selectors.prefixes) ors.push(Prisma.sql`starts_with(path, ${prefix})`);
  return ors.length === 0 ? Prisma.sql`false` : Prisma.sql`(${Prisma.join(ors, " OR ")})`;
}

/** SQL for "this row is the entry named `name`". */
function namedSql(ctx: Context, name: string): Prisma.Sql {
  const gatewayPath = gatewayPathOf(ctx.config.registry.namespace, name);
  return gatewayPath
    ? Prisma.sql`(registry_name = ${name} OR (registry_name IS NULL AND path = ${gatewayPath}))`
    : Prisma.sql`registry_name = ${name}`;
}

async function selectEntries(ctx: Context, where: Prisma.Sql[], tail: Prisma.Sql, db: Prisma.TransactionClient = ctx.prisma): Promise<EntryRow[]> {
  const rows = await db.$queryRaw<{ entry: string }[]>`
    SELECT ${ENTRY_COLUMNS} FROM servers WHERE ${Prisma.join(where, " AND ")} ${tail}`;
  return rows.map(toEntry);
}

async function versionsOf(ctx: Context, name: string, includeDeleted: boolean, db: Prisma.TransactionClient = ctx.prisma): Promise<EntryRow[]> {
  const where = [visibleSql(ctx), namedSql(ctx, name)];
  if (!includeDeleted) where.push(Prisma.sql`status <> 'DELETED'`);
  return selectEntries(ctx, where, Prisma.sql`ORDER BY published_at DESC, path`, db);
}

builder.queryFields((t) => ({
  registryServers: t.field({
    type: RegistryPage,
    description: `Registry entries the caller may list, ordered by path (stable), at most ${REGISTRY_LIMIT_MAX} per page.`,
    args: {
      limit: t.arg.int({ required: true, description: `Entries per page, 1 to ${REGISTRY_LIMIT_MAX}.` }),
      cursor: t.arg.string({ required: false, description: "nextCursor of the previous page." }),
      search: t.arg.string({ required: false, description: "Case-insensitive substring of the name." }),
      updatedSince: t.arg({ type: "DateTime", required: false, description: "Entries updated after this instant; includes deleted ones." }),
      version: t.arg.string({ required: false, description: "`latest`, or an exact version." }),
      includeDeleted: t.arg.boolean({ required: false, description: "Include DELETED entries too." }),
    },
    errors: { types: [ValidationError], ...resultOf("registryServers", "page", "One page of registry entries.") },
    resolve: async (_root, args, ctx) => {
      if (args.limit < 1 || args.limit > REGISTRY_LIMIT_MAX) {
        throw new ValidationError([{ field: "limit", message: `must be between 1 and ${REGISTRY_LIMIT_MAX}` }]);
      }
      const after = args.cursor == null ? null : decodeCursor(args.cursor);
      if (args.cursor != null && after === null) {
        throw new ValidationError([{ field: "cursor", message: "is not a cursor this registry returned" }]);
      }
      const where = [visibleSql(ctx)];
      if (after !== null) where.push(Prisma.sql`path > ${after}`);
      const search = args.search?.trim();
      if (search) {
        const ns = ctx.config.registry.namespace;
        where.push(
          Prisma.sql`strpos(lower(coalesce(registry_name, ${ns} || '/' || replace(substr(path, 2), '/', '.'))), ${search.toLowerCase()}) > 0`,
        );
      }
      if (args.updatedSince) where.push(Prisma.sql`updated_at > ${args.updatedSince.toISOString()}::timestamptz`);
      // The official API: deleted entries are hidden unless asked for, and always shown to incremental sync.
      if (!args.includeDeleted && !args.updatedSince) where.push(Prisma.sql`status <> 'DELETED'`);
      if (args.version === "latest") where.push(Prisma.sql`is_latest`);
      else if (args.version) where.push(Prisma.sql`version = ${args.version}`);
      const rows = await selectEntries(ctx, where, Prisma.sql`ORDER BY path LIMIT ${args.limit + 1}`);
      const entries = rows.slice(0, args.limit);
      const last = entries[entries.length - 1];
      return { entries, nextCursor: rows.length > args.limit && last ? encodeCursor(last.path) : null };
    },
  }),
  registryServerVersions: t.field({
    type: [RegistryEntryRef],
    description: "Every version of the named entry the caller may list, newest publication first. Empty: no such entry.",
    args: {
      name: t.arg.string({ required: true, description: "The entry's name." }),
      includeDeleted: t.arg.boolean({ required: false, description: "Include DELETED versions too." }),
    },
    resolve: (_root, args, ctx) => versionsOf(ctx, args.name, args.includeDeleted ?? false),
  }),
  registryServerVersion: t.field({
    type: RegistryEntryRef,
    nullable: true,
    description: "One version of the named entry (`latest` for the latest), or null.",
    args: {
      name: t.arg.string({ required: true, description: "The entry's name." }),
      version: t.arg.string({ required: true, description: "An exact version, or `latest`." }),
      includeDeleted: t.arg.boolean({ required: false, description: "Find it even when DELETED." }),
    },
    resolve: async (_root, args, ctx) => {
      const where = [visibleSql(ctx), namedSql(ctx, args.name)];
      if (!args.includeDeleted) where.push(Prisma.sql`status <> 'DELETED'`);
      where.push(args.version === "latest" ? Prisma.sql`is_latest` : Prisma.sql`version = ${args.version}`);
      const rows = await selectEntries(ctx, where, Prisma.sql`ORDER BY path LIMIT 1`);
      return rows[0] ?? null;
    },
  }),
  checkServerJson: t.field({
    type: ServerJsonCheck,
    description: "What publishing this server.json would object to; nothing is stored.",
    args: { document: t.arg({ type: "JSON", required: true, description: "A server.json document." }) },
    resolve: (_root, args) => ({ problems: validateServerJson(args.document) }),
  }),
}));

/** Marks the latest version of `name` (the official rules, latest.ts) and no other. */
async function entriesByPath(tx: Prisma.TransactionClient, paths: string[]): Promise<EntryRow[]> {
  if (paths.length === 0) return [];
  const rows = await tx.$queryRaw<{ entry: string }[]>`
    SELECT ${ENTRY_COLUMNS} FROM servers WHERE path IN (${Prisma.join(paths)}) ORDER BY published_at DESC, path`;
  return rows.map(toEntry);
}

const STATUS_VALUES = ["ACTIVE", "DEPRECATED", "DELETED"] as const;

const PUBLISHER_META = "io.modelcontextprotocol.registry/publisher-provided";

/**
 * As the official registry does: of a published `_meta`, only the publisher-provided
 * block is kept, so that nobody can publish a registry-managed block of their own.
 */
function keepPublisherMeta(doc: ServerJson): ServerJson {
  const meta = (doc as { _meta?: Record<string, unknown> })._meta;
  if (meta === undefined) return doc;
  const { _meta: _dropped, ...rest } = doc as ServerJson & { _meta?: unknown };
  return (PUBLISHER_META in meta ? { ...rest, _meta: { [PUBLISHER_META]: meta[PUBLISHER_META] } } : rest) as ServerJson;
}

builder.mutationFields((t) => ({
  publishServer: t.field({
    type: RegistryEntryRef,
    description:
      "Publishes a server.json (schema 2025-12-11 or an older one the official registry accepts). Needs PUBLISH on the name's namespace; a name and version can be published once.",
    args: { document: t.arg({ type: "JSON", required: true, description: "The server.json document to publish." }) },
    errors: { types: [ValidationError, ForbiddenError, ConflictError], ...resultOf("publishServer", "entry", "The published version.") },
    resolve: async (_root, args, ctx) => {
      const problems = validateServerJson(args.document);
      if (problems.length > 0) throw new ValidationError(problems);
      const doc = keepPublisherMeta(args.document as ServerJson);
      const parts = splitName(doc.name)!;
      if (!canPublish(grantsOf(ctx), parts.namespace)) throw new ForbiddenError("publish", doc.name);
      // The gateway's namespace names gateway servers by path; a published entry there could
      // later collide with a server registered at that path, so it stays theirs alone.
      if (parts.namespace.toLowerCase() === ctx.config.registry.namespace.toLowerCase()) {
        throw new ConflictError(
          "name",
          `${parts.namespace} is this gateway's own namespace (REGISTRY_NAMESPACE): its servers appear there by path`,
        );
      }
      const path = publishedPathOf(doc.name, doc.version);
      const remote = doc.remotes?.find((r) => /^https?:\/\//.test(r.url));
      const fields = {
        name: doc.title ?? parts.server,
        description: doc.description,
        path,
        tags: [] as string[],
        metadata: {},
      };
      try {
        const entry = await ctx.prisma.$transaction(async (tx) => {
          await lockName(tx, doc.name);
          if ((await tx.server.count({ where: { registryName: doc.name, version: doc.version } })) > 0) {
            throw new ConflictError("version", `${doc.name} ${doc.version} is already published; versions cannot be changed`);
          }
          const created = await tx.server.create({
            data: {
              ...fields,
              proxyPassUrl: remote?.url ?? "",
              transport: remote ? (remote.type === "sse" ? "SSE" : "STREAMABLE_HTTP") : "AUTO",
              searchText: searchTextOf({ ...fields, name: doc.name }),
              registryName: doc.name,
              version: doc.version,
              serverJson: doc as Prisma.InputJsonObject,
              isLatest: false,
              enabled: false,
            },
            select: { id: true, path: true },
          });
          await recomputeLatest(tx, doc.name);
          return (await entriesByPath(tx, [created.path]))[0]!;
        });
        // After the commit, so that no cache refills with what was there before.
        ctx.events.publish({ type: "registered", serverId: entry.id, path: entry.path });
        ctx.log.info({ name: doc.name, version: doc.version }, "server published");
        return entry;
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new ConflictError("version", `${doc.name} ${doc.version} is already published, or its path ${path} is taken`);
        }
        throw err;
      }
    },
  }),

  setRegistryStatus: t.field({
    type: StatusChange,
    description:
      "Sets the status of one version (or, without `version`, of every version) of an entry. `latest` is recomputed.",
    args: {
      name: t.arg.string({ required: true, description: "The entry's name." }),
      version: t.arg.string({ required: false, description: "One version; every version when left out." }),
      status: t.arg({ type: ServerStatusEnum, required: true, description: "The new status." }),
      statusMessage: t.arg.string({ required: false, description: "Why, for DEPRECATED or DELETED (not allowed with ACTIVE)." }),
    },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError], ...resultOf("setRegistryStatus", "change", "The versions whose status changed.") },
    resolve: async (_root, args, ctx) => {
      const message = args.statusMessage ?? null;
      if (message !== null && [...message].length > STATUS_MESSAGE_MAX) {
        throw new ValidationError([{ field: "statusMessage", message: `must be at most ${STATUS_MESSAGE_MAX} characters` }]);
      }
      if (message !== null && args.status === "ACTIVE") {
        throw new ValidationError([{ field: "statusMessage", message: "is not allowed when the status is active" }]);
      }
      if (!STATUS_VALUES.includes(args.status)) throw new ValidationError([{ field: "status", message: "is not a status" }]);
      const what = args.version ? `${args.name} ${args.version}` : args.name;
      const notFound = new NotFoundError(args.name, `No server ${what}`);
      const grants = grantsOf(ctx);
      const entries = await ctx.prisma.$transaction(async (tx) => {
        // The versions are read under the name's lock, so that one published meanwhile is not left out.
        await lockName(tx, args.name);
        const targets = (await versionsOf(ctx, args.name, true, tx)).filter((r) => !args.version || r.version === args.version);
        if (targets.length === 0) throw notFound;
        const namespace = splitName(entryNameOf(targets[0]!, ctx.config.registry.namespace))?.namespace ?? "";
        // The gateway's own namespace holds registered servers: only modify_service on them
        // may change them; a publish grant covers published entries only.
        const ownNamespace = namespace.toLowerCase() === ctx.config.registry.namespace.toLowerCase();
        const mayPublish = !ownNamespace && canPublish(grants, namespace);
        if (!mayPublish && !targets.every((r) => can(grants, "modify_service", r.path))) {
          throw new ForbiddenError(ownNamespace ? "modify_service" : "publish", args.name);
        }
        if (args.version && targets.every((r) => r.status === args.status && r.statusMessage === message)) {
          throw new ValidationError([
            { field: "status", message: `no changes to apply: the status is already ${args.status.toLowerCase()}` },
          ]);
        }
        const paths = targets.map((r) => r.path);
        await tx.server.updateMany({
          where: { path: { in: paths } },
          data: { status: args.status, statusMessage: message, statusChangedAt: new Date() },
        });
        const published = targets.find((r) => r.registryName !== null)?.registryName;
        if (published) await recomputeLatest(tx, published);
        return entriesByPath(tx, paths);
      });
      for (const e of entries) ctx.events.publish({ type: "updated", serverId: e.id, path: e.path });
      return { entries };
    },
  }),
}));
