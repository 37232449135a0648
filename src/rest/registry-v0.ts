// The official MCP registry API (its openapi.yaml, vendored in test/registry/spec/) under /v0.1, and
// under /v0 for the official publisher CLI. Each handler parses, runs a GraphQL operation
// (operations/registry.graphql) as the caller, and maps the result (registry-shapes.ts).
//
// Reads need a bearer token or session unless REGISTRY_PUBLIC_READS is on; then anonymous
// callers read with a viewer that may list every server and do nothing else (as the
// public health feed does). Writes always need a caller.
import fs from "node:fs";
import Router, { type RouterMiddleware } from "@koa/router";
import type { Middleware } from "koa";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { publicReader } from "../auth/public-reader.ts";
import type { Viewer } from "../auth/viewer.ts";
import {
  RegistryCheckDocument,
  RegistryEditDocument,
  RegistryPublishDocument,
  RegistryServersDocument,
  RegistryServerVersionDocument,
  RegistryServerVersionsDocument,
  RegistrySetStatusDocument,
  type ServerStatus,
} from "../generated/gql/graphql.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import { parseJsonBody, readBody } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import type { AppState } from "../http/state.ts";
import { runOperation } from "./execute.ts";
import { cachedAnswer, type AnswerCache } from "./answer-cache.ts";
import { registrySuccess, serverList, serverResponse } from "./registry-shapes.ts";

export const REGISTRY_PREFIXES = ["/v0.1", "/v0"] as const;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;

