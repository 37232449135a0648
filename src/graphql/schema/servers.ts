// Everything about servers: the type, its queries, inputs and mutations. The rules and
// writes are the servers service's (src/servers/service.ts); resolvers parse, call, map.
import { HealthStatus, ServerStatus, ToolChangeKind, Transport, UpstreamAuth } from "../../generated/prisma/enums.ts";
import { healthStateOf, healthStringOf } from "../../health/status.ts";
import type { ServerCounts as Counts } from "../../servers/rules.ts";
import {
  atPathWhere,
  countServers,
  deleteServer,
  listWhere,
  refreshServer,
  registerServer,
  serverWithTools,
  toggleServer,
  updateServer,
} from "../../servers/service.ts";
import { builder } from "../builder.ts";
import type { Context } from "../context.ts";
import { storedIdOf } from "./node-id.ts";
import { gatewayUrlOf } from "../../servers/path.ts";
import { can, serversWhere } from "../../auth/policy.ts";
import { grantsOf } from "../viewer.ts";
import { ConflictError, ForbiddenError, NotFoundError, resultOf, ServerDisabledError, ValidationError } from "./errors.ts";

export const TransportEnum = builder.enumType("Transport", {
  description: "How the gateway talks to the server. AUTO tries Streamable HTTP, then SSE.",
  values: {
    AUTO: { value: Transport.AUTO, description: "Streamable HTTP, falling back to SSE when the server does not speak it." },
    STREAMABLE_HTTP: { value: Transport.STREAMABLE_HTTP, description: "MCP's Streamable HTTP transport only." },
    SSE: { value: Transport.SSE, description: "MCP's older HTTP+SSE transport only." },
  } as const,
});
export const ServerStatusEnum = builder.enumType("ServerStatus", {
  description: "Lifecycle status in the official registry.",
  values: {
    ACTIVE: { value: ServerStatus.ACTIVE, description: "Current: listed and installable." },
    DEPRECATED: { value: ServerStatus.DEPRECATED, description: "Still listed, but clients should move off it (see the status message)." },
    DELETED: { value: ServerStatus.DELETED, description: "Withdrawn: hidden from listings unless deleted entries are asked for." },
  } as const,
});
export const HealthStateEnum = builder.enumType("HealthState", {
  description: "The server's health as a viewer sees it. A disabled server is DISABLED whatever its last check said.",
  values: {
    UNKNOWN: { value: HealthStatus.UNKNOWN, description: "Not checked yet." },
    CHECKING: { value: HealthStatus.CHECKING, description: "A check is running (for instance just after the server was enabled)." },
    HEALTHY: { value: HealthStatus.HEALTHY, description: "The last check connected and listed the tools." },
    UNHEALTHY: { value: HealthStatus.UNHEALTHY, description: "The last check failed; the reason says why." },
    DISABLED: { value: "DISABLED", description: "The server is disabled, so nothing contacts it." },
  } as const,
});

export const UpstreamAuthEnum = builder.enumType("UpstreamAuthType", {
  values: {
    NONE: { value: UpstreamAuth.NONE, description: "No credential." },
    BEARER: { value: UpstreamAuth.BEARER, description: "`Authorization: Bearer <secret>`." },
    API_KEY: { value: UpstreamAuth.API_KEY, description: "The secret in the header named by headerName." },
  } as const,
  description: "The credential the health check sends: none, `Authorization: Bearer <secret>`, or an API key header.",
});
const ToolChangeKindEnum = builder.enumType("ToolChangeKind", {
  description: "How a tool changed between two checks.",
  values: {
    ADDED: { value: ToolChangeKind.ADDED, description: "The tool appeared." },
    REMOVED: { value: ToolChangeKind.REMOVED, description: "The tool disappeared." },
    CHANGED: { value: ToolChangeKind.CHANGED, description: "Its description or a schema changed." },
  } as const,
});

const UpstreamAuthInfo = builder
  .objectRef<{ upstreamAuth: UpstreamAuth; upstreamAuthHeader: string | null }>("UpstreamAuthInfo")
  .implement({
    description: "How the health check authenticates upstream. The secret itself is never returned.",
    fields: (t) => ({
      type: t.field({ type: UpstreamAuthEnum, description: "The kind of credential.", resolve: (s) => s.upstreamAuth }),
      headerName: t.string({ nullable: true, description: "For API_KEY: the header it goes in.", resolve: (s) => s.upstreamAuthHeader }),
    }),
  });

