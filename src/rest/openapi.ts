// The OpenAPI 3.1 description of the REST layer, served at /openapi.json. The test
// suites validate every REST response they receive against it, so it cannot drift
// from what the handlers send (src/rest/shapes.ts builds those shapes).

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string, extra: Schema = {}): Schema => ({ type: [type, "null"], ...extra });

const servicePath: Schema = {
  name: "service_path",
  in: "path",
  required: true,
  description: "The server's path without its leading slash (`weather`, `team/api`); `all` where the endpoint says so.",
  schema: { type: "string" },
};

const limited = {
  "X-RateLimit-Limit": { $ref: "#/components/headers/X-RateLimit-Limit" },
  "X-RateLimit-Remaining": { $ref: "#/components/headers/X-RateLimit-Remaining" },
  "X-RateLimit-Reset": { $ref: "#/components/headers/X-RateLimit-Reset" },
};

const json = (schema: Schema, description: string, extraHeaders: Schema = {}) => ({
  description,
  headers: { ...limited, ...extraHeaders },
  content: { "application/json": { schema } },
});

/** Browsers asking for a page without a session are sent to sign in. */
const toLogin = { description: "No session: to /login?next=…", headers: { ...limited, Location: { schema: { type: "string", pattern: "^/login" } } } };

/** The sign-in page, shown with its message in plain words. */
const page = (description: string) => ({ description, headers: limited, content: { "text/html": { schema: { type: "string" } } } });

const error = (description: string) => json(ref("Error"), description);

/** The errors every authenticated endpoint can answer with. */
const common = {
  "401": error("Not signed in, or the credential was refused"),
  "429": { ...error("Rate limited"), headers: { ...limited, "Retry-After": { $ref: "#/components/headers/Retry-After" } } },
  "500": error("Internal error (no details)"),
};

/** /graphql answers its refusals in GraphQL's shape, {"errors": [{"message", "extensions": {"code"}}]}. */
const graphqlError = (description: string) =>
  json({ type: "object", required: ["errors"], properties: { errors: { type: "array", minItems: 1 } } }, description);
const graphqlCommon = {
  "401": graphqlError("Not signed in, or the credential was refused (code UNAUTHENTICATED or INVALID_TOKEN)"),
  "429": { ...graphqlError("Rate limited"), headers: { ...limited, "Retry-After": { $ref: "#/components/headers/Retry-After" } } },
  "500": error("Internal error (no details)"),
};
/** A form's digits, or a JSON integer. */
const wholeNumber = (minimum: number): Schema => ({ oneOf: [{ type: "string", pattern: "^\\d+$" }, { type: "integer", minimum }] });

const formBody = (schema: Schema, required = true) => ({
  required,
  content: {
    "application/x-www-form-urlencoded": { schema },
    "application/json": { schema },
  },
});

const serverFields: Schema = {
  name: { type: "string", description: "Display name" },
  description: { type: "string" },
  path: { type: "string", description: "Unique path, such as /weather" },
  proxy_pass_url: { type: "string", format: "uri", description: "The MCP server's URL" },
  tags: { type: "string", description: "Comma-separated" },
  num_tools: { type: "string", pattern: "^-?\\d+$" },
  num_stars: { type: "string", pattern: "^-?\\d+$" },
  is_python: { type: "string", enum: ["true", "false", "on", "off", "1", "0", "yes", "no"] },
  license: { type: "string" },
  metadata: { type: "string", description: "A JSON object" },
  transport: { type: "string", enum: ["streamable_http", "sse", "auto"] },
};

// The document's form endpoints; the original product's clients call them under /api too.
const registerOperation = (operationId: string): Schema => ({
  summary: "Register a server",
  operationId,
  requestBody: formBody({
    type: "object",
    required: ["name", "description", "path", "proxy_pass_url"],
    properties: serverFields,
  }),
  responses: {
    "201": json(
      {
        type: "object",
        required: ["message", "service"],
        additionalProperties: false,
        properties: { message: { const: "Service registered successfully" }, service: ref("Server") },
      },
      "Registered",
    ),
    "400": error("A field is missing or invalid; the message names it"),
    "403": error("No register_service permission for this path"),
    "409": error("The path is taken"),
    "413": error("Body too large"),
    "415": error("Not a form or JSON body"),
    ...common,
  },
});

