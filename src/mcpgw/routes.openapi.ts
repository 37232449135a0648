// The OpenAPI path item of /mcpgw/mcp (routes.ts), in the document src/rest/openapi.ts
// assembles. The MCP messages themselves are the Model Context Protocol's, not described here.
import { error, json, limited, type Schema } from "../http/openapi-parts.ts";

const rpcError = { type: "object", required: ["jsonrpc", "error", "id"], properties: { jsonrpc: { const: "2.0" }, error: { type: "object" }, id: { type: "null" } } };
const cors = {
  "Access-Control-Allow-Origin": { description: "For an origin GATEWAY_ALLOWED_ORIGINS lists (or *): that origin, or *", schema: { type: "string" } },
  "Access-Control-Expose-Headers": { description: "For a listed origin", schema: { type: "string" } },
};
const otherOrigin = json(rpcError, "The request's Origin is neither the registry's own nor one GATEWAY_ALLOWED_ORIGINS lists");
const notAllowed = { description: "Stateless: no stream to open, no session to end", headers: { ...limited, Allow: { schema: { const: "POST" } } }, content: { "application/json": { schema: rpcError } } };

export const mcpgwPaths: Record<string, Schema> = {
  "/.well-known/oauth-protected-resource/mcpgw/mcp": {
    get: {
      summary: "The protected-resource metadata (RFC 9728) of /mcpgw/mcp: the resource, the identity providers that issue tokens for it, the scope",
      operationId: "registryMcpResourceMetadata",
      security: [],
      responses: {
        "200": json(
          {
            type: "object",
            required: ["resource", "authorization_servers", "scopes_supported", "bearer_methods_supported"],
            properties: {
              resource: { type: "string", format: "uri" },
              authorization_servers: { type: "array", items: { type: "string", format: "uri" } },
              scopes_supported: { type: "array", items: { type: "string" } },
              bearer_methods_supported: { type: "array", items: { const: "header" } },
              resource_name: { type: "string" },
            },
          },
          "The metadata",
        ),
        "429": { ...error("Rate limited"), headers: { ...limited, "Retry-After": { $ref: "#/components/headers/Retry-After" } } },
      },
    },
  },
  "/mcpgw/mcp": {
    post: {
      summary: "The registry as an MCP server (Streamable HTTP, stateless): tools search_tools, list_servers, get_server, list_tools, health",
      operationId: "registryMcp",
      requestBody: { required: true, content: { "application/json": { schema: { description: "A JSON-RPC message or batch of the Model Context Protocol" } } } },
      responses: {
        "200": json({ description: "The JSON-RPC answer" }, "The answer"),
        "202": { description: "A notification, accepted", headers: limited },
        "400": json(rpcError, "Not JSON, or not a JSON-RPC message"),
        "401": {
          description: "Not signed in (a JSON-RPC error with a Bearer challenge naming the resource metadata), or the credential was refused (the REST error body)",
          headers: { ...limited, "WWW-Authenticate": { schema: { type: "string", pattern: "^Bearer" } } },
          content: { "application/json": { schema: { oneOf: [rpcError, { $ref: "#/components/schemas/Error" }] } } },
        },
        "403": otherOrigin,
        "406": json(rpcError, "Accept names neither application/json nor text/event-stream"),
        "413": json(rpcError, "Body too large"),
        "415": json(rpcError, "Not application/json"),
        "429": { ...error("Rate limited"), headers: { ...limited, "Retry-After": { $ref: "#/components/headers/Retry-After" } } },
        "500": error("Internal error (no details)"),
      },
    },
    get: { summary: "Not served (405)", operationId: "registryMcpGet", responses: { "403": otherOrigin, "405": notAllowed } },
    delete: { summary: "Not served (405)", operationId: "registryMcpDelete", responses: { "403": otherOrigin, "405": notAllowed } },
    options: {
      summary: "A browser's CORS preflight, answered without credentials: for the registry's own origin and the ones GATEWAY_ALLOWED_ORIGINS lists",
      operationId: "registryMcpPreflight",
      security: [],
      responses: {
        "204": {
          description: "Allowed; for a listed origin, with the CORS headers",
          headers: {
            ...limited,
            ...cors,
            Allow: { schema: { const: "POST" } },
            "Access-Control-Allow-Methods": { schema: { const: "POST" } },
            "Access-Control-Allow-Headers": { schema: { type: "string" } },
            "Access-Control-Max-Age": { schema: { type: "string" } },
          },
        },
        "403": otherOrigin,
      },
    },
  },
};