builder.prismaObject("HealthCheck", {
  description: "One health check.",
  fields: (t) => ({
    status: t.field({ type: HealthStateEnum, description: "What the check found.", resolve: (c) => c.status }),
    reason: t.exposeString("reason", { nullable: true, description: "Why it failed (e.g. timeout); null when healthy." }),
    latencyMs: t.exposeInt("latencyMs", { nullable: true, description: "How long it took; null when it failed." }),
    checkedAt: t.expose("checkedAt", { type: "DateTime", description: "When it ran." }),
  }),
});

builder.prismaObject("ToolChange", {
  description: "A tool that appeared, disappeared or changed between two checks.",
  fields: (t) => ({
    kind: t.expose("kind", { type: ToolChangeKindEnum, description: "Added, removed or changed." }),
    toolName: t.exposeString("toolName", { description: "The tool's name." }),
    changedAt: t.expose("changedAt", { type: "DateTime", description: "When the check noticed." }),
  }),
});

const ServerActions = builder.objectRef<{ modify: boolean; toggle: boolean; refresh: boolean; use: boolean }>("ServerActions").implement({
  description: "The viewer's permissions on one server.",
  fields: (t) => ({
    use: t.exposeBoolean("use", { description: "May connect to it through the gateway at gatewayUrl and call its tools (use_service)." }),
    modify: t.exposeBoolean("modify", { description: "May edit or delete it (modify_service)." }),
    toggle: t.exposeBoolean("toggle", { description: "May enable or disable it (toggle_service)." }),
    refresh: t.exposeBoolean("refresh", { description: "May run a health check now (health_check_service)." }),
  }),
});

const ServerCounts = builder.objectRef<Counts>("ServerCounts").implement({
  description: "How many servers the viewer may list are in each health state.",
  fields: (t) => ({
    total: t.exposeInt("total", { description: "All of them." }),
    healthy: t.exposeInt("healthy", { description: "Enabled and HEALTHY." }),
    unhealthy: t.exposeInt("unhealthy", { description: "Enabled and UNHEALTHY." }),
    checking: t.exposeInt("checking", { description: "Enabled and CHECKING." }),
    unknown: t.exposeInt("unknown", { description: "Enabled and not checked yet." }),
    disabled: t.exposeInt("disabled", { description: "Disabled servers, whatever their last check said." }),
  }),
});

const HISTORY_MAX = 500;
const take = (first: number | null | undefined) => Math.min(Math.max(first ?? 20, 0), HISTORY_MAX);

