// The registry as an MCP server: tools that let an agent find the right server and tool
// among hundreds without loading every schema into its context. Every tool runs GraphQL
// operations as the caller (src/graphql/in-process.ts), so it answers only what the
// caller may see, by the same rules as /graphql; nothing here reads the database.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Viewer } from "../auth/viewer.ts";
import {
  McpgwHealthDocument,
  McpgwSearchServersDocument,
  McpgwSearchToolsDocument,
  McpgwServerDocument,
  McpgwServersDocument,
  McpgwToolsDocument,
  type McpgwServerFragment,
  type McpgwToolFragment,
  type SearchMode,
} from "../generated/gql/graphql.ts";
import { queryInProcess } from "../graphql/in-process.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import type { Logger } from "pino";

export const MCPGW_NAME = "mcp-gateway-registry";
const PAGE_MAX = 500;
const TOOLS_PAGE_MAX = 200;
const SEARCH_MAX = 20;
/** The GraphQL search's largest page. */
const SEARCH_PAGE_MAX = 100;

export type Caller = { viewer: Viewer; log: Logger };

/** Thrown for an operation that failed; the SDK answers it as a tool result with isError. */
class OperationError extends Error {}

export function registryMcpServer(graphql: GraphQL, caller: Caller, version: string): McpServer {
  const run = async <R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> => {
    const result = await queryInProcess(graphql, document, variables, { viewer: caller.viewer, log: caller.log });
    if (result.errors?.length || !result.data) {
      const message = result.errors?.[0]?.message ?? "no data";
      caller.log.warn({ message }, "registry MCP server: operation failed");
      throw new OperationError(message);
    }
    return result.data;
  };

  const mcp = new McpServer(
    { name: MCPGW_NAME, version, title: "MCP Gateway Registry" },
    {
      capabilities: { tools: {} },
      instructions:
        "Find MCP servers and tools registered in this registry. Use search_tools with a description of the task to get the best tools, each with the gateway URL of its server (connect there with the same credentials) and its input schema.",
    },
  );

  mcp.registerTool(
    "search_tools",
    {
      title: "Search tools",
      description:
        "Finds the tools that best fit a task described in plain words (e.g. 'weather forecast for a city'). Ranked by the registry's search index (names, descriptions, parameters, synonyms), best first; a question with nothing relevant gets no tools. Answers each tool with its server's path, the server's gateway URL (where an MCP client calls it, signed in with the same credentials), the tool's input schema, a relevance score in [0, 1] and the text that matched. Only tools you may see are searched; `callable` says whether you may also call it.",
      inputSchema: {
        query: z.string().min(1).max(500).describe("What you want to do, in plain words, or a tool name."),
        limit: z.number().int().min(1).max(SEARCH_MAX).optional().describe(`How many tools, up to ${SEARCH_MAX} (default 5).`),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, limit }) => {
      const { search } = await run(McpgwSearchToolsDocument, { query, first: limit ?? 5 });
      const tools = search.hits.flatMap((hit) =>
        hit.__typename === "ToolSearchHit" ? [{ ...toolJson(hit.tool), score: hit.score, matchContext: hit.matchContext }] : [],
      );
      return answer({ query, searchMode: modeName(search.mode), tools });
    },
  );

  mcp.registerTool(
    "list_servers",
    {
      title: "List servers",
      description: "Lists the MCP servers you may see, by path: name, description, tags, health, number of tools, gateway URL and whether you may use it.",
      inputSchema: {
        search: z
          .string()
          .max(200)
          .optional()
          .describe(`Only servers that match this text (names, description, path, tags, metadata, their tools), best first, each with its score; pages then hold up to ${SEARCH_PAGE_MAX}.`),
        tags: z.array(z.string().max(100)).max(32).optional().describe("Only servers with every one of these tags."),
        first: z.number().int().min(1).max(PAGE_MAX).optional().describe(`Page size, up to ${PAGE_MAX} (default 100).`),
        after: z.string().max(500).optional().describe("The endCursor of the previous page."),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ search, tags, first, after }) => {
      if (search?.trim()) {
        const ranked = await run(McpgwSearchServersDocument, { query: search, tags, first: Math.min(first ?? 100, SEARCH_PAGE_MAX), after });
        return answer({
          totalCount: ranked.search.totalServers,
          servers: ranked.search.hits.flatMap((hit) =>
            hit.__typename === "ServerSearchHit" ? [{ ...serverJson(hit.server), score: hit.score, matchContext: hit.matchContext }] : [],
          ),
          nextCursor: ranked.search.pageInfo.hasNextPage ? (ranked.search.pageInfo.endCursor ?? null) : null,
        });
      }
      const data = await run(McpgwServersDocument, { filter: { tags }, first: first ?? 100, after });
      return answer({
        totalCount: data.servers.totalCount,
        servers: data.servers.edges.map((e) => serverJson(e.node)),
        nextCursor: data.servers.pageInfo.hasNextPage ? data.servers.pageInfo.endCursor : null,
      });
    },
  );

  mcp.registerTool(
    "get_server",
    {
      title: "Get a server",
      description: "One server by path: what it is, its health, its gateway URL and its tools (names and descriptions; list_tools gives their schemas).",
      inputSchema: { path: z.string().min(1).max(200).describe("The server's path, e.g. /weather.") },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ path }) => {
      const { server } = await run(McpgwServerDocument, { path });
      if (!server) return notFound(path);
      const { tools, version: v, license, transport, metadata, toolsChangedAt, ...rest } = server;
      return answer({ ...serverJson(rest), version: v, license, transport, metadata, toolsChangedAt, tools });
    },
  );

  mcp.registerTool(
    "list_tools",
    {
      title: "List tools",
      description: "Lists tools with their input schemas: of one server (by path), or of every server you may see.",
      inputSchema: {
        server: z.string().max(200).optional().describe("A server path, e.g. /weather; all servers when left out."),
        first: z.number().int().min(1).max(TOOLS_PAGE_MAX).optional().describe(`Page size, up to ${TOOLS_PAGE_MAX} (default 50).`),
        after: z.string().max(500).optional().describe("The endCursor of the previous page."),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ server, first, after }) => {
      const data = await run(McpgwToolsDocument, { serverPath: server, first: first ?? 50, after });
      return answer({
        totalCount: data.tools.totalCount,
        tools: data.tools.edges.map((e) => toolJson(e.node)),
        nextCursor: data.tools.pageInfo.hasNextPage ? data.tools.pageInfo.endCursor : null,
      });
    },
  );

  mcp.registerTool(
    "health",
    {
      title: "Health",
      description: "The health of the servers you may see: counts by state and each server's state, or one server's state and its last checks.",
      inputSchema: { path: z.string().max(200).optional().describe("One server's path; all servers when left out.") },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ path }) => {
      const data = await run(McpgwHealthDocument, { path: path ?? "", withServer: path !== undefined, first: PAGE_MAX });
      if (path !== undefined) return data.server ? answer({ server: data.server }) : notFound(path);
      return answer({
        counts: data.serverCounts,
        servers: data.servers?.edges.map((e) => e.node) ?? [],
        truncated: (data.servers?.totalCount ?? 0) > PAGE_MAX,
      });
    },
  );

  return mcp;
}

function serverJson(s: McpgwServerFragment) {
  const { viewerCan, ...rest } = s;
  return { ...rest, canUse: viewerCan.use };
}

function toolJson(t: McpgwToolFragment) {
  return {
    name: t.name,
    title: t.title ?? null,
    description: t.description,
    serverPath: t.server.path,
    serverName: t.server.name,
    gatewayUrl: t.server.gatewayUrl,
    serverEnabled: t.server.enabled,
    callable: t.callable,
    inputSchema: t.inputSchema,
  };
}

function modeName(mode: SearchMode): "hybrid" | "lexical-only" {
  return mode === "HYBRID" ? "hybrid" : "lexical-only";
}

function answer(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

function notFound(path: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: `No server at ${path}, or you may not see it.` }] };
}
