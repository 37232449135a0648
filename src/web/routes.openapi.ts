// The OpenAPI path items of the web UI (routes.ts): its pages, assets and icon, in the
// document src/rest/openapi.ts assembles.
import { common, page, ref, toLogin, type Schema } from "../http/openapi-parts.ts";

export const webPaths: Record<string, Schema> = {
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
  "/search": {
    get: {
      summary: "The web UI's search over servers and tools (HTML); `q` fills the box",
      operationId: "searchPage",
      parameters: [{ name: "q", in: "query", required: false, schema: { type: "string", maxLength: 500 } }],
      responses: { "200": page("The page"), "302": toLogin, ...common },
    },
  },
  "/activity": {
    get: { summary: "The web UI's Activity page: the audit log (HTML)", operationId: "activityPage", responses: { "200": page("The page"), "302": toLogin, ...common } },
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
  "/favicon.ico": {
    get: { summary: "No icon (pages carry theirs inline; not rate limited)", operationId: "favicon", security: [], responses: { "204": { description: "Empty" } } },
  },
};
