// The OpenAPI 3.1 description of every HTTP route, served at /openapi.json (the registry
// API's success bodies are the official registry's, described by its own openapi.yaml). Each route module
// describes its paths in a sibling `*.openapi.ts` file; this module assembles them and
// holds the components they refer to. The test suites validate every REST response
// they receive against the document, so it cannot drift from what the handlers send
// (src/rest/shapes.ts builds those shapes).
import { authPaths } from "../auth/routes.openapi.ts";
import { graphqlPaths } from "../graphql/route.openapi.ts";
import { error, limited, nullable, ref, type Schema } from "../http/openapi-parts.ts";
import { webPaths } from "../web/routes.openapi.ts";
import { mcpgwPaths } from "../mcpgw/routes.openapi.ts";
import { gatewayApiPaths } from "./gateway-api.openapi.ts";
import { registryApiPaths } from "./registry-v0.openapi.ts";
import { tokenPaths } from "./tokens.openapi.ts";
import { auditPaths } from "./audit.openapi.ts";
import { searchPaths } from "./search.openapi.ts";

export function openApiDocument(publicUrl: string): Schema {
  return withMalformedInput({
    openapi: "3.1.0",
    info: {
      title: "MCP Gateway Registry REST API",
      version: "1.0.0",
      description:
        "The product's form and JSON endpoints. Each runs a GraphQL operation against /graphql with the caller's identity; see the README's REST ↔ GraphQL section. Authenticate with the session cookie from POST /login or with `Authorization: Bearer <token>` (or `X-Authorization: Bearer <token>`). Errors are `{\"error\": {\"code\", \"message\"}}`; a browser navigating to a page (GET preferring text/html) gets the same status and message as an HTML page.",
    },
    servers: [{ url: publicUrl }],
    security: [{ bearer: [] }, { xAuthorization: [] }, { session: [] }],
    paths: {
      ...gatewayApiPaths,
      ...tokenPaths,
      ...auditPaths,
      ...searchPaths,
      ...authPaths,
      ...graphqlPaths,
      ...webPaths,
      ...mcpgwPaths,
      ...registryApiPaths,
      // The routes app.ts defines itself.
      "/health": {
        get: {
          summary: "Liveness and database state (not rate limited)",
          operationId: "health",
          security: [],
          responses: {
            "200": { description: "Healthy", content: { "application/json": { schema: ref("Health") } } },
            "503": { description: "Database unreachable", content: { "application/json": { schema: ref("Health") } } },
          },
        },
      },
      "/ready": {
        get: {
          summary: "Readiness for load balancers: database reachable, migrations applied, change feed connected (not rate limited)",
          operationId: "ready",
          security: [],
          responses: {
            "200": { description: "Ready to take traffic", content: { "application/json": { schema: ref("Readiness") } } },
            "503": { description: "Not ready: the fields say which check failed", content: { "application/json": { schema: ref("Readiness") } } },
          },
        },
      },
      "/openapi.json": {
        get: {
          summary: "This document (not rate limited)",
          operationId: "openapi",
          security: [],
          responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } } },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A registry token (POST /api/tokens/generate) or a token from the identity provider" },
        xAuthorization: {
          type: "apiKey",
          in: "header",
          name: "X-Authorization",
          description: "`Bearer <token>`, as the original product's clients send it; read when Authorization is absent",
        },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "mcp_gateway_session",
          description: "From POST /login or the OpenID Connect sign-in: one cookie, `<session id>.<signature>`",
        },
      },
      headers: {
        "X-RateLimit-Limit": { description: "Requests a minute, and the largest burst", schema: { type: "string", pattern: "^\\d+$" } },
        "X-RateLimit-Remaining": { description: "Requests left now", schema: { type: "string", pattern: "^\\d+$" } },
        "X-RateLimit-Reset": { description: "When the bucket is full again (Unix seconds)", schema: { type: "string", pattern: "^\\d+$" } },
        "Retry-After": { description: "Seconds until a request is allowed", schema: { type: "string", pattern: "^\\d+$" } },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          additionalProperties: false,
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              additionalProperties: false,
              properties: { code: { type: "string", pattern: "^[A-Z_]+$" }, message: { type: "string", minLength: 1 } },
            },
          },
        },
        ParsedDescription: {
          type: "object",
          required: ["main", "args", "returns", "raises"],
          additionalProperties: false,
          properties: { main: { type: "string" }, args: nullable("string"), returns: nullable("string"), raises: nullable("string") },
        },
        Tool: {
          type: "object",
          required: ["name", "description", "parsed_description", "schema"],
          properties: {
            name: { type: "string" },
            description: { type: "string" },
            parsed_description: ref("ParsedDescription"),
            schema: { description: "The tool's JSON Schema for its input" },
          },
        },
        Server: {
          type: "object",
          required: [
            "path",
            "name",
            "server_name",
            "description",
            "proxy_pass_url",
            "gateway_url",
            "tags",
            "num_tools",
            "num_stars",
            "is_python",
            "license",
            "metadata",
            "transport",
            "upstream_timeout_seconds",
            "is_enabled",
            "health_status",
            "last_checked_iso",
            "tool_list",
          ],
          additionalProperties: false,
          properties: {
            path: { type: "string", pattern: "^/" },
            name: { type: "string" },
            server_name: { type: "string", description: "Same as `name` (the original product's field)" },
            description: { type: "string" },
            proxy_pass_url: { type: "string" },
            gateway_url: { type: "string", format: "uri", description: "Where MCP clients reach the server through the gateway: {PUBLIC_URL}{path}/mcp" },
            tags: { type: "array", items: { type: "string" } },
            num_tools: { type: "integer", minimum: 0 },
            num_stars: { type: "integer", minimum: 0 },
            is_python: { type: "boolean" },
            license: { type: "string" },
            metadata: { type: "object" },
            transport: { type: "string", enum: ["streamable_http", "sse", "auto"] },
            upstream_timeout_seconds: nullable("integer", { minimum: 1, maximum: 86_400, description: "The gateway's upstream timeout for this server; null: the registry's default" }),
            is_enabled: { type: "boolean" },
            health_status: { type: "string", description: "healthy, unhealthy: <reason>, checking, disabled or unknown" },
            last_checked_iso: nullable("string", { format: "date-time" }),
            tool_list: { type: "array", items: { ...ref("Tool"), type: "object", unevaluatedProperties: false } },
          },
        },
        Status: {
          type: "object",
          required: ["service_path", "status", "last_checked_iso", "num_tools"],
          properties: {
            service_path: { type: "string", pattern: "^/" },
            status: { type: "string" },
            last_checked_iso: nullable("string", { format: "date-time" }),
            num_tools: { type: "integer", minimum: 0 },
          },
        },
        ServerTools: {
          type: "object",
          required: ["service_path", "tools"],
          additionalProperties: false,
          properties: {
            service_path: { type: "string", pattern: "^/" },
            tools: { type: "array", items: { ...ref("Tool"), type: "object", unevaluatedProperties: false } },
          },
        },
        AllTools: {
          type: "object",
          required: ["service_path", "tools", "servers"],
          additionalProperties: false,
          properties: {
            service_path: { const: "all" },
            tools: {
              type: "array",
              items: {
                allOf: [ref("Tool"), { type: "object", required: ["server_path", "server_name"], properties: { server_path: { type: "string" }, server_name: { type: "string" } } }],
                type: "object",
                unevaluatedProperties: false,
              },
            },
            servers: { type: "object", additionalProperties: { type: "array", items: { ...ref("Tool"), type: "object", unevaluatedProperties: false } } },
          },
        },
        HealthMap: {
          type: "object",
          description: "By server path",
          additionalProperties: {
            type: "object",
            required: ["status", "last_checked_iso", "num_tools"],
            additionalProperties: false,
            properties: {
              status: { type: "string", description: "healthy, unhealthy: <reason>, checking, disabled or unknown" },
              last_checked_iso: nullable("string", { format: "date-time" }),
              num_tools: { type: "integer", minimum: 0 },
            },
          },
        },
        TokenFile: {
          type: "object",
          required: ["tokens", "registry_url", "keycloak_url", "realm", "client_id", "expires_at"],
          additionalProperties: false,
          properties: {
            tokens: {
              type: "object",
              required: ["access_token", "refresh_token", "token_type", "expires_in", "scope", "jti"],
              additionalProperties: false,
              properties: {
                access_token: { type: "string" },
                refresh_token: { type: "null" },
                token_type: { const: "bearer" },
                expires_in: { type: "integer", minimum: 1 },
                scope: { type: "string" },
                jti: { type: "string" },
              },
            },
            registry_url: { type: "string" },
            keycloak_url: nullable("string"),
            realm: nullable("string"),
            client_id: nullable("string"),
            expires_at: { type: "string", format: "date-time" },
          },
        },
        TokenInfo: {
          type: "object",
          required: ["jti", "username", "scopes", "servers", "description", "created_at", "expires_at", "revoked_at", "active"],
          additionalProperties: false,
          properties: {
            jti: { type: "string" },
            username: { type: "string" },
            scopes: { type: "array", items: { type: "string" } },
            servers: { type: "array", items: { type: "string" }, description: "Server paths the token is limited to; empty: not limited" },
            description: { type: "string" },
            created_at: { type: "string", format: "date-time" },
            expires_at: { type: "string", format: "date-time" },
            revoked_at: nullable("string", { format: "date-time" }),
            active: { type: "boolean" },
          },
        },
        Health: {
          type: "object",
          required: ["status", "database"],
          additionalProperties: false,
          properties: { status: { enum: ["ok", "unavailable"] }, database: { enum: ["ok", "unreachable"] } },
        },
        Readiness: {
          type: "object",
          required: ["status", "database", "migrations", "changeFeed"],
          additionalProperties: false,
          properties: {
            status: { enum: ["ready", "unavailable"] },
            database: { enum: ["ok", "unreachable"] },
            migrations: { enum: ["ok", "pending", "unknown"] },
            changeFeed: { enum: ["ok", "disconnected"] },
          },
        },
      },
    },
  });
}

