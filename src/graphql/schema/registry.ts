// The official MCP registry's view (served as REST under /v0.1 and /v0 by
// src/rest/registry-v0.ts): entries, their versions, publishing and status changes.
// Parse, call the registry service (src/registry/service.ts), map: the rules live there.
//
// Gateway servers are entries named `{REGISTRY_NAMESPACE}/{path}`; published entries are
// their own rows (registry_entries), never gateway servers. Who may do what: reading a
// gateway server needs list_service on its path; reading a published entry needs
// list_service on its namespace (or on `servers: all`), or publish on it; publishing needs
// publish on the name's namespace; a status change needs publish on a published entry's
// namespace, or modify_service on a gateway server's path.
import { entryNameOf, metaOf, serverJsonOf, type EntryRow } from "../../registry/entry.ts";
import {
  checkServerJson,
  editEntry,
  entryVersion,
  entryVersions,
  listEntries,
  publishEntry,
  REGISTRY_LIMIT_MAX,
  setEntryStatus,
  type RegistryDeps,
} from "../../registry/service.ts";
import type { Issue } from "../../registry/validate.ts";
import { builder } from "../builder.ts";
import type { Context } from "../context.ts";
import { grantsOf } from "../viewer.ts";
import { ConflictError, FieldError, ForbiddenError, NotFoundError, resultOf, ValidationError } from "./errors.ts";
import { ServerStatusEnum } from "./servers.ts";

