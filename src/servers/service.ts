// The servers capability's operations: register, update, enable or disable, check now,
// delete, and the reads that decide visibility. It owns what makes a write whole: the
// row lock, the derived search text, credential encryption, lifecycle and health events,
// and the check after enabling. Authorization is the policy's (`can`); the caller passes
// the viewer's grants. Failures are domain errors (src/errors.ts), which GraphQL returns
// as typed union members. Resolvers parse, call one of these, and map the result.
import type { Logger } from "pino";
import { appendAudit, auditStatement, type AuditActor } from "../audit/log.ts";
import { can, serversWhere, type Grants, type Permission } from "../auth/policy.ts";
import { isRecordNotFound, isUniqueViolation } from "../db/errors.ts";
import { ConflictError, ForbiddenError, NotFoundError, ServerDisabledError, ValidationError } from "../errors.ts";
import type { Prisma, PrismaClient, Server } from "../generated/prisma/client.ts";
import { healthEventOf } from "../health/events.ts";
import type { HealthService } from "../health/service.ts";
import type { LifecycleEvent, ServerEvents } from "./events.ts";
import { normalizePath } from "./path.ts";
import { countsOf, keepsSecret, toggleChange, type ServerCounts } from "./rules.ts";
import { searchTextOf, whereOf, type ServerFilter } from "./search.ts";
import { checkUpstreamAuth, type UpstreamAuthInput } from "./upstream-auth.ts";
import { validateFields, validateRegistration, type ServerFields, type ServerInput } from "./validate.ts";

/** What the service works with; the GraphQL context is one. */
export type ServersDeps = {
  prisma: PrismaClient;
  events: ServerEvents;
  health: Pick<HealthService, "checker" | "credentials" | "checkSoon">;
  config: { health: { enabled: boolean } };
  log: Logger;
  /** The caller, for the audit log (the GraphQL context's viewer). */
  viewer?: { identity: AuditActor } | null;
};

/** A registration or update as a caller sends it: fields, plus the credential the health check sends. */
export type ServerWriteInput = ServerInput & { upstreamAuth?: UpstreamAuthInput | null };

export type UpstreamAuthColumns = Pick<Prisma.ServerCreateManyInput, "upstreamAuth" | "upstreamAuthHeader" | "upstreamAuthSecret">;

/**
 * The row a validated registration becomes, derived columns included. The write path
 * creates servers through it, and so do benchmarks and tests that seed many rows at once.
 */
export function serverRowOf(fields: ServerFields, upstreamAuth: UpstreamAuthColumns = {}): Prisma.ServerCreateManyInput {
  const { metadata, ...rest } = fields;
  return { ...rest, ...upstreamAuth, metadata: metadata as Prisma.InputJsonObject, searchText: searchTextOf(fields) };
}

/** Narrows a filter to the servers the viewer may list. */
export function visibleServers(grants: Grants, where: Prisma.ServerWhereInput): Prisma.ServerWhereInput {
  const allowed = serversWhere(grants);
  return Object.keys(allowed).length === 0 ? where : { AND: [where, allowed] };
}

/** The viewer's servers that match a list filter (`indexed`: what the search index adds for its `search`). */
export function listWhere(grants: Grants, filter: ServerFilter | null | undefined, indexed: readonly string[] = []): Prisma.ServerWhereInput {
  return visibleServers(grants, whereOf(filter, indexed));
}

/** The viewer's server at this path (`weather`, `/weather/` ...), or null when the path cannot name one. */
export function atPathWhere(grants: Grants, rawPath: string): Prisma.ServerWhereInput | null {
  const path = normalizePath(rawPath);
  return path.ok ? visibleServers(grants, { path: path.path }) : null;
}

/** Counts by health state of the servers the viewer may list, in one grouped query. */
export async function countServers(
  deps: Pick<ServersDeps, "prisma">,
  grants: Grants,
  filter: ServerFilter | null | undefined,
  indexed: readonly string[] = [],
): Promise<ServerCounts> {
  const groups = await deps.prisma.server.groupBy({ by: ["enabled", "healthStatus"], where: listWhere(grants, filter, indexed), _count: { _all: true } });
  return countsOf(groups.map((g) => ({ enabled: g.enabled, healthStatus: g.healthStatus, count: g._count._all })));
}