export const ServerRef = builder.prismaNode("Server", {
  id: { field: "id" },
  // node(id) finds only servers the viewer may list; others do not exist for it.
  findUnique: (id, ctx) => ({ id: storedIdOf(id), AND: [serversWhere(grantsOf(ctx))] }),
  // An unknown or hidden id answers null, not an error (findUniqueOrThrow otherwise).
  nullable: true,
  // Load only the columns a query asks for (not search_text, metadata... every time).
  select: { id: true },
  description: "A registered MCP server.",
  fields: (t) => ({
    path: t.exposeString("path", { description: "Normalised path: one leading '/', no trailing '/'." }),
    name: t.exposeString("name", { description: "Display name." }),
    description: t.exposeString("description", { description: "What the server is for; may be empty." }),
    proxyPassUrl: t.exposeString("proxyPassUrl", { description: "Where the server listens." }),
    gatewayUrl: t.string({
      description: "Where MCP clients reach it through the gateway (Streamable HTTP), signed in with the registry's credentials: `{PUBLIC_URL}{path}/mcp`.",
      select: { path: true },
      resolve: (s, _args, ctx) => gatewayUrlOf(ctx.config.publicUrl, s.path),
    }),
    tags: t.exposeStringList("tags", { description: "Lower-case tags, for search and filters." }),
    numTools: t.exposeInt("numTools", { description: "How many tools it has: discovered by the last healthy check, else as registered." }),
    numStars: t.exposeInt("numStars", { description: "A rating, 0 or more (the web UI shows at most 5 stars)." }),
    isPython: t.exposeBoolean("isPython", { description: "Whether the server is written in Python (informational)." }),
    license: t.exposeString("license", { description: "The server's licence, e.g. MIT; may be empty." }),
    metadata: t.field({ type: "JSONObject", description: "Free-form JSON object (at most 16 KB), searched by value.", select: { metadata: true }, resolve: (s) => s.metadata }),
    enabled: t.exposeBoolean("enabled", { description: "Whether the gateway uses and checks it. Servers start disabled." }),
    transport: t.expose("transport", { type: TransportEnum, description: "How the gateway talks to it." }),
    health: t.field({
      type: HealthStateEnum,
      description: "Its health now: the last check's result, or DISABLED.",
      select: { enabled: true, healthStatus: true },
      resolve: (s) => healthStateOf(s),
    }),
    healthReason: t.exposeString("healthReason", { nullable: true, description: "Why the last check failed; null when it did not." }),
    healthStatus: t.string({
      description: "The product's health words: healthy, unhealthy: <reason>, checking, disabled, unknown.",
      select: { enabled: true, healthStatus: true, healthReason: true },
      resolve: (s) => healthStringOf(s),
    }),
    lastCheckedAt: t.expose("lastChecked", { type: "DateTime", nullable: true, description: "When it was last checked; null if never." }),
    registryName: t.string({
      nullable: true,
      deprecationReason: "Always null: published entries are registry entries (registryServers), never servers.",
      description: "Always null (published entries are not servers).",
      resolve: () => null,
    }),
    version: t.exposeString("version", { description: "Its version, as registered or published." }),
    status: t.expose("status", { type: ServerStatusEnum, description: "Its status in the registry." }),
    publishedAt: t.expose("publishedAt", { type: "DateTime", description: "When this version was published (or registered)." }),
    isLatest: t.exposeBoolean("isLatest", { description: "Whether this is the latest version of its registry name." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was registered." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When it last changed." }),
    tools: t.relation("tools", {
      description: "Tools discovered on the server, by name.",
      query: { orderBy: { name: "asc" } },
    }),
    lastLatencyMs: t.exposeInt("lastLatencyMs", { nullable: true, description: "Duration of the last check." }),
    serverInfo: t.field({
      type: "JSON",
      nullable: true,
      description: "What the server said about itself at initialize: name, version, protocolVersion, capabilities.",
      select: { serverInfo: true },
      resolve: (s) => s.serverInfo,
    }),
    toolsChangedAt: t.expose("toolsChangedAt", { type: "DateTime", nullable: true, description: "When its tool list last changed; null if never." }),
    upstreamAuth: t.field({
      type: UpstreamAuthInfo,
      description: "The credential the health check sends (never the secret).",
      select: { upstreamAuth: true, upstreamAuthHeader: true },
      resolve: (s) => s,
    }),
    healthHistory: t.relation("healthChecks", {
      description: `Recent checks, newest first (at most ${HISTORY_MAX}; retention is HEALTH_HISTORY_LIMIT).`,
      args: { first: t.arg.int({ required: false, defaultValue: 20, description: `How many, up to ${HISTORY_MAX}.` }) },
      query: (args) => ({ orderBy: { checkedAt: "desc" }, take: take(args.first) }),
    }),
    viewerCan: t.field({
      type: ServerActions,
      description: "What the viewer may do to this server, so that a UI shows only usable controls. The mutations still check.",
      select: { path: true },
      resolve: (s, _args, ctx) => {
        const grants = grantsOf(ctx);
        return {
          modify: can(grants, "modify_service", s.path),
          toggle: can(grants, "toggle_service", s.path),
          refresh: can(grants, "health_check_service", s.path),
          use: can(grants, "use_service", s.path),
        };
      },
    }),
    toolChanges: t.relation("toolChanges", {
      description: `Tool-list changes, newest first (at most ${HISTORY_MAX}; retention is TOOL_CHANGE_HISTORY_LIMIT).`,
      args: { first: t.arg.int({ required: false, defaultValue: 20, description: `How many, up to ${HISTORY_MAX}.` }) },
      query: (args) => ({ orderBy: { changedAt: "desc" }, take: take(args.first) }),
    }),
  }),
});

