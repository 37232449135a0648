// Ranked search over servers and tools (CONTRACT-16's shape). The ranking and visibility
// are the search service's (src/search/service.ts); this resolver parses, calls, and loads
// the page's servers and tools in one query each.
import { GraphQLError } from "graphql";
import { ValidationError } from "../../errors.ts";
import type { Server, Tool } from "../../generated/prisma/client.ts";
import type { SearchHit as Hit } from "../../search/service.ts";
import { builder } from "../builder.ts";
import type { Context } from "../context.ts";
import { grantsOf } from "../viewer.ts";
import { ServerRef } from "./servers.ts";
import { ToolRef } from "./tools.ts";

type ToolHitShape = { score: number; matchContext: string; matchedTerms: string[]; tool: Tool; server: Server };
type ServerHitShape = { score: number; matchContext: string; matchedTerms: string[]; server: Server; matchingTools: ToolHitShape[] };
type HitShape = ({ kind: "server" } & ServerHitShape) | ({ kind: "tool" } & ToolHitShape);
type ResultsShape = {
  mode: "HYBRID" | "LEXICAL_ONLY";
  totalServers: number;
  totalTools: number;
  hits: HitShape[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};

const SearchTypeEnum = builder.enumType("SearchType", {
  description: "What a search returns.",
  values: { SERVER: { value: "server", description: "Servers." }, TOOL: { value: "tool", description: "Tools." } } as const,
});

const SearchModeEnum = builder.enumType("SearchMode", {
  description: "Which ranking ran.",
  values: {
    HYBRID: { value: "HYBRID", description: "The lexical arms and the embedding arm, fused." },
    LEXICAL_ONLY: { value: "LEXICAL_ONLY", description: "The lexical arms only (no embedding provider, or it did not answer in time)." },
  } as const,
});

const SearchFilterInput = builder.inputType("SearchFilter", {
  description: "Which servers (and their tools) a search may return.",
  fields: (t) => ({
    tags: t.stringList({ required: false, description: "Only servers that carry every one of these tags (and their tools)." }),
    includeDisabled: t.boolean({ required: false, description: "Include disabled servers and their tools (default false)." }),
  }),
});

const SearchHitInterface = builder.interfaceRef<HitShape>("SearchHit").implement({
  description: "One ranked result.",
  resolveType: (hit) => (hit.kind === "server" ? "ServerSearchHit" : "ToolSearchHit"),
  fields: (t) => ({
    score: t.exposeFloat("score", { description: "Relevance in [0, 1]; hits come best first." }),
    matchContext: t.exposeString("matchContext", { description: "A plain-text snippet (at most 200 characters) of what matched." }),
    matchedTerms: t.exposeStringList("matchedTerms", { description: "The document's words that matched, as written there (to highlight; never HTML)." }),
  }),
});

const ToolSearchHit = builder.objectRef<ToolHitShape & { kind: "tool" }>("ToolSearchHit").implement({
  description: "A tool that matched.",
  interfaces: [SearchHitInterface],
  fields: (t) => ({
    tool: t.field({ type: ToolRef, description: "The tool.", resolve: (hit) => hit.tool }),
    server: t.field({ type: ServerRef, description: "The server that offers it.", resolve: (hit) => hit.server }),
  }),
});

builder.objectRef<ServerHitShape & { kind: "server" }>("ServerSearchHit").implement({
  description: "A server that matched, by its own document or through its tools.",
  interfaces: [SearchHitInterface],
  fields: (t) => ({
    server: t.field({ type: ServerRef, description: "The server.", resolve: (hit) => hit.server }),
    matchingTools: t.field({
      type: [ToolSearchHit],
      description: "Its tools that matched, best first (at most five).",
      extensions: { listSize: 5 },
      resolve: (hit) => hit.matchingTools.map((m) => ({ ...m, kind: "tool" as const })),
    }),
  }),
});

const SearchPageInfo = builder.objectRef<ResultsShape["pageInfo"]>("SearchPageInfo").implement({
  description: "Where this page of hits ends.",
  fields: (t) => ({
    hasNextPage: t.exposeBoolean("hasNextPage", { description: "More hits follow (pass endCursor as `after`)." }),
    endCursor: t.exposeString("endCursor", { nullable: true, description: "The cursor after this page's last hit; null on an empty page." }),
  }),
});

const SearchResults = builder.objectRef<ResultsShape>("SearchResults").implement({
  description: "A page of ranked hits and how many there are in all.",
  fields: (t) => ({
    mode: t.field({ type: SearchModeEnum, description: "Which ranking ran.", resolve: (r) => r.mode }),
    totalServers: t.exposeInt("totalServers", { description: "Servers above the relevance floor, on all pages." }),
    totalTools: t.exposeInt("totalTools", { description: "Tools above the relevance floor, on all pages." }),
    // Priced by search's `first` (cost-limit.ts): the page holds at most that many.
    hits: t.field({ type: [SearchHitInterface], description: "This page's hits, best first.", extensions: { listSize: 1 }, resolve: (r) => r.hits }),
    pageInfo: t.field({ type: SearchPageInfo, description: "Paging.", resolve: (r) => r.pageInfo }),
  }),
});

/** The page's servers and tools, one query each; hits whose row went meanwhile are left out. */
async function hydrate(ctx: Context, hits: Hit[]): Promise<HitShape[]> {
  const toolIds = new Set<string>();
  const serverIds = new Set<string>();
  for (const h of hits) {
    serverIds.add(h.serverId);
    if (h.kind === "tool") toolIds.add(h.refId);
    else for (const m of h.matchingTools) toolIds.add(m.refId);
  }
  const [servers, tools] = await Promise.all([
    ctx.prisma.server.findMany({ where: { id: { in: [...serverIds] } } }),
    toolIds.size === 0 ? Promise.resolve([] as Tool[]) : ctx.prisma.tool.findMany({ where: { id: { in: [...toolIds] } } }),
  ]);
  const serverById = new Map(servers.map((s) => [s.id, s]));
  const toolById = new Map(tools.map((t) => [t.id, t]));
  const toolHit = (h: { score: number; matchContext: string; matchedTerms: string[]; refId: string; serverId: string }): ToolHitShape | null => {
    const tool = toolById.get(h.refId);
    const server = serverById.get(h.serverId);
    return tool && server ? { score: h.score, matchContext: h.matchContext, matchedTerms: h.matchedTerms, tool, server } : null;
  };
  const out: HitShape[] = [];
  for (const h of hits) {
    if (h.kind === "tool") {
      const hit = toolHit(h);
      if (hit) out.push({ kind: "tool", ...hit });
      continue;
    }
    const server = serverById.get(h.serverId);
    if (!server) continue;
    const matchingTools = h.matchingTools.map(toolHit).filter((m): m is ToolHitShape => m !== null);
    out.push({ kind: "server", score: h.score, matchContext: h.matchContext, matchedTerms: h.matchedTerms, server, matchingTools });
  }
  return out;
}

builder.queryFields((t) => ({
  search: t.field({
    type: SearchResults,
    description:
      "Ranked search over the servers and tools the viewer may list: full text, names (exact, prefix, close spellings), " +
      "expanded terms and, when configured, embeddings. A query with nothing relevant returns no hits. " +
      "An empty query, one over 500 characters, or one with NUL bytes or lone surrogates is refused (BAD_USER_INPUT).",
    args: {
      query: t.arg.string({ required: true, description: "What to look for, in words (at most 500 characters)." }),
      types: t.arg({ type: [SearchTypeEnum], required: false, description: "Servers, tools, or both (the default)." }),
      first: t.arg.int({ required: false, description: "Hits per page: default 10, at most 100." }),
      after: t.arg.string({ required: false, description: "The endCursor of the previous page." }),
      filter: t.arg({ type: SearchFilterInput, required: false, description: "Tags, and whether disabled servers count." }),
    },
    resolve: async (_root, args, ctx): Promise<ResultsShape> => {
      try {
        const result = await ctx.search.search(grantsOf(ctx), {
          query: args.query,
          types: args.types ?? null,
          first: args.first ?? null,
          after: args.after ?? null,
          tags: args.filter?.tags ?? null,
          includeDisabled: args.filter?.includeDisabled ?? null,
        });
        return {
          mode: result.mode === "hybrid" ? "HYBRID" : "LEXICAL_ONLY",
          totalServers: result.totalServers,
          totalTools: result.totalTools,
          hits: await hydrate(ctx, result.hits),
          pageInfo: { hasNextPage: result.hasNextPage, endCursor: result.endCursor },
        };
      } catch (err) {
        // `search` answers a type, not a result union: refusals are typed GraphQL errors.
        if (err instanceof ValidationError) {
          throw new GraphQLError(err.message, { extensions: { code: "BAD_USER_INPUT", fieldErrors: err.fieldErrors, http: { status: 400 } } });
        }
        throw err;
      }
    },
  }),
}));