const RegistryEntryRef = builder.objectRef<EntryRow>("RegistryEntry").implement({
  description: "A server as the official MCP registry API shows it (one version of it).",
  fields: (t) => ({
    name: t.string({
      description: "The entry's reverse-DNS name, e.g. io.github.acme/weather.",
      resolve: (r, _a, ctx) => entryNameOf(r, ctx.config.registry.namespace),
    }),
    version: t.exposeString("version", { description: "This version's version string." }),
    path: t.string({
      nullable: true,
      description: "The gateway server behind the entry; null for a published entry, which is no gateway server.",
      resolve: (r) => (r.kind === "gateway" ? r.path : null),
    }),
    status: t.field({ type: ServerStatusEnum, description: "This version's status.", resolve: (r) => r.status }),
    isLatest: t.exposeBoolean("isLatest", { description: "Whether this is the latest version of the name." }),
    publishedAt: t.expose("publishedAt", { type: "DateTime", description: "When this version was published." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When this version last changed (its status, for instance)." }),
    server: t.field({
      type: "JSONObject",
      description: "The ServerJSON document: as published, or built from a gateway server's fields.",
      resolve: (r, _a, ctx) => serverJsonOf(r, { namespace: ctx.config.registry.namespace, publicUrl: ctx.config.publicUrl }),
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
      entries: t.field({ type: [RegistryEntryRef], description: "The page's entries, ordered by name, then version.", resolve: (p) => p.entries }),
      nextCursor: t.string({ nullable: true, description: "Opaque; null on the last page.", resolve: (p) => p.nextCursor }),
    }),
  });

const ValidationIssueRef = builder.objectRef<Issue>("ServerJsonIssue").implement({
  description: "One thing wrong with a server.json, as the official registry's validate endpoint reports it.",
  fields: (t) => ({
    type: t.string({ description: "`schema` (the JSON schema refused it) or `semantic` (a registry rule did).", resolve: (i) => i.type }),
    path: t.string({ description: "Where, e.g. `packages[0].transport.url`.", resolve: (i) => i.field }),
    message: t.exposeString("message", { description: "What is wrong." }),
    severity: t.string({ description: "Always `error`: every issue refuses the document.", resolve: () => "error" }),
    reference: t.exposeString("reference", { description: "The rule that found it (e.g. `invalid-remote-url`) or the schema keyword's place." }),
  }),
});

const ServerJsonCheck = builder
  .objectRef<{ problems: Issue[] }>("ServerJsonCheck")
  .implement({
    description: "What checking a server.json found.",
    fields: (t) => ({
      valid: t.boolean({ description: "True when publishing it would find no problem.", resolve: (c) => c.problems.length === 0 }),
      problems: t.field({
        type: [FieldError],
        description: "Each problem, with the JSON path of the field (e.g. `packages[0].version`).",
        resolve: (c) => c.problems.map(({ field, message }) => ({ field, message })),
      }),
      issues: t.field({
        type: [ValidationIssueRef],
        description: "The same problems with their kind and rule, in the official registry's shape.",
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

function depsOf(ctx: Context): RegistryDeps {
  return {
    prisma: ctx.prisma,
    changes: ctx.db.changes,
    events: ctx.events,
    log: ctx.log,
    namespace: ctx.config.registry.namespace,
    allowPrivateRemotes: ctx.config.registry.allowPrivateRemotes,
    actor: ctx.viewer?.identity ?? null,
  };
}

builder.queryFields((t) => ({
  registryServers: t.field({
    type: RegistryPage,
    description: `Registry entries the caller may list, ordered by name, then version (stable), at most ${REGISTRY_LIMIT_MAX} per page.`,
    args: {
      limit: t.arg.int({ required: true, description: `Entries per page, 1 to ${REGISTRY_LIMIT_MAX}.` }),
      cursor: t.arg.string({ required: false, description: "nextCursor of the previous page." }),
      search: t.arg.string({ required: false, description: "Case-insensitive substring of the name." }),
      updatedSince: t.arg({ type: "DateTime", required: false, description: "Entries updated after this instant; includes deleted ones." }),
      version: t.arg.string({ required: false, description: "`latest`, or an exact version." }),
      includeDeleted: t.arg.boolean({ required: false, description: "Include DELETED entries too." }),
    },
    errors: { types: [ValidationError], ...resultOf("registryServers", "page", "One page of registry entries.") },
    resolve: (_root, args, ctx) =>
      listEntries(depsOf(ctx), grantsOf(ctx), {
        limit: args.limit,
        cursor: args.cursor ?? null,
        search: args.search ?? null,
        updatedSince: args.updatedSince ?? null,
        version: args.version ?? null,
        includeDeleted: args.includeDeleted ?? false,
      }),
  }),
  registryServerVersions: t.field({
    type: [RegistryEntryRef],
    description: "Every version of the named entry the caller may list, newest publication first. Empty: no such entry.",
    args: {
      name: t.arg.string({ required: true, description: "The entry's name." }),
      includeDeleted: t.arg.boolean({ required: false, description: "Include DELETED versions too." }),
    },
    resolve: (_root, args, ctx) => entryVersions(depsOf(ctx), grantsOf(ctx), args.name, args.includeDeleted ?? false),
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
    resolve: (_root, args, ctx) => entryVersion(depsOf(ctx), grantsOf(ctx), args.name, args.version, args.includeDeleted ?? false),
  }),
  checkServerJson: t.field({
    type: ServerJsonCheck,
    description: "What publishing this server.json would object to; nothing is stored.",
    args: { document: t.arg({ type: "JSON", required: true, description: "A server.json document." }) },
    resolve: (_root, args, ctx) => ({ problems: checkServerJson(ctx.config.registry, args.document) }),
  }),
}));

builder.mutationFields((t) => ({
  publishServer: t.field({
    type: RegistryEntryRef,
    description:
      "Publishes a server.json (schema 2025-12-11 or an older one the official registry accepts). Needs PUBLISH on the name's namespace; a name and version can be published once.",
    args: { document: t.arg({ type: "JSON", required: true, description: "The server.json document to publish." }) },
    errors: { types: [ValidationError, ForbiddenError, ConflictError], ...resultOf("publishServer", "entry", "The published version.") },
    resolve: (_root, args, ctx) => publishEntry(depsOf(ctx), grantsOf(ctx), args.document),
  }),

  editServerVersion: t.field({
    type: RegistryEntryRef,
    description:
      "Replaces the server.json of a published version, checked as a publish is. Needs PUBLISH on the name's namespace; the name and version stay.",
    args: {
      name: t.arg.string({ required: true, description: "The entry's name." }),
      version: t.arg.string({ required: true, description: "The version to edit (exactly; `latest` names no version here)." }),
      document: t.arg({ type: "JSON", required: true, description: "The new server.json, with the same name and version." }),
    },
    errors: {
      types: [ValidationError, NotFoundError, ForbiddenError, ConflictError],
      ...resultOf("editServerVersion", "entry", "The version as it is now."),
    },
    resolve: (_root, args, ctx) => editEntry(depsOf(ctx), grantsOf(ctx), args.name, args.version, args.document),
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
    errors: {
      types: [ValidationError, NotFoundError, ForbiddenError, ConflictError],
      ...resultOf("setRegistryStatus", "change", "The versions whose status changed."),
    },
    resolve: async (_root, args, ctx) => ({
      entries: await setEntryStatus(depsOf(ctx), grantsOf(ctx), {
        name: args.name,
        version: args.version ?? null,
        status: args.status,
        statusMessage: args.statusMessage ?? null,
      }),
    }),
  }),
}));
