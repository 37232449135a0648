// Calls the official registry API (/v0.1, /v0) and holds every 2xx JSON answer against
// the official registry's openapi.yaml, and every answer (errors included) against this
// product's own OpenAPI document, which must declare its status; so no suite can forget
// the contract check.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "../../src/rest/openapi.ts";
import { loadOpenApi, validateResponse, type OpenApiSpec } from "./openapi.ts";

/** The official spec's files, vendored into the repository (a test checks they equal the project's spec copy). */
export const SPEC_DIR = fileURLToPath(new URL("../registry/spec/", import.meta.url));
/** The project's copy of the official spec, when the contracts are checked out beside the repository. */
export const SHARED_SPEC_DIR = path.resolve("../shared/spec/mcp-registry");

let spec: OpenApiSpec | undefined;
export function registrySpec(): OpenApiSpec {
  spec ??= loadOpenApi(path.join(SPEC_DIR, "openapi.yaml"));
  return spec;
}

/** The spec's path template for a concrete path (the /v0 routes share /v0.1's contract); null when the spec has none. */
export function templateOf(method: string, urlPath: string): string | null {
  const p = urlPath.replace(/^\/v0(\.1)?(?=\/)/, "/v0.1");
  const m = method.toUpperCase();
  if (m === "GET" && p === "/v0.1/servers") return "/v0.1/servers";
  if (m === "GET" && /^\/v0\.1\/servers\/[^/]+\/versions$/.test(p)) return "/v0.1/servers/{serverName}/versions";
  if (m === "GET" && /^\/v0\.1\/servers\/[^/]+\/versions\/[^/]+$/.test(p)) return "/v0.1/servers/{serverName}/versions/{version}";
  if (m === "PATCH" && /^\/v0\.1\/servers\/[^/]+\/versions\/[^/]+\/status$/.test(p)) {
    return "/v0.1/servers/{serverName}/versions/{version}/status";
  }
  if (m === "PATCH" && /^\/v0\.1\/servers\/[^/]+\/status$/.test(p)) return "/v0.1/servers/{serverName}/status";
  if (m === "POST" && p === "/v0.1/publish") return "/v0.1/publish";
  return null;
}

let ours: { spec: OpenApiSpec; templates: { template: string; pattern: RegExp }[] } | undefined;
/** This product's OpenAPI document (src/rest/openapi.ts), as /openapi.json serves it. */
function ourSpec() {
  if (!ours) {
    const document = openApiDocument("http://registry.test");
    const templates = Object.keys(document.paths as object)
      .filter((t) => /^\/v0(\.1)?\//.test(t))
      .map((template) => ({ template, pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "([^/]+)")}$`) }));
    ours = { spec: loadOpenApi(document), templates };
  }
  return ours;
}

/** Checks an answer of the registry API against this product's document: the route, its method and the status are declared, the body fits. */
export function checkOurContract(method: string, urlPath: string, status: number, body: unknown): void {
  const { spec, templates } = ourSpec();
  const match = templates.find((t) => t.pattern.test(urlPath));
  if (!match) throw new Error(`${method} ${urlPath} is not in the product's OpenAPI document`);
  const operation = (spec.document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)[match.template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${method} ${match.template} is not in the product's OpenAPI document`);
  if (!operation.responses[String(status)]) throw new Error(`${method} ${match.template} answered ${status}, which the product's OpenAPI document does not declare`);
  validateResponse(spec, method, match.template, status, body);
}

export type RegistryAnswer<T = Record<string, unknown>> = { status: number; body: T; headers: Headers };

/**
 * One request. A 2xx answer to a route the spec describes is validated against it
 * (throws on a breach); error answers are checked for this product's error body.
 */
export async function registryCall<T = Record<string, unknown>>(
  base: string,
  method: string,
  pathAndQuery: string,
  opts: { token?: string; cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<RegistryAnswer<T>> {
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${pathAndQuery}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  const body = (text === "" ? undefined : JSON.parse(text)) as T;
  const urlPath = new URL(pathAndQuery, base).pathname;
  checkOurContract(method, urlPath, res.status, body);
  if (res.status >= 200 && res.status < 300) {
    const template = templateOf(method, urlPath);
    if (template) validateResponse(registrySpec(), method, template, res.status, body);
  } else {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (typeof error?.code !== "string" || typeof error.message !== "string") {
      throw new Error(`error answer ${res.status} without {"error": {"code", "message"}}: ${text}`);
    }
  }
  return { status: res.status, body, headers: res.headers };
}

export type ServerResponse = {
  server: Record<string, unknown> & { name: string; version: string; description: string };
  _meta: Record<string, Record<string, unknown>>;
};
export type ServerList = { servers: ServerResponse[]; metadata: { count: number; nextCursor?: string } };

export const OFFICIAL = "io.modelcontextprotocol.registry/official";
export const GATEWAY = "io.mcpgateway/registry";
