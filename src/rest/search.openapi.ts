// The OpenAPI path item of POST /api/search/semantic (search.ts), in the document src/rest/openapi.ts assembles.
import { common, error, json, type Schema } from "../http/openapi-parts.ts";
import { ENTITY_TYPES, SEARCH_QUERY_MAX, SEARCH_RESULTS_MAX, SEARCH_TAGS_MAX } from "./search.ts";

const score: Schema = { type: "number", minimum: 0, maximum: 1, description: "Relevance in [0, 1]; hits come best first" };
const context: Schema = { type: "string", maxLength: 200, description: "A plain-text snippet of what matched" };
const endpoint: Schema = { type: "string", format: "uri", description: "The server's gateway URL, where MCP clients call it (`{PUBLIC_URL}{path}/mcp`)" };
const inputSchema: Schema = { description: "The tool's JSON Schema for its input" };

const matchingTool: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["tool_name", "description", "relevance_score", "match_context", "inputSchema"],
  properties: { tool_name: { type: "string" }, description: { type: "string" }, relevance_score: score, match_context: context, inputSchema },
};

const server: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["path", "server_name", "description", "tags", "num_tools", "is_enabled", "relevance_score", "match_context", "matching_tools", "endpoint_url"],
  properties: {
    path: { type: "string" },
    server_name: { type: "string" },
    description: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
    num_tools: { type: "integer", minimum: 0 },
    is_enabled: { type: "boolean" },
    relevance_score: score,
    match_context: context,
    matching_tools: { type: "array", items: matchingTool, description: "The server's tools that matched, best first" },
    endpoint_url: endpoint,
  },
};

const tool: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["server_path", "server_name", "tool_name", "description", "inputSchema", "relevance_score", "match_context", "endpoint_url"],
  properties: {
    server_path: { type: "string" },
    server_name: { type: "string" },
    tool_name: { type: "string" },
    description: { type: "string" },
    inputSchema,
    relevance_score: score,
    match_context: context,
    endpoint_url: endpoint,
  },
};

export const searchPaths: Record<string, Schema> = {
  "/api/search/semantic": {
    post: {
      summary: "Ranked search over the servers and tools the caller may see (the original product's request and answer)",
      description:
        "Runs the GraphQL `search` twice in one operation, once for servers and once for tools, so that each list holds up to `max_results`. `search_mode` says whether the embedding arm ran (`hybrid`) or only the lexical ones.",
      operationId: "semanticSearch",
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["query"],
              properties: {
                query: { type: "string", minLength: 1, maxLength: SEARCH_QUERY_MAX, description: "What to find, in plain words or names; not only whitespace" },
                entity_types: { type: ["array", "null"], items: { enum: [...ENTITY_TYPES] }, description: "Which kinds; both when left out or empty" },
                tags: { type: ["array", "null"], maxItems: SEARCH_TAGS_MAX, items: { type: "string", minLength: 1, maxLength: 100 }, description: "Only servers (and their tools) with every one of these tags" },
                max_results: { type: ["integer", "null"], minimum: 1, maximum: SEARCH_RESULTS_MAX, default: 10, description: "Per kind" },
                include_disabled: { type: ["boolean", "null"], default: false, description: "Disabled servers too (and their tools)" },
              },
            },
          },
        },
      },
      responses: {
        "200": json(
          {
            type: "object",
            additionalProperties: false,
            required: ["query", "search_mode", "servers", "tools", "total_servers", "total_tools"],
            properties: {
              query: { type: "string" },
              search_mode: { enum: ["hybrid", "lexical-only"] },
              servers: { type: "array", items: server },
              tools: { type: "array", items: tool },
              total_servers: { type: "integer", minimum: 0, description: "How many servers match, beyond this page too" },
              total_tools: { type: "integer", minimum: 0, description: "How many tools match, beyond this page too" },
            },
          },
          "Hits, best first; empty lists when nothing is relevant",
        ),
        "400": error("Not JSON, a field of the wrong type, an empty or overlong query, max_results out of range, an unknown entity type, NUL bytes or lone surrogates"),
        "413": error("Body too large"),
        "415": error("Not application/json"),
        ...common,
      },
    },
  },
};
