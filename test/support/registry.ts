// Calls the official registry API (/v0.1, /v0) and holds every 2xx JSON answer against
// the official registry's openapi.yaml, so no suite can forget the contract check.
import path from "node:path";
import { fileURLToPath } from "node:url";
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
