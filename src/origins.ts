// Which browser origins may call the gateway. The MCP transport spec asks servers to check
// Origin on every request (DNS rebinding); browsers send it, other clients (the SDKs, curl,
// the MCP Inspector's CLI) do not. A request without Origin, or from the registry's own
// origin (the web UI's playground), passes as before. Any other origin must be listed in
// GATEWAY_ALLOWED_ORIGINS (or the list is "*"): it then gets CORS headers, and its preflight
// is answered here, before sign-in (browsers send no credentials on a preflight). Never
// Access-Control-Allow-Credentials: across origins the gateway takes bearer tokens only,
// and cookie-signed posts from elsewhere stay refused by the CSRF check.

export type AllowedOrigins = { any: true } | { any: false; origins: ReadonlySet<string> };

export type OriginDecision =
  | { kind: "none" }
  | { kind: "same" }
  | { kind: "cross"; allowOrigin: string }
  | { kind: "refused" };

/** Request headers a browser client may send (what the gateway forwards or reads). */
export const CORS_ALLOW_HEADERS = "authorization, x-authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id";
/** Answer headers a browser client may read: the session, the OAuth challenge, the rate limit. */
export const CORS_EXPOSE_HEADERS = "mcp-session-id, mcp-protocol-version, www-authenticate, retry-after";
export const CORS_ALLOW_METHODS = "GET, POST, DELETE";
export const CORS_MAX_AGE_SECONDS = 600;

/** Parses GATEWAY_ALLOWED_ORIGINS: "" (none), "*", or a comma-separated list of http(s) origins. */
export function parseAllowedOrigins(text: string | undefined): AllowedOrigins | string {
  const value = (text ?? "").trim();
  if (value === "*") return { any: true };
  const origins = new Set<string>();
  for (const item of value.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      return `"${item.slice(0, 100)}" is not an origin such as https://app.example.com`;
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== item.replace(/\/$/, "").toLowerCase()) {
      return `"${item.slice(0, 100)}" is not an origin (scheme, host and port only, such as https://app.example.com)`;
    }
    origins.add(url.origin);
  }
  return { any: false, origins };
}

/**
 * What to do with a request's Origin header. `own` is the registry's public origin, `served`
 * the origin this request reached (scheme and Host), which also counts as the registry's own.
 */
export function originDecision(allowed: AllowedOrigins, origin: string | undefined, own: string, served: string): OriginDecision {
  if (origin === undefined || origin === "") return { kind: "none" };
  if (origin === own || origin === served) return { kind: "same" };
  if (allowed.any) return { kind: "cross", allowOrigin: "*" };
  if (origin !== "null" && allowed.origins.has(origin)) return { kind: "cross", allowOrigin: origin };
  return { kind: "refused" };
}
