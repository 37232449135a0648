// One rule for server paths, used by every API: `weather`, `/weather` and
// `/weather/` name the same server.
export const MAX_PATH_LENGTH = 128;

/** Paths that collide with the APIs' own words (`/api/server_details/all`, the registry's own MCP server at `/mcpgw/mcp`). */
const RESERVED = new Set(["/all", "/mcpgw"]);

export type PathResult = { ok: true; path: string } | { ok: false; message: string };

export function normalizePath(input: string): PathResult {
  const trimmed = input.trim().toLowerCase();
  const segments = trimmed.split("/").filter((s) => s !== "");
  if (segments.length === 0) return { ok: false, message: "must not be empty" };
  const path = `/${segments.join("/")}`;
  if (path.length > MAX_PATH_LENGTH) return { ok: false, message: `must be at most ${MAX_PATH_LENGTH} characters` };
  if (!/^\/[a-z0-9_-]+(\/[a-z0-9_-]+)*$/.test(path)) {
    return { ok: false, message: "may contain only letters, digits, '-', '_' and '/'" };
  }
  if (RESERVED.has(path)) return { ok: false, message: `"${path}" is reserved` };
  return { ok: true, path };
}

/** Where MCP clients reach the server through the gateway: `{PUBLIC_URL}{path}/mcp`. */
export function gatewayUrlOf(publicUrl: string, path: string): string {
  return `${publicUrl.replace(/\/+$/, "")}${path}/mcp`;
}