const toggleOperation = (operationId: string): Schema => ({
  summary: "Enable or disable a server",
  operationId,
  parameters: [servicePath],
  requestBody: formBody(
    { type: "object", properties: { enabled: { type: "string", description: "`on` enables; absent disables" } } },
    false,
  ),
  responses: {
    "200": json(
      {
        allOf: [
          ref("Status"),
          {
            type: "object",
            required: ["message", "new_enabled_state"],
            properties: { message: { type: "string" }, new_enabled_state: { type: "boolean" } },
          },
        ],
        type: "object",
        unevaluatedProperties: false,
      },
      "The server's new state",
    ),
    "403": error("Visible, but no toggle_service permission"),
    "404": error("No such server, or hidden from the caller"),
    "413": error("Body too large"),
    "415": error("Not a form or JSON body"),
    ...common,
  },
});

/** The feed's path: a WebSocket upgrade, or a plain GET answering its first message. */
const healthStatusOperation = (operationId: string): Schema => ({
  summary: "Health of every server: a WebSocket feed (upgrade), or the current map (plain GET)",
  description:
    "WebSocket: the whole map on connect, then messages with the paths that changed; public unless HEALTH_FEED_REQUIRE_AUTH=true. Plain GET (signed in): the map of the servers the caller may list, as JSON.",
  operationId,
  security: [{ bearer: [] }, { xAuthorization: [] }, { session: [] }, {}],
  responses: {
    "101": { description: "Switching to WebSocket" },
    "200": json(ref("HealthMap"), "The map now (plain GET)", { "Cache-Control": { schema: { const: "no-store" } } }),
    "302": toLogin,
    "503": { description: "Too many feed connections (upgrade)" },
    ...common,
  },
});