const PRODUCT_VERSION = (
  JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Every method the registry API answers (PUT edits a version, PATCH changes a status, POST publishes and validates). */
export const REGISTRY_METHODS = "GET, POST, PUT, PATCH, OPTIONS";

/** As the official registry: any origin may call it; a preflight is answered without credentials. */
export function registryCors(): Middleware<AppState> {
  return async (ctx, next) => {
    if (!REGISTRY_PREFIXES.some((p) => ctx.path === p || ctx.path.startsWith(`${p}/`))) return next();
    ctx.set("Access-Control-Allow-Origin", "*");
    ctx.set("Access-Control-Allow-Methods", REGISTRY_METHODS);
    ctx.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
    ctx.set("Access-Control-Expose-Headers", "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After");
    if (ctx.method === "OPTIONS") {
      ctx.set("Access-Control-Max-Age", "86400");
      ctx.status = 204;
      return;
    }
    await next();
  };
}

type Ctx = { state: AppState; params: Record<string, string | undefined>; query: Record<string, string | string[] | undefined> };

export function registryRoutes(
  graphql: GraphQL,
  settings: {
    publicReads: boolean;
    bodyLimitBytes: number;
    /** Finished answers, shared with the product API's reads; absent when GRAPHQL_RESPONSE_CACHE=false. */
    answers: AnswerCache | undefined;
    /** What GET /version names as the build; "unknown" where the build did not record it. */
    build?: { gitCommit?: string; buildTime?: string };
  },
): Router<AppState> {
  const router = new Router<AppState>();
  // Any query parameter, known or not, with characters no parameter holds is refused before a route reads it.
  router.use(async (ctx, next) => {
    for (const [name, value] of Object.entries(ctx.query)) {
      for (const v of Array.isArray(value) ? value : [value ?? ""]) {
        if (INVALID_CHARACTERS.test(v) || INVALID_CHARACTERS.test(name)) throw badRequest(`query parameter ${name} contains invalid characters`);
      }
    }
    await next();
  });
  const reader = (ctx: Ctx): Viewer => {
    if (ctx.state.viewer) return ctx.state.viewer;
    if (settings.publicReads) {
      return publicReader();
    }
    throw unauthenticated();
  };
  const writer = (ctx: Ctx): Viewer => {
    if (!ctx.state.viewer) throw unauthenticated();
    return ctx.state.viewer;
  };
  // The GET routes cache finished answers (below), so the GraphQL result cache would only add work.
  const run = <R, V>(ctx: Ctx, viewer: Viewer, document: TypedDocumentNode<R, V>, variables: V) =>
    runOperation(graphql, document, variables, { viewer, log: ctx.state.log, bypassResultCache: true });

  /** A GET route whose answers are shared by callers with equal grants (see answer-cache.ts). */
  const read =
    (answer: (ctx: Ctx, viewer: Viewer) => Promise<unknown>): RouterMiddleware<AppState> =>
    async (ctx) => {
      const viewer = reader(ctx);
      ctx.type = "application/json";
      ctx.body = await cachedAnswer(settings.answers, viewer, `${ctx.path}?${ctx.querystring}`, () => answer(ctx, viewer));
    };

  for (const prefix of REGISTRY_PREFIXES) {
    router.get(
      `${prefix}/servers`,
      read(async (ctx, viewer) => {
        const variables = {
          limit: limitOf(one(ctx.query, "limit")),
          cursor: one(ctx.query, "cursor") ?? null,
          search: one(ctx.query, "search") ?? null,
          updatedSince: rfc3339(one(ctx.query, "updated_since")),
          version: nonEmpty("version", one(ctx.query, "version")),
          includeDeleted: booleanOf("include_deleted", one(ctx.query, "include_deleted")),
        };
        // Incremental sync sees deletions: asking it to hide them is a contradiction, refused as the official registry does.
        if (variables.updatedSince !== null && variables.includeDeleted === false) {
          throw badRequest("updated_since cannot be combined with include_deleted=false: an incremental sync always includes deleted entries");
        }
        const data = await run(ctx, viewer, RegistryServersDocument, variables);
        const { page } = registrySuccess(data.registryServers, "Invalid request");
        return serverList(page.entries, page.nextCursor);
      }),
    );

    router.get(
      `${prefix}/servers/:serverName/versions`,
      read(async (ctx, viewer) => {
        const name = param(ctx, "serverName");
        const includeDeleted = booleanOf("include_deleted", one(ctx.query, "include_deleted"));
        const data = await run(ctx, viewer, RegistryServerVersionsDocument, { name, includeDeleted });
        if (data.registryServerVersions.length === 0) throw new HttpError(404, "NOT_FOUND", `Server not found: ${name}`);
        return serverList(data.registryServerVersions);
      }),
    );

    router.put(`${prefix}/servers/:serverName/versions/:version`, async (ctx) => {
      const viewer = writer(ctx);
      const document = await readJson(ctx, settings.bodyLimitBytes);
      const data = await run(ctx, viewer, RegistryEditDocument, { name: param(ctx, "serverName"), version: param(ctx, "version"), document });
      const { entry } = registrySuccess(data.editServerVersion, "Invalid server.json");
      ctx.body = serverResponse(entry);
    });

    router.get(
      `${prefix}/servers/:serverName/versions/:version`,
      read(async (ctx, viewer) => {
        const name = param(ctx, "serverName");
        const version = param(ctx, "version");
        const includeDeleted = booleanOf("include_deleted", one(ctx.query, "include_deleted"));
        const data = await run(ctx, viewer, RegistryServerVersionDocument, { name, version, includeDeleted });
        if (!data.registryServerVersion) throw new HttpError(404, "NOT_FOUND", `Server not found: ${name} version ${version}`);
        return serverResponse(data.registryServerVersion);
      }),
    );

    router.patch(`${prefix}/servers/:serverName/versions/:version/status`, async (ctx) => {
      const viewer = writer(ctx);
      const body = statusBody(await readJson(ctx, settings.bodyLimitBytes));
      const variables = { name: param(ctx, "serverName"), version: param(ctx, "version"), ...body };
      const data = await run(ctx, viewer, RegistrySetStatusDocument, variables);
      const { change } = registrySuccess(data.setRegistryStatus, "Invalid status change");
      ctx.body = serverResponse(change.entries[0]!);
    });

    router.patch(`${prefix}/servers/:serverName/status`, async (ctx) => {
      const viewer = writer(ctx);
      const body = statusBody(await readJson(ctx, settings.bodyLimitBytes));
      const data = await run(ctx, viewer, RegistrySetStatusDocument, { name: param(ctx, "serverName"), version: null, ...body });
      const { change } = registrySuccess(data.setRegistryStatus, "Invalid status change");
      ctx.body = { updatedCount: change.updatedCount, servers: change.entries.map(serverResponse) };
    });

    router.post(`${prefix}/publish`, async (ctx) => {
      const viewer = writer(ctx);
      const document = await readJson(ctx, settings.bodyLimitBytes);
      const data = await run(ctx, viewer, RegistryPublishDocument, { document });
      const { entry } = registrySuccess(data.publishServer, "Invalid server.json");
      ctx.body = serverResponse(entry);
    });

    // Public, as the official registry's: it reads nothing and stores nothing, and the
    // official CLI calls it without a token when a publish answers 422.
    router.post(`${prefix}/validate`, async (ctx) => {
      const viewer = ctx.state.viewer ?? publicReader();
      const document = await readJson(ctx, settings.bodyLimitBytes);
      const data = await run(ctx, viewer, RegistryCheckDocument, { document });
      ctx.body = { valid: data.checkServerJson.valid, issues: data.checkServerJson.issues };
    });

    router.get(`${prefix}/health`, (ctx) => {
      ctx.set("Cache-Control", "no-store");
      ctx.body = { status: "ok" };
    });
    router.get(`${prefix}/ping`, (ctx) => {
      ctx.body = { pong: true };
    });
    router.get(`${prefix}/version`, (ctx) => {
      ctx.body = {
        version: PRODUCT_VERSION,
        git_commit: settings.build?.gitCommit ?? "unknown",
        build_time: settings.build?.buildTime ?? "unknown",
        api: prefix.slice(1),
        openapi: "2025-12-01",
        server_schema: "2025-12-11",
      };
    });
  }
  return router;
}

function unauthenticated(): HttpError {
  return new HttpError(401, "UNAUTHENTICATED", "Sign in, or send `Authorization: Bearer <token>`", {
    "WWW-Authenticate": "Bearer",
  });
}

/** A parameter or body that breaks a rule: 422, as the official registry answers. */
function invalid(parameter: string, message: string): HttpError {
  return new HttpError(422, "VALIDATION_ERROR", `${parameter} ${message}`);
}

/** A request the registry cannot read at all (bad characters, contradictory parameters): 400. */
function badRequest(message: string): HttpError {
  return new HttpError(400, "BAD_REQUEST", message);
}

// Control characters and U+FFFD (what invalid UTF-8 percent-escapes decode to) in a
// parameter: no name, version, cursor or search text holds them.
// eslint-disable-next-line no-control-regex
const INVALID_CHARACTERS = /[\u0000-\u001f\u007f\ufffd]/;

function param(ctx: Ctx, name: string): string {
  const value = ctx.params[name];
  if (value === undefined || value === "") throw invalid(name, "is required");
  if (INVALID_CHARACTERS.test(value)) throw badRequest(`${name} contains invalid characters`);
  return value;
}

/** A query parameter given once (a repeated one is refused rather than guessed at). */
function one(query: Ctx["query"], name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw invalid(name, "must be given once");
  if (value !== undefined && INVALID_CHARACTERS.test(value)) throw badRequest(`${name} contains invalid characters`);
  return value;
}

function limitOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) {
    throw invalid("limit", `must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return Number(value);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function rfc3339(value: string | undefined): string | null {
  if (value === undefined) return null;
  const date = new Date(value);
  if (!RFC3339.test(value) || Number.isNaN(date.getTime())) {
    throw invalid("updated_since", "must be an RFC 3339 date-time such as 2025-08-07T13:15:04.280Z");
  }
  return date.toISOString();
}

function booleanOf(name: string, value: string | undefined): boolean | null {
  if (value === undefined) return null;
  if (value === "true") return true;
  if (value === "false") return false;
  throw invalid(name, "must be true or false");
}

function nonEmpty(name: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (value.trim() === "") throw invalid(name, "must not be empty");
  return value;
}

async function readJson(ctx: Parameters<typeof readBody>[0], limitBytes: number): Promise<unknown> {
  const type = ctx.request.type;
  if (type !== "application/json" && type !== "") {
    throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "Send application/json");
  }
  const body = parseJsonBody(await readBody(ctx, limitBytes));
  // Every body here (server.json, a status change) is an object; null or a list would reach GraphQL as a bad variable.
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("The body must be a JSON object");
  return body;
}

const STATUSES: Record<string, ServerStatus> = { active: "ACTIVE", deprecated: "DEPRECATED", deleted: "DELETED" };

/** StatusUpdateRequest: {status, statusMessage?}. */
function statusBody(body: unknown): { status: ServerStatus; statusMessage: string | null } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("body", "must be a JSON object");
  const { status, statusMessage } = body as { status?: unknown; statusMessage?: unknown };
  if (typeof status !== "string" || !Object.hasOwn(STATUSES, status)) throw invalid("status", "must be active, deprecated or deleted");
  if (statusMessage !== undefined && statusMessage !== null && typeof statusMessage !== "string") {
    throw invalid("statusMessage", "must be a string");
  }
  return { status: STATUSES[status]!, statusMessage: (statusMessage as string | null | undefined) ?? null };
}
