// The OpenAPI path items of the product's REST API (gateway-api.ts), in the
// document src/rest/openapi.ts assembles: register, toggle, edit, server details,
// tools, refresh and the health map (whose WebSocket upgrade shares its path).
import { common, error, formBody, json, limited, ref, toLogin, type Schema } from "../http/openapi-parts.ts";

const servicePath: Schema = {
  name: "service_path",
  in: "path",
  required: true,
  description: "The server's path without its leading slash (`weather`, `team/api`); `all` where the endpoint says so.",
  schema: { type: "string" },
};

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
  upstream_timeout_seconds: { type: "string", pattern: "^\\s*\\d+\\s*$", description: "The gateway's upstream timeout for this server, 1 to 86400 s; left out: the registry's default" },
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

export const gatewayApiPaths: Record<string, Schema> = {
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
  "/ws/health_status": { get: healthStatusOperation("healthFeed") },
  "/api/health/ws/health_status": { get: healthStatusOperation("apiHealthFeed") },
};