/** One operation for both spellings of a route (`/register` and the original product's `/api/register`). */
const editOperation = (operationId: string): Schema => ({
  summary: "Update a server; fields not sent are left unchanged",
  operationId,
  parameters: [servicePath],
  requestBody: formBody({ type: "object", properties: serverFields }),
  responses: {
    "200": json(ref("Server"), "With `Accept: application/json`, and always at /api/edit: the updated server"),
    "303": { description: "Browsers: back to the dashboard", headers: { ...limited, Location: { schema: { type: "string" } } } },
    "400": error("A field is invalid; the message names it"),
    "403": error("Visible, but no modify_service permission"),
    "404": error("No such server, or hidden from the caller"),
    "409": error("The new path is taken"),
    "413": error("Body too large"),
    "415": error("Not a form or JSON body"),
    ...common,
  },
});

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
      "/register": { post: registerOperation("register") },
      "/api/register": { post: registerOperation("apiRegister") },
      "/toggle/{service_path}": { post: toggleOperation("toggle") },
      "/api/toggle/{service_path}": { post: toggleOperation("apiToggle") },
      "/edit/{service_path}": {
        get: {
          summary: "The edit form, pre-filled (HTML)",
          operationId: "editForm",
          parameters: [servicePath],
          responses: {
            "200": { description: "The form", headers: limited, content: { "text/html": { schema: { type: "string" } } } },
            "302": toLogin,
            "404": {
              ...error("No such server, or hidden from the caller"),
              content: { ...error("").content, "text/html": { schema: { type: "string" } } },
            },
            ...common,
          },
        },
        post: editOperation("edit"),
      },
      "/api/edit/{service_path}": { post: editOperation("apiEdit") },
      "/api/server_details/{service_path}": {
        get: {
          summary: "One server, or `all`: every server the caller may list, by path",
          operationId: "serverDetails",
          parameters: [servicePath],
          responses: {
            "200": json({ oneOf: [ref("Server"), { type: "object", additionalProperties: ref("Server") }] }, "The server, or the map"),
            "404": error("No such server, or hidden from the caller"),
            ...common,
          },
        },
      },
      "/api/tools/{service_path}": {
        get: {
          summary: "A server's discovered tools, or `all`: every tool the caller may see",
          operationId: "tools",
          parameters: [servicePath],
          responses: {
            "200": json({ oneOf: [ref("ServerTools"), ref("AllTools")] }, "The tools"),
            "400": error("The server is disabled (`SERVER_DISABLED`): its last tool list is not served"),
            "404": error("No such server, or hidden from the caller"),
            ...common,
          },
        },
      },
      "/api/refresh/{service_path}": {
        post: {
          summary: "Check a server now and record its health and tools",
          operationId: "refresh",
          parameters: [servicePath],
          responses: {
            "200": json(
              {
                allOf: [ref("Status"), { type: "object", required: ["message"], properties: { message: { type: "string" } } }],
                type: "object",
                unevaluatedProperties: false,
              },
              "The check's result",
            ),
            "400": error("The server is disabled (`SERVER_DISABLED`): it is not contacted"),
            "403": error("Visible, but no health_check_service permission"),
            "404": error("No such server, or hidden from the caller"),
            ...common,
          },
        },
      },
      "/api/tokens/generate": {
        post: {
          summary: "Issue a registry token for the caller, in the token file format",
          operationId: "generateToken",
          requestBody: formBody(
            {
              type: "object",
              description:
                "Either `scopes` + `expires_in`, or the original product's `requested_scopes` + `expires_in_hours` (JSON), with `description`. Send one scope field and one lifetime field at most; any other field is a 400.",
              additionalProperties: false,
              properties: {
                scopes: {
                  oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }],
                  description: "Comma- or space-separated (or a JSON list): a subset of the caller's scopes (default: all)",
                },
                scope: { type: "string", description: "Same as `scopes`" },
                requested_scopes: {
                  type: "array",
                  items: { type: "string" },
                  description: "The original product's field: a subset of the caller's scopes; empty or absent: all the caller holds",
                },
                expires_in: { ...wholeNumber(0), description: "Lifetime in seconds" },
                expiresIn: { ...wholeNumber(0), description: "Same as `expires_in`" },
                expires_in_hours: { ...wholeNumber(1), description: "Lifetime in hours (the original product's field)" },
                description: { type: "string", maxLength: 200 },
              },
            },
            false,
          ),
          responses: {
            "200": json(ref("TokenFile"), "The token, shown once", { "Cache-Control": { schema: { const: "no-store" } } }),
            "400": error("An unknown field, scopes the caller does not hold, or a bad lifetime"),
            "403": error("Sent with a registry token that was itself generated by a registry token"),
            "413": error("Body too large"),
            "415": error("Not a form or JSON body"),
            ...common,
          },
        },
      },
      "/api/tokens": {
        get: {
          summary: "The caller's registry tokens (`all=true`: everyone's, admins only)",
          operationId: "listTokens",
          parameters: [{ name: "all", in: "query", required: false, schema: { type: "string", enum: ["true", "false"] } }],
          responses: {
            "200": json(
              { type: "object", required: ["tokens"], additionalProperties: false, properties: { tokens: { type: "array", items: ref("TokenInfo") } } },
              "Tokens",
            ),
            ...common,
          },
        },
      },
      "/api/tokens/{jti}/revoke": {
        post: {
          summary: "Revoke a registry token",
          operationId: "revokeToken",
          parameters: [{ name: "jti", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": json(
              {
                type: "object",
                required: ["message", "jti", "revoked_at"],
                additionalProperties: false,
                properties: { message: { type: "string" }, jti: { type: "string" }, revoked_at: nullable("string", { format: "date-time" }) },
              },
              "Revoked",
            ),
            "404": error("No such token of the caller's"),
            ...common,
          },
        },
      },
      "/login": {
        get: {
          summary: "Sign-in page (HTML): a button per provider, and the local admin form",
          operationId: "loginPage",
          security: [],
          responses: { "200": page("The page"), "429": common["429"] },
        },
        post: {
          summary: "Local admin sign-in; 303 to `next` with the session cookie",
          operationId: "login",
          security: [],
          requestBody: formBody({
            type: "object",
            required: ["username", "password"],
            properties: { username: { type: "string" }, password: { type: "string" }, next: { type: "string" } },
          }),
          responses: {
            "303": { description: "Signed in: to `next`", headers: { ...limited, Location: { schema: { type: "string" } } } },
            "400": page("Username or password missing"),
            "401": page("Invalid username or password"),
            "404": page("Local sign-in is not enabled"),
            "413": error("Body too large"),
            "415": error("Not a form or JSON body"),
            "429": { ...page("Too many failed attempts, or rate limited"), headers: { ...limited, "Retry-After": { $ref: "#/components/headers/Retry-After" } } },
          },
        },
      },
      "/auth/{provider}": {
        get: {
          summary: "Start OpenID Connect sign-in with a configured provider (authorization code, PKCE)",
          operationId: "oidcStart",
          security: [],
          parameters: [{ name: "provider", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "302": { description: "To the provider", headers: limited },
            "404": page("No such provider"),
            "429": common["429"],
            "502": page("The provider cannot be reached"),
          },
        },
      },
      "/auth/{provider}/callback": {
        get: {
          summary: "Complete OpenID Connect sign-in and create the session",
          operationId: "oidcCallback",
          security: [],
          parameters: [{ name: "provider", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "302": { description: "Signed in: to where sign-in started", headers: limited },
            "400": page("The sign-in expired or began in another browser"),
            "401": page("The provider refused, or the answer did not verify"),
            "404": page("No such provider"),
            "429": common["429"],
          },
        },
      },
      "/graphql": {
        get: {
          summary: "GraphiQL for browsers; queries over GET for API clients",
          operationId: "graphqlGet",
          responses: {
            "200": { description: "GraphiQL, or a result", headers: limited },
            "302": toLogin,
            "400": { description: "A request error (with Accept: application/graphql-response+json)", headers: limited },
            ...graphqlCommon,
          },
        },
        post: {
          summary: "The GraphQL API (schema.graphql). The REST endpoints run operations on it.",
          operationId: "graphqlPost",
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["query"] } } } },
          responses: {
            "200": {
              description: "A result; for a subscription with Accept: text/event-stream, its events as they happen",
              headers: limited,
              content: {
                "application/json": { schema: { type: "object", properties: { data: {}, errors: { type: "array" } } } },
                "text/event-stream": { schema: { type: "string" } },
              },
            },
            "400": { description: "A request error (with Accept: application/graphql-response+json)", headers: limited },
            "413": graphqlError("Body too large"),
            ...graphqlCommon,
          },
        },
      },
      "/logout": {
        post: {
          summary: "End the session everywhere; `everywhere=on` also signs out at the provider",
          operationId: "logout",
          security: [],
          responses: {
            "303": { description: "To /login or the provider's logout", headers: { ...limited, Location: { schema: { type: "string" } } } },
            "403": error("A cross-site form post (CSRF check)"),
            "429": common["429"],
          },
        },
      },
      "/.well-known/jwks.json": {
        get: {
          summary: "The public key that verifies registry-issued tokens (not rate limited)",
          operationId: "jwks",
          security: [],
          responses: {
            "200": {
              description: "A JWK set",
              content: { "application/json": { schema: { type: "object", required: ["keys"], properties: { keys: { type: "array", minItems: 1 } } } } },
            },
          },
        },
      },
      "/": {
        get: {
          summary: "The web UI's dashboard (HTML)",
          operationId: "dashboard",
          responses: { "200": page("The dashboard"), "302": toLogin, ...common },
        },
      },
      "/servers/{service_path}": {
        get: {
          summary: "The web UI's server page (HTML): info, health history chart, capabilities, tools and their changes, delete",
          operationId: "serverPage",
          parameters: [{ name: "service_path", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": page("The page"), "302": toLogin, ...common },
        },
      },
      "/tools": {
        get: { summary: "The web UI's tools browser (HTML)", operationId: "toolsPage", responses: { "200": page("The page"), "302": toLogin, ...common } },
      },
      "/tokens": {
        get: { summary: "The web UI's token page (HTML)", operationId: "tokensPage", responses: { "200": page("The page"), "302": toLogin, ...common } },
      },
      "/assets/{file}": {
        get: {
          summary: "The web UI's scripts and styles: content-hashed names, cached for a year (not rate limited)",
          operationId: "asset",
          security: [],
          parameters: [{ name: "file", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "The asset" },
            "304": { description: "Not modified (ETag)" },
            "404": { description: "No such asset", content: { "application/json": { schema: ref("Error") } } },
          },
        },
      },
      "/graphql/assets/{file}": {
        get: {
          summary: "GraphiQL's own files (script, styles, editor workers), named by content hash; served when GRAPHIQL is on",
          operationId: "graphiqlAsset",
          parameters: [{ name: "file", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "The file (gzip when accepted), cacheable for a year", headers: limited },
            "304": { description: "Not modified (If-None-Match)", headers: limited },
            "404": error("No such file"),
            ...common,
          },
        },
      },
      "/favicon.ico": {
        get: { summary: "No icon (pages carry theirs inline; not rate limited)", operationId: "favicon", security: [], responses: { "204": { description: "Empty" } } },
      },
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
      "/ws/health_status": { get: healthStatusOperation("healthFeed") },
      "/api/health/ws/health_status": { get: healthStatusOperation("apiHealthFeed") },
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
            "tags",
            "num_tools",
            "num_stars",
            "is_python",
            "license",
            "metadata",
            "transport",
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
            tags: { type: "array", items: { type: "string" } },
            num_tools: { type: "integer", minimum: 0 },
            num_stars: { type: "integer", minimum: 0 },
            is_python: { type: "boolean" },
            license: { type: "string" },
            metadata: { type: "object" },
            transport: { type: "string", enum: ["streamable_http", "sse", "auto"] },
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
          required: ["jti", "username", "scopes", "description", "created_at", "expires_at", "revoked_at", "active"],
          additionalProperties: false,
          properties: {
            jti: { type: "string" },
            username: { type: "string" },
            scopes: { type: "array", items: { type: "string" } },
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