const ServerFilterInput = builder.inputType("ServerFilter", {
  description: "Which servers to list; every condition given must hold.",
  fields: (t) => ({
    search: t.string({
      required: false,
      description: "Servers the search index finds relevant (by their own text or their tools'), and those whose name, description, path, tags or metadata values contain it (case-insensitive).",
    }),
    tags: t.stringList({ required: false, description: "Servers that carry every one of these tags." }),
    enabled: t.boolean({ required: false, description: "Only enabled (true) or only disabled (false) servers." }),
    health: t.field({ type: [HealthStateEnum], required: false, description: "Servers in any of these states." }),
  }),
});

/** The servers the search index finds for the filter's `search` (none without one). */
async function indexedServers(ctx: Context, filter: { search?: string | null } | null | undefined): Promise<string[]> {
  const text = filter?.search?.trim();
  return text ? ctx.search.matchingIds(grantsOf(ctx), text, "server") : [];
}

builder.queryFields((t) => ({
  servers: t.prismaConnection(
    {
      type: "Server",
      cursor: "path",
      defaultSize: 50,
      maxSize: 500,
      description: "Servers ordered by path. Pages hold at most 500.",
      args: { filter: t.arg({ type: ServerFilterInput, required: false, description: "Only servers that match." }) },
      resolve: async (query, _root, args, ctx) =>
        ctx.prisma.server.findMany({ ...query, where: listWhere(grantsOf(ctx), args.filter, await indexedServers(ctx, args.filter)), orderBy: { path: "asc" } }),
      totalCount: async (_connection, args, ctx) =>
        ctx.prisma.server.count({ where: listWhere(grantsOf(ctx), args.filter, await indexedServers(ctx, args.filter)) }),
    },
    {
      // Declared again only for its description; the extension keeps the plugin's count-only shortcut.
      fields: (t) => ({
        totalCount: t.int({
          description: "How many servers match, on all pages.",
          extensions: { pothosPrismaTotalCount: true },
          resolve: (c) => (c as unknown as { totalCount: () => Promise<number> }).totalCount(),
        }),
      }),
    },
  ),
  serverCounts: t.field({
    type: ServerCounts,
    description: "Counts by health state of the servers the viewer may list (matching `filter`), in one grouped query.",
    args: { filter: t.arg({ type: ServerFilterInput, required: false, description: "Count only servers that match." }) },
    resolve: async (_root, args, ctx) => countServers(ctx, grantsOf(ctx), args.filter, await indexedServers(ctx, args.filter)),
  }),
  server: t.prismaField({
    type: "Server",
    nullable: true,
    description: "The server at this path (`weather`, `/weather` and `/weather/` are the same), or null.",
    args: { path: t.arg.string({ required: true, description: "The server's path." }) },
    resolve: (query, _root, args, ctx) => {
      const where = atPathWhere(grantsOf(ctx), args.path);
      return where ? ctx.prisma.server.findFirst({ ...query, where }) : null;
    },
  }),
  serverTools: t.field({
    type: ServerRef,
    description:
      "The server at this path, for reading its discovered tools: ServerDisabledError when it is disabled (its last list may be stale, and it is not checked), NotFoundError when there is none the caller may see.",
    args: { path: t.arg.string({ required: true, description: "The server's path." }) },
    errors: { types: [NotFoundError, ServerDisabledError], ...resultOf("serverTools", "server", "The server, whose tools may be read.") },
    resolve: (_root, args, ctx) => serverWithTools(ctx, grantsOf(ctx), args.path),
  }),
}));

const UpstreamAuthInputType = builder.inputType("UpstreamAuthInput", {
  description: "The credential the health check sends to the server.",
  fields: (t) => ({
    type: t.field({ type: UpstreamAuthEnum, required: true, description: "The kind of credential; NONE removes it." }),
    headerName: t.string({ required: false, description: "For API_KEY: the header, e.g. x-api-key." }),
    secret: t.string({
      required: false,
      description: "The token or key. On update, leave it out to keep the stored one.",
    }),
  }),
});

