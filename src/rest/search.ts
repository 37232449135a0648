// POST /api/search/semantic: the original product's search request and answer, over the
// GraphQL `search` (src/rest/operations/search.graphql). Parse, run, map: the ranking,
// the visibility rules and the validation that matters live behind the schema.
import type Router from "@koa/router";
import { z } from "zod";
import { RestSemanticSearchDocument, type RestSearchToolFragment, type RestSemanticSearchQuery } from "../generated/gql/graphql.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import { parseJsonBody, readBody } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import type { AppState } from "../http/state.ts";
import { runOperation } from "./execute.ts";

/** Requests are a few hundred bytes; anything near this is not a search. */
export const SEARCH_BODY_LIMIT = 16 * 1024;
/** The GraphQL `search` refuses longer queries (CONTRACT: 500 characters). */
export const SEARCH_QUERY_MAX = 500;
/** Per kind, as the original product's `max_results` (1 to 50, default 10). */
export const SEARCH_RESULTS_MAX = 50;
export const SEARCH_TAGS_MAX = 32;
const TAG_MAX = 100;

export const ENTITY_TYPES = ["mcp_server", "tool"] as const;

const request = z.object({
  query: z
    .string({ error: "query must be a string" })
    .max(SEARCH_QUERY_MAX, { error: `query must be at most ${SEARCH_QUERY_MAX} characters` })
    .refine((q) => q.trim() !== "", { error: "query must not be empty" }),
  entity_types: z
    .array(z.enum(ENTITY_TYPES, { error: `entity_types may hold only ${ENTITY_TYPES.map((t) => `"${t}"`).join(" and ")}` }), {
      error: "entity_types must be a list",
    })
    .max(ENTITY_TYPES.length * 2, { error: "entity_types is too long" })
    .nullish(),
  tags: z
    .array(z.string({ error: "tags must be strings" }).min(1, { error: "a tag must not be empty" }).max(TAG_MAX, { error: `a tag must be at most ${TAG_MAX} characters` }), {
      error: "tags must be a list of strings",
    })
    .max(SEARCH_TAGS_MAX, { error: `at most ${SEARCH_TAGS_MAX} tags` })
    .nullish(),
  max_results: z
    .number({ error: "max_results must be a number" })
    .int({ error: "max_results must be a whole number" })
    .min(1, { error: `max_results must be from 1 to ${SEARCH_RESULTS_MAX}` })
    .max(SEARCH_RESULTS_MAX, { error: `max_results must be from 1 to ${SEARCH_RESULTS_MAX}` })
    .nullish(),
  include_disabled: z.boolean({ error: "include_disabled must be true or false" }).nullish(),
});

export type SemanticSearchRequest = z.output<typeof request>;

/** The body as a request, or a 400 that names the first field at fault. Unknown fields are ignored, as the original product does. */
export function parseSearchRequest(body: unknown): SemanticSearchRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "BAD_REQUEST", "Request body must be a JSON object");
  }
  if (!("query" in body)) throw new HttpError(400, "VALIDATION_ERROR", "query is required");
  const parsed = request.safeParse(body);
  if (!parsed.success) throw new HttpError(400, "VALIDATION_ERROR", parsed.error.issues[0]?.message ?? "Invalid search request");
  return parsed.data;
}

type ServerHits = NonNullable<RestSemanticSearchQuery["servers"]>["hits"];
type ServerHit = Extract<ServerHits[number], { __typename: "ServerSearchHit" }>;
type ToolHit = Extract<NonNullable<RestSemanticSearchQuery["tools"]>["hits"][number], { __typename: "ToolSearchHit" }>;

export function searchAnswer(query: string, data: RestSemanticSearchQuery) {
  const servers = (data.servers?.hits ?? []).filter((h): h is ServerHit => h.__typename === "ServerSearchHit");
  const tools = (data.tools?.hits ?? []).filter((h): h is ToolHit => h.__typename === "ToolSearchHit");
  const hybrid = data.servers?.mode === "HYBRID" || data.tools?.mode === "HYBRID";
  return {
    query,
    search_mode: hybrid ? ("hybrid" as const) : ("lexical-only" as const),
    servers: servers.map((hit) => ({
      path: hit.server.path,
      server_name: hit.server.name,
      description: hit.server.description,
      tags: hit.server.tags,
      num_tools: hit.server.numTools,
      is_enabled: hit.server.enabled,
      relevance_score: hit.score,
      match_context: hit.matchContext,
      matching_tools: hit.matchingTools.map((t) => ({
        tool_name: t.tool.name,
        description: t.tool.description,
        relevance_score: t.score,
        match_context: t.matchContext,
        inputSchema: t.tool.inputSchema,
      })),
      endpoint_url: hit.server.gatewayUrl,
    })),
    tools: tools.map(toolJson),
    total_servers: data.servers?.totalServers ?? 0,
    total_tools: data.tools?.totalTools ?? 0,
  };
}

function toolJson(hit: RestSearchToolFragment) {
  return {
    server_path: hit.server.path,
    server_name: hit.server.name,
    tool_name: hit.tool.name,
    description: hit.tool.description,
    inputSchema: hit.tool.inputSchema,
    relevance_score: hit.score,
    match_context: hit.matchContext,
    endpoint_url: hit.server.gatewayUrl,
  };
}

export function searchRoutes(router: Router<AppState>, graphql: GraphQL): void {
  router.post("/api/search/semantic", async (ctx) => {
    if (ctx.request.type !== "application/json") throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "Send application/json");
    const req = parseSearchRequest(parseJsonBody(await readBody(ctx, SEARCH_BODY_LIMIT)));
    // An empty list asks for every kind, as a missing one does (the original product reads it so).
    const kinds = new Set(req.entity_types?.length ? req.entity_types : ENTITY_TYPES);
    const filter = { tags: req.tags?.length ? req.tags : null, includeDisabled: req.include_disabled ?? false };
    const data = await runOperation(
      graphql,
      RestSemanticSearchDocument,
      { query: req.query, first: req.max_results ?? 10, filter, withServers: kinds.has("mcp_server"), withTools: kinds.has("tool") },
      ctx.state,
    );
    ctx.set("Cache-Control", "no-store");
    ctx.body = searchAnswer(req.query, data);
  });
}
