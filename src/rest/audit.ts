// GET /api/audit: the audit log as JSON lines, newest first, for export. It pages through
// the auditEvents connection (same visibility: admins everyone's, others their own) and
// streams each page as it comes, so an export of any size holds one page in memory.
import { Readable } from "node:stream";
import type Router from "@koa/router";
import { RestAuditEventsDocument, type AuditEventFilter, type RestAuditEventsQuery } from "../generated/gql/graphql.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import { HttpError } from "../http/errors.ts";
import type { AppState } from "../http/state.ts";
import { runOperation } from "./execute.ts";

const PAGE = 500;
export const AUDIT_EXPORT_MAX = 100_000;
const FILTER_MAX_CHARS = 256;

type Node = RestAuditEventsQuery["auditEvents"]["edges"][number]["node"];

export function auditRoutes(router: Router<AppState>, graphql: GraphQL): void {
  router.get("/api/audit", async (ctx) => {
    const { filter, limit } = exportRequest(ctx.query);
    const caller = { viewer: ctx.state.viewer, log: ctx.state.log, bypassResultCache: true };
    const page = (after: string | null | undefined, first: number) => runOperation(graphql, RestAuditEventsDocument, { first, after, filter }, caller);
    // The first page before any byte is sent, so that a refusal is still a clean error answer.
    const firstPage = await page(undefined, Math.min(PAGE, limit));
    async function* lines(): AsyncGenerator<string> {
      let current = firstPage.auditEvents;
      let sent = 0;
      for (;;) {
        let chunk = "";
        for (const { node } of current.edges) chunk += `${JSON.stringify(line(node))}\n`;
        sent += current.edges.length;
        if (chunk) yield chunk;
        if (!current.pageInfo.hasNextPage || sent >= limit) return;
        current = (await page(current.pageInfo.endCursor, Math.min(PAGE, limit - sent))).auditEvents;
      }
    }
    ctx.set("Cache-Control", "no-store");
    ctx.type = "application/x-ndjson; charset=utf-8";
    const body = Readable.from(lines());
    body.on("error", (err) => ctx.state.log.error({ err: err.message }, "audit export failed part-way"));
    ctx.body = body;
  });
}

function line(n: Node) {
  return {
    sequence: n.sequence,
    at: n.at,
    actor: n.actor,
    actor_name: n.actorName,
    auth_method: n.authMethod ?? null,
    action: n.action,
    server_path: n.serverPath ?? null,
    tool: n.tool ?? null,
    outcome: n.outcome,
    latency_ms: n.latencyMs ?? null,
    session: n.session ?? null,
    token_hint: n.tokenHint ?? null,
    details: n.details,
  };
}

const invalid = (message: string) => new HttpError(400, "VALIDATION_ERROR", message);
const PARAMS = new Set(["actor", "server", "action", "since", "limit"]);

/** The query string as the connection's filter; anything else is a 400. */
function exportRequest(query: Record<string, string | string[] | undefined>): { filter: AuditEventFilter; limit: number } {
  const unknown = Object.keys(query).filter((k) => !PARAMS.has(k));
  if (unknown.length > 0) throw invalid(`unknown parameter${unknown.length > 1 ? "s" : ""}: ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(", ")}`);
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) throw invalid(`${name} may be given once`);
    // NUL cannot be stored or compared in PostgreSQL text; no real value holds one.
    if (value === "" || value.length > FILTER_MAX_CHARS || value.includes("\u0000")) throw invalid(`${name} must be 1 to ${FILTER_MAX_CHARS} characters without NUL`);
    return value;
  };
  const filter: AuditEventFilter = {};
  const actor = text("actor");
  const server = text("server");
  const action = text("action");
  const since = text("since");
  if (actor !== undefined) filter.actor = actor;
  if (server !== undefined) filter.serverPath = server;
  if (action !== undefined) filter.action = action;
  if (since !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(since) || Number.isNaN(Date.parse(since))) {
      throw invalid("since must be an ISO 8601 date or date-time with a zone, such as 2026-01-31T12:00:00Z");
    }
    filter.since = new Date(since).toISOString();
  }
  const rawLimit = text("limit");
  let limit = AUDIT_EXPORT_MAX;
  if (rawLimit !== undefined) {
    const n = /^\d{1,7}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > AUDIT_EXPORT_MAX) throw invalid(`limit must be a whole number from 1 to ${AUDIT_EXPORT_MAX}`);
    limit = n;
  }
  return { filter, limit };
}