/** The server whose discovered tools may be read: not a disabled one (its last list may be stale, and it is not checked). */
export async function serverWithTools(deps: Pick<ServersDeps, "prisma">, grants: Grants, rawPath: string): Promise<Server> {
  const path = normalizePath(rawPath);
  if (!path.ok) throw new NotFoundError(rawPath);
  const server = await deps.prisma.server.findFirst({ where: visibleServers(grants, { path: path.path }) });
  if (!server) throw new NotFoundError(path.path);
  if (!server.enabled) throw new ServerDisabledError(server.path);
  return server;
}

/**
 * The server at `path` if the viewer may act on it: NotFoundError when it is absent or
 * hidden from the viewer (existence must not leak), ForbiddenError when it is visible
 * but the permission is missing.
 */
async function authorize(
  deps: Pick<ServersDeps, "prisma">,
  grants: Grants,
  rawPath: string,
  permission: Permission,
): Promise<{ id: string; path: string; enabled: boolean }> {
  const path = normalizePath(rawPath);
  if (!path.ok) throw new NotFoundError(rawPath);
  const server = await deps.prisma.server.findFirst({
    where: visibleServers(grants, { path: path.path }),
    select: { id: true, path: true, enabled: true },
  });
  if (!server) throw new NotFoundError(path.path);
  if (!can(grants, permission, server.path)) throw new ForbiddenError(permission, server.path);
  return server;
}

/** Announces a write: subscribers hear of it, and caches on every replica drop what they hold. */
function announce(deps: Pick<ServersDeps, "events">, type: LifecycleEvent["type"], server: { id: string; path: string }): void {
  deps.events.publish({ type, serverId: server.id, path: server.path });
}

/** Validates an upstream credential and gives the columns to write, the secret encrypted (none when it is kept). */
function upstreamAuthColumns(
  deps: Pick<ServersDeps, "health">,
  input: UpstreamAuthInput | null | undefined,
  current: { upstreamAuth: Server["upstreamAuth"]; upstreamAuthSecret: string | null } | null,
): UpstreamAuthColumns {
  if (!input) return {};
  const checked = checkUpstreamAuth(input, keepsSecret(current, input.type));
  if (!checked.ok) throw new ValidationError([{ field: "upstreamAuth", message: checked.message }]);
  const { type, headerName, secret } = checked.value;
  return {
    upstreamAuth: type,
    upstreamAuthHeader: headerName,
    ...(checked.keep ? {} : { upstreamAuthSecret: secret === null ? null : deps.health.credentials.encrypt(secret) }),
  };
}

function pathTaken(path: string): ConflictError {
  return new ConflictError("path", `A server is already registered at ${path}`);
}

/** Registers a server (disabled, as every server starts). Its path must be free. */
export async function registerServer(deps: ServersDeps, grants: Grants, input: ServerWriteInput): Promise<Server> {
  const checked = validateRegistration(input);
  if (!checked.ok) throw new ValidationError(checked.errors);
  const auth = upstreamAuthColumns(deps, input.upstreamAuth, null);
  if (!can(grants, "register_service", checked.value.path)) throw new ForbiddenError("register_service", checked.value.path);
  try {
    const server = await deps.prisma.$transaction(async (tx) => {
      const created = await tx.server.create({ data: serverRowOf(checked.value, auth) });
      await appendAudit(tx, deps.viewer?.identity, { action: "server.register", serverPath: created.path });
      return created;
    });
    announce(deps, "registered", server);
    deps.log.info({ path: server.path }, "server registered");
    return server;
  } catch (err) {
    if (isUniqueViolation(err)) throw pathTaken(checked.value.path);
    throw err;
  }
}