/** A GraphQL response: `data`, `errors` or both. */
const graphqlResponse = (description: string) => {
  const schema = { type: "object", properties: { data: {}, errors: { type: "array", items: { type: "object", required: ["message"] } } } };
  return { description, headers: limited, content: { "application/json": { schema }, "application/graphql-response+json": { schema } } };
};

/**
 * Every route refuses malformed input with 400 before it runs (http/hostile-input.ts): a NUL
 * byte in the path, query or body, a lone surrogate or JSON nested too deep in a body, a
 * body that does not parse. Operations that describe their own 400 keep it and gain the
 * error body; /graphql answers with GraphQL responses instead (route.ts).
 */
function withMalformedInput<T extends { paths: object }>(document: T): T {
  const doc = document as unknown as { paths: Record<string, Record<string, { responses: Record<string, Schema> }>> };
  const malformed = error("Malformed input: a NUL byte, a lone surrogate, JSON nested too deep, or a body that does not parse");
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const operation of Object.values(operations)) {
      if (path === "/graphql") {
        Object.assign(operation.responses, {
          "200": graphqlResponse("A result"),
          "400": graphqlResponse("A request error (with Accept: application/graphql-response+json), or malformed input"),
          "405": graphqlResponse("Not GET or POST, or a mutation over GET"),
          "406": graphqlResponse("Accept names no type the server sends; the answer is JSON all the same"),
          "415": graphqlResponse("A body that is not application/json"),
        });
        continue;
      }
      // Routes that are not rate limited (assets, /health) promise no rate-limit headers.
      const limitedRoute = Object.values(operation.responses).some((r) => "X-RateLimit-Limit" in ((r as { headers?: object }).headers ?? {}));
      const own = operation.responses["400"] as { content?: Record<string, unknown> } | undefined;
      if (!own) operation.responses["400"] = limitedRoute ? malformed : { description: malformed.description, content: malformed.content };
      else own.content = { ...malformed.content, ...own.content };
    }
  }
  return document;
}