const ServerFieldsInput = (name: string, required: boolean, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({
      name: t.string({ required, description: "1 to 200 characters." }),
      description: t.string({ required: false, description: "Up to 2,000 characters." }),
      path: t.string({ required, description: "Letters, digits, '-', '_' and '/'; up to 128 characters." }),
      proxyPassUrl: t.string({ required, description: "An http(s) URL with a host." }),
      tags: t.stringList({ required: false, description: "Trimmed, lower-cased and de-duplicated; at most 32." }),
      numTools: t.int({ required: false, description: "How many tools it has, until a check discovers them." }),
      numStars: t.int({ required: false, description: "0 or more; the web UI shows at most 5 stars." }),
      isPython: t.boolean({ required: false, description: "Whether it is written in Python (informational)." }),
      license: t.string({ required: false, description: "Its licence, e.g. MIT." }),
      metadata: t.field({ type: "JSON", required: false, description: "A JSON object of at most 16 KB." }),
      transport: t.field({ type: TransportEnum, required: false, description: "How the gateway talks to it; AUTO when left out." }),
      upstreamAuth: t.field({
        type: UpstreamAuthInputType,
        required: false,
        description: "The credential the health check sends. The secret is stored encrypted and never returned.",
      }),
    }),
  });

const RegisterServerInput = ServerFieldsInput(
  "RegisterServerInput",
  true,
  "A new server. It starts disabled: nothing contacts it until it is enabled.",
);
const UpdateServerInput = ServerFieldsInput(
  "UpdateServerInput",
  false,
  "Fields to change. Fields left out keep their values.",
);

const DeletedServer = builder.objectRef<{ id: string; path: string }>("DeletedServer").implement({
  description: "A server that was just removed.",
  fields: (t) => ({
    id: t.globalID({ description: "The deleted server's node id.", resolve: (s) => ({ type: "Server", id: s.id }) }),
    path: t.exposeString("path", { description: "The path it had." }),
  }),
});

builder.mutationFields((t) => ({
  registerServer: t.field({
    type: ServerRef,
    description: "Registers a server. Its path must be free.",
    args: { input: t.arg({ type: RegisterServerInput, required: true, description: "The new server." }) },
    errors: { types: [ValidationError, ConflictError, ForbiddenError], ...resultOf("registerServer", "server", "The registered server.") },
    resolve: (_root, { input }, ctx) => registerServer(ctx, grantsOf(ctx), input),
  }),

  updateServer: t.field({
    type: ServerRef,
    description: "Changes a server's fields. Fields left out, and the discovered tools, are kept.",
    args: {
      path: t.arg.string({ required: true, description: "The server's path." }),
      input: t.arg({ type: UpdateServerInput, required: true, description: "The fields to change." }),
    },
    errors: { types: [ValidationError, NotFoundError, ConflictError, ForbiddenError], ...resultOf("updateServer", "server", "The server as changed.") },
    resolve: (_root, args, ctx) => updateServer(ctx, grantsOf(ctx), args.path, args.input),
  }),

  toggleServer: t.field({
    type: ServerRef,
    description: "Enables or disables a server. A disabled server is never contacted.",
    args: {
      path: t.arg.string({ required: true, description: "The server's path." }),
      enabled: t.arg.boolean({ required: true, description: "true to enable, false to disable." }),
    },
    errors: { types: [NotFoundError, ForbiddenError], ...resultOf("toggleServer", "server", "The server, now enabled or disabled.") },
    resolve: (_root, args, ctx) => toggleServer(ctx, grantsOf(ctx), args.path, args.enabled),
  }),

  refreshServer: t.field({
    type: ServerRef,
    description:
      "Checks the server's health and discovers its tools now, and returns the result. A disabled server is not contacted: ServerDisabledError.",
    args: { path: t.arg.string({ required: true, description: "The server's path." }) },
    errors: { types: [NotFoundError, ForbiddenError, ServerDisabledError], ...resultOf("refreshServer", "server", "The server after the check.") },
    resolve: (_root, args, ctx) => refreshServer(ctx, grantsOf(ctx), args.path),
  }),

  deleteServer: t.field({
    type: DeletedServer,
    description: "Removes a server with its tools and health history.",
    args: { path: t.arg.string({ required: true, description: "The server's path." }) },
    errors: { types: [NotFoundError, ForbiddenError], ...resultOf("deleteServer", "server", "The server as it was before it was removed.") },
    resolve: (_root, args, ctx) => deleteServer(ctx, grantsOf(ctx), args.path),
  }),
}));