/** Changes the fields given; the others, and the discovered tools, are kept. Moving it needs register_service at the new path. */
export async function updateServer(deps: ServersDeps, grants: Grants, rawPath: string, input: ServerWriteInput): Promise<Server> {
  const target = await authorize(deps, grants, rawPath, "modify_service");
  const checked = validateFields(input);
  if (!checked.ok) throw new ValidationError(checked.errors);
  const newPath = checked.value.path;
  if (newPath !== undefined && newPath !== target.path && !can(grants, "register_service", newPath)) {
    throw new ForbiddenError("register_service", newPath);
  }
  const { metadata, ...fields } = checked.value;
  try {
    const server = await deps.prisma.$transaction(async (tx) => {
      // Lock the row: the search text is derived from fields another writer may change.
      await tx.$queryRaw`select id from servers where id = ${target.id}::uuid for update`;
      const current = await tx.server.findUnique({ where: { id: target.id } });
      if (!current) throw new NotFoundError(target.path);
      const auth = upstreamAuthColumns(deps, input.upstreamAuth, current);
      const moved: Record<string, string> = newPath !== undefined && newPath !== current.path ? { from: current.path } : {};
      await appendAudit(tx, deps.viewer?.identity, { action: "server.update", serverPath: newPath ?? current.path, details: moved });
      return tx.server.update({
        where: { id: current.id },
        data: {
          ...fields,
          ...(metadata === undefined ? {} : { metadata: metadata as Prisma.InputJsonObject }),
          ...auth,
          searchText: searchTextOf({ ...current, ...checked.value }),
        },
      });
    });
    announce(deps, "updated", server);
    if (server.path !== target.path) announce(deps, "deleted", target);
    return server;
  } catch (err) {
    if (isUniqueViolation(err)) throw pathTaken(newPath ?? target.path);
    throw err;
  }
}

/** Enables or disables a server; a disabled server is never contacted. Enabling checks it soon. */
export async function toggleServer(deps: ServersDeps, grants: Grants, rawPath: string, enabled: boolean): Promise<Server> {
  const target = await authorize(deps, grants, rawPath, "toggle_service");
  const change = toggleChange(target.enabled, enabled, deps.config.health.enabled);
  const server = await deps.prisma
    .$transaction([
      deps.prisma.server.update({ where: { id: target.id }, data: change.data }),
      auditStatement(deps.prisma, deps.viewer?.identity, { action: "server.toggle", serverPath: target.path, details: { enabled } }),
    ])
    .then(([updated]) => updated)
    .catch((err: unknown) => {
      if (isRecordNotFound(err)) throw new NotFoundError(target.path);
      throw err;
    });
  announce(deps, "updated", server);
  if (change.healthChanges) deps.events.publish(healthEventOf(server));
  if (change.checkNow) deps.health.checkSoon(server.id);
  return server;
}

/** Checks the server's health and discovers its tools now; a disabled server is not contacted. */
export async function refreshServer(deps: ServersDeps, grants: Grants, rawPath: string): Promise<Server> {
  const target = await authorize(deps, grants, rawPath, "health_check_service");
  if (!target.enabled) throw new ServerDisabledError(target.path);
  await deps.health.checker.check(target.id);
  const server = await deps.prisma.server.findUnique({ where: { id: target.id } });
  if (!server) throw new NotFoundError(target.path);
  return server;
}

/** Removes a server with its tools and health history; returns what it was. */
export async function deleteServer(deps: ServersDeps, grants: Grants, rawPath: string): Promise<{ id: string; path: string }> {
  const target = await authorize(deps, grants, rawPath, "modify_service");
  const deleted = await deps.prisma
    .$transaction(async (tx) => {
      const gone = await tx.server.delete({ where: { id: target.id }, select: { id: true, path: true } });
      await appendAudit(tx, deps.viewer?.identity, { action: "server.delete", serverPath: gone.path });
      return gone;
    })
    .catch((err: unknown) => {
      if (isRecordNotFound(err)) throw new NotFoundError(target.path);
      throw err;
    });
  announce(deps, "deleted", deleted);
  deps.log.info({ path: deleted.path }, "server deleted");
  return deleted;
}
