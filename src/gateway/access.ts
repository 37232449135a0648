// Who may use a server through the gateway, and how a refusal reads to an MCP client
// (MCP authorization spec 2025-06-18 / 2025-11-25): 401 with a challenge naming the
// protected-resource metadata (RFC 9728) and the scope, 403 `insufficient_scope` for a
// token cut to scopes without use_service, 404 for a server the caller may not see.
import type { ParameterizedContext } from "koa";
import { can, grantsFor, allowFor, type Viewer } from "../auth/policy.ts";
import type { AuthService } from "../auth/service.ts";
import { viewerForIdentity } from "../auth/viewer.ts";
import { AuthUnavailableError, InvalidTokenError } from "../errors.ts";
import type { AppState } from "../http/state.ts";
import { gatewayUrlOf } from "../servers/path.ts";
import type { Allow, GatewayObserver } from "./target.ts";

export const GATEWAY_SCOPE = "use_service";

export type Refusal = {
  status: number;
  message: string;
  headers: Record<string, string>;
  reason: Parameters<GatewayObserver["denied"]>[0] | null;
};

export function metadataUrlOf(publicUrl: string, path: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/.well-known/oauth-protected-resource${path}/mcp`;
}

/** The RFC 9728 protected-resource metadata of one server's gateway URL. */
export function resourceMetadata(publicUrl: string, path: string, issuers: readonly string[]): Record<string, unknown> {
  return {
    resource: gatewayUrlOf(publicUrl, path),
    authorization_servers: [...issuers],
    scopes_supported: [GATEWAY_SCOPE],
    bearer_methods_supported: ["header"],
    resource_name: `MCP server ${path} through MCP Gateway Registry`,
  };
}

function challenge(publicUrl: string, path: string, extra = ""): string {
  return `Bearer ${extra}resource_metadata="${metadataUrlOf(publicUrl, path)}", scope="${GATEWAY_SCOPE}"`;
}

/** Quotes a value for a challenge parameter (RFC 9110 quoted-string). */
function quoted(text: string): string {
  return text.replace(/[\\"]/g, "\\$&").replace(/[^\x20-\x7e]/g, "");
}

/**
 * The caller of a gateway request, from what resolveViewer found. A provider token whose
 * audience is this server's gateway URL (RFC 8707 resource) was refused there for the wrong
 * audience: it is verified again with that audience allowed.
 */
export async function callerOf(ctx: ParameterizedContext<AppState>, auth: AuthService, publicUrl: string, path: string): Promise<Viewer | Refusal> {
  let err = ctx.state.credentialError;
  if (err instanceof InvalidTokenError && err.reason === "wrong-audience") {
    const header = ctx.get("authorization") || ctx.get("x-authorization");
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (token) {
      try {
        const identity = await auth.bearer.verify(token, gatewayUrlOf(publicUrl, path));
        return viewerForIdentity(identity, auth);
      } catch (again) {
        err = again instanceof Error ? again : err;
      }
    }
  }
  if (err instanceof AuthUnavailableError) {
    return { status: 503, message: "The identity provider cannot be reached; try again", headers: { "retry-after": "5" }, reason: null };
  }
  if (err instanceof InvalidTokenError) {
    return {
      status: 401,
      message: err.message,
      headers: { "www-authenticate": challenge(publicUrl, path, `error="invalid_token", error_description="${quoted(err.description)}", `) },
      reason: err.reason === "wrong-audience" ? "audience" : "unauthenticated",
    };
  }
  if (err) throw err;
  const viewer = ctx.state.viewer;
  if (!viewer) {
    return { status: 401, message: "Sign in to use this server", headers: { "www-authenticate": challenge(publicUrl, path) }, reason: "unauthenticated" };
  }
  return viewer;
}

/** What the caller may use on the server at `path`, or why not. */
export function accessTo(viewer: Viewer, auth: AuthService, publicUrl: string, path: string): { allow: Allow } | Refusal {
  const { grants, identity } = viewer;
  if (can(grants, "use_service", path)) return { allow: allowFor(grants, path) };
  // A token cut to scopes: would the person's groups allow it with use_service in scope?
  const whole = identity.scopes === null ? grants : grantsFor({ groups: identity.groups, scopes: null }, auth.policy.current, auth.adminGroup);
  const visible = can(whole, "list_service", path) || can(whole, "use_service", path);
  if (!visible) return notFound(path);
  if (identity.scopes !== null && !identity.scopes.includes(GATEWAY_SCOPE) && can(whole, "use_service", path)) {
    return {
      status: 403,
      message: `This token lacks the ${GATEWAY_SCOPE} scope`,
      headers: { "www-authenticate": challenge(publicUrl, path, `error="insufficient_scope", `) },
      reason: "scope",
    };
  }
  if (!can(grants, "list_service", path) && !can(grants, "use_service", path)) return notFound(path);
  return { status: 403, message: `You may not use ${path} through the gateway (needs ${GATEWAY_SCOPE})`, headers: {}, reason: "forbidden" };
}

export function notFound(path: string): Refusal {
  return { status: 404, message: `No server at ${path}`, headers: {}, reason: null };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === "object" && value !== null && "status" in value && "message" in value;
}
