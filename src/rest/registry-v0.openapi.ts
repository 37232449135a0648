// The OpenAPI path items of the official registry API (registry-v0.ts) under /v0.1 and
// /v0, in the document src/rest/openapi.ts assembles. Success bodies are the official
// registry's (its openapi.yaml, draft 2025-12-01, describes them; the suites validate every
// one against it); this document declares every status the routes answer, and that errors
// are this product's `{"error": {"code", "message"}}`.
import { common, error, json, type Schema } from "../http/openapi-parts.ts";

const official = (what: string): Schema => ({
  type: "object",
  description: `${what}, as the official MCP registry's openapi.yaml describes it`,
});

const name = { name: "serverName", in: "path", required: true, description: "URL-encoded server name, e.g. com.example%2Fweather", schema: { type: "string" } };
const version = { name: "version", in: "path", required: true, description: "URL-encoded version (`latest` on GET)", schema: { type: "string" } };
const includeDeleted = { name: "include_deleted", in: "query", required: false, schema: { type: "string", enum: ["true", "false"] } };

const badRequest = error("A parameter with control characters or invalid UTF-8, a body that is not a JSON object, or contradictory parameters");
const unprocessable = error("A parameter or document that breaks a rule (the message names each field; POST /validate lists them)");
const serverJsonBody = { required: true, content: { "application/json": { schema: official("A server.json (ServerDetail)") } } };

const statusBody = {
  required: true,
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["status"],
        properties: { status: { enum: ["active", "deprecated", "deleted"] }, statusMessage: { type: "string", maxLength: 500 } },
      },
    },
  },
};

const writes = {
  "413": error("Body too large"),
  "415": error("Not application/json"),
};

function registryPaths(prefix: "/v0.1" | "/v0"): Record<string, Schema> {
  const tag = prefix.slice(1);
  return {
    [`${prefix}/servers`]: {
      get: {
        summary: "List servers (gateway servers and published entries), newest page by cursor",
        operationId: `registryListServers-${tag}`,
        parameters: [
          { name: "cursor", in: "query", required: false, schema: { type: "string" } },
          { name: "limit", in: "query", required: false, schema: { type: "string", pattern: "^\\d+$" } },
          { name: "search", in: "query", required: false, schema: { type: "string" } },
          { name: "updated_since", in: "query", required: false, schema: { type: "string", format: "date-time" } },
          { name: "version", in: "query", required: false, schema: { type: "string" } },
          includeDeleted,
        ],
        responses: { "200": json(official("ServerList"), "One page"), "400": badRequest, "422": unprocessable, ...common },
      },
    },
    [`${prefix}/servers/{serverName}/versions`]: {
      get: {
        summary: "Every version of a server",
        operationId: `registryListVersions-${tag}`,
        parameters: [name, includeDeleted],
        responses: {
          "200": json(official("ServerList"), "The versions"),
          "400": badRequest,
          "404": error("No such server the caller may read"),
          "422": unprocessable,
          ...common,
        },
      },
    },
    [`${prefix}/servers/{serverName}/versions/{version}`]: {
      get: {
        summary: "One version of a server (`latest` for the latest)",
        operationId: `registryGetVersion-${tag}`,
        parameters: [name, version, includeDeleted],
        responses: {
          "200": json(official("ServerResponse"), "The version"),
          "400": badRequest,
          "404": error("No such server or version the caller may read"),
          "422": unprocessable,
          ...common,
        },
      },
      put: {
        summary: "Replace a published version's server.json (same name and version; publish permission on the namespace)",
        operationId: `registryEditVersion-${tag}`,
        parameters: [name, version],
        requestBody: serverJsonBody,
        responses: {
          "200": json(official("ServerResponse"), "The version as it is now"),
          "400": error("A rename, another version, a remote URL another server has, a gateway server, or a malformed body"),
          "403": error("No publish permission on the namespace"),
          "404": error("No such version the caller may read"),
          "422": unprocessable,
          ...writes,
          ...common,
        },
      },
    },
    [`${prefix}/servers/{serverName}/versions/{version}/status`]: {
      patch: {
        summary: "Set one version's status",
        operationId: `registrySetVersionStatus-${tag}`,
        parameters: [name, version],
        requestBody: statusBody,
        responses: {
          "200": json(official("ServerResponse"), "The version as it is now"),
          "400": error("No change to apply, a restored version whose remote URL another server has, or a malformed body"),
          "403": error("No permission to change it"),
          "404": error("No such version the caller may read"),
          "422": unprocessable,
          ...writes,
          ...common,
        },
      },
    },
    [`${prefix}/servers/{serverName}/status`]: {
      patch: {
        summary: "Set every version's status",
        operationId: `registrySetServerStatus-${tag}`,
        parameters: [name],
        requestBody: statusBody,
        responses: {
          "200": json(official("{updatedCount, servers}"), "The versions as they are now"),
          "400": error("A restored version whose remote URL another server has, or a malformed body"),
          "403": error("No permission to change them"),
          "404": error("No such server the caller may read"),
          "422": unprocessable,
          ...writes,
          ...common,
        },
      },
    },
    [`${prefix}/publish`]: {
      post: {
        summary: "Publish a server.json (publish permission on its namespace)",
        operationId: `registryPublish-${tag}`,
        requestBody: serverJsonBody,
        responses: {
          "200": json(official("ServerResponse"), "The published version"),
          "400": error("A version already published, a remote URL another server has, the gateway's own namespace, or a malformed body"),
          "403": error("No publish permission on the namespace"),
          "422": unprocessable,
          ...writes,
          ...common,
        },
      },
    },
    [`${prefix}/validate`]: {
      post: {
        summary: "What publishing a server.json would object to (public; stores nothing)",
        operationId: `registryValidate-${tag}`,
        security: [],
        requestBody: serverJsonBody,
        responses: {
          "200": json(
            {
              type: "object",
              required: ["valid", "issues"],
              additionalProperties: false,
              properties: {
                valid: { type: "boolean" },
                issues: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["type", "path", "message", "severity", "reference"],
                    additionalProperties: false,
                    properties: {
                      type: { enum: ["schema", "semantic"] },
                      path: { type: "string" },
                      message: { type: "string" },
                      severity: { const: "error" },
                      reference: { type: "string" },
                    },
                  },
                },
              },
            },
            "The official ValidationResult",
          ),
          "400": badRequest,
          ...writes,
          ...common,
        },
      },
    },
    [`${prefix}/health`]: {
      get: { summary: "Liveness", operationId: `registryHealth-${tag}`, security: [], responses: { "200": json(official("Health"), "Up"), ...common } },
    },
    [`${prefix}/ping`]: {
      get: { summary: "Ping", operationId: `registryPing-${tag}`, security: [], responses: { "200": json(official("Ping"), "Pong"), ...common } },
    },
    [`${prefix}/version`]: {
      get: {
        summary: "The running version: {version, git_commit, build_time}, and the API, OpenAPI and schema versions served",
        operationId: `registryVersion-${tag}`,
        security: [],
        responses: {
          "200": json(
            {
              type: "object",
              required: ["version", "git_commit", "build_time"],
              properties: {
                version: { type: "string" },
                git_commit: { type: "string" },
                build_time: { type: "string" },
                api: { type: "string" },
                openapi: { type: "string" },
                server_schema: { type: "string" },
              },
            },
            "The version",
          ),
          ...common,
        },
      },
    },
  };
}

export const registryApiPaths: Record<string, Schema> = { ...registryPaths("/v0.1"), ...registryPaths("/v0") };
