// The OpenAPI path items of /graphql (route.ts) and GraphiQL's files (graphiql.ts), in
// the document src/rest/openapi.ts assembles.
import { common, error, json, limited, toLogin, type Schema } from "../http/openapi-parts.ts";

/** /graphql answers its refusals in GraphQL's shape, {"errors": [{"message", "extensions": {"code"}}]}. */
const graphqlError = (description: string) =>
  json({ type: "object", required: ["errors"], properties: { errors: { type: "array", minItems: 1 } } }, description);
const graphqlCommon = {
  "401": graphqlError("Not signed in, or the credential was refused (code UNAUTHENTICATED or INVALID_TOKEN)"),
  "429": { ...graphqlError("Rate limited"), headers: { ...limited, "Retry-After": { $ref: "#/components/headers/Retry-After" } } },
  "500": error("Internal error (no details)"),
};

export const graphqlPaths: Record<string, Schema> = {
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
};
