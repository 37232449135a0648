// The credential a health check sends upstream: a bearer token, or an API key in a
// header of the caller's choosing. Pure validation, shared with the browser's form;
// encryption is in health/credentials.ts.

/** How a health check authenticates upstream. */
export type UpstreamAuthKind = "NONE" | "BEARER" | "API_KEY";
export type UpstreamAuthInput = { type: UpstreamAuthKind; headerName?: string | null; secret?: string | null };
export type UpstreamAuthValue = { type: UpstreamAuthKind; headerName: string | null; secret: string | null };

/** Headers a credential must not replace: they would break or smuggle the request. */
const RESERVED = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "accept",
  "mcp-session-id",
  "mcp-protocol-version",
  "cookie",
]);

/**
 * Checks an upstream credential. `keepSecret` is true when the server already has a
 * secret of this type, so that an update may change the header without re-sending it.
 */
export function checkUpstreamAuth(
  input: UpstreamAuthInput,
  keepSecret: boolean,
): { ok: true; value: UpstreamAuthValue; keep: boolean } | { ok: false; message: string } {
  if (input.type === "NONE") return { ok: true, value: { type: "NONE", headerName: null, secret: null }, keep: false };
  const secret = input.secret ?? null;
  if (secret === null || secret === "") {
    if (!keepSecret) return { ok: false, message: "a secret is required" };
  } else if (secret.length > 4_096 || /[\r\n\0]/.test(secret)) {
    return { ok: false, message: "the secret must be at most 4096 characters, without line breaks" };
  }
  let headerName: string | null = null;
  if (input.type === "API_KEY") {
    headerName = (input.headerName ?? "").trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]{1,100}$/.test(headerName)) return { ok: false, message: "headerName must be a valid HTTP header name" };
    if (RESERVED.has(headerName)) return { ok: false, message: `headerName may not be ${headerName}` };
  }
  return { ok: true, value: { type: input.type, headerName, secret: secret || null }, keep: !secret };
}
