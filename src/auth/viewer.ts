// Turns the request's credential (a bearer token in Authorization or X-Authorization,
// else the session cookie) into
// the viewer every resolver sees: an identity and what its groups allow.
import type { Middleware, ParameterizedContext } from "koa";
import { AuthUnavailableError, InvalidTokenError, UnauthenticatedError } from "../errors.ts";
import type { AppState } from "../http/state.ts";
import { bearerCredentialOf, identityOf, sessionCredentialOf } from "./credential.ts";
import type { Identity } from "./identity.ts";
import { grantsFor, type Viewer } from "./policy.ts";
import type { AuthService } from "./service.ts";
import { limitToServers } from "./token-servers.ts";

export type { Viewer } from "./policy.ts";

declare module "../http/state.ts" {
  // The http layer's StateViewer is this Viewer (an interface can only gain members by merging).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the merge adds Viewer's members
  interface StateViewer extends Viewer {}
}

/** The viewer of an identity: what the current policy grants its groups. */
export function viewerForIdentity(identity: Identity, auth: AuthService): Viewer {
  return { identity, grants: limitToServers(grantsFor(identity, auth.policy.current, auth.adminGroup), identity.servers) };
}

export function resolveViewer(auth: AuthService): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await resolve(ctx);
    } catch (err) {
      // Refused after the rate limiter has counted the request (rejectBadCredentials), so
      // that a flood of forged tokens is limited like any other anonymous traffic.
      if (!(err instanceof InvalidTokenError || err instanceof AuthUnavailableError)) throw err;
      ctx.state.viewer = null;
      ctx.state.authenticatedBy = null;
      ctx.state.credentialError = err;
    }
    await next();
  };

  async function resolve(ctx: ParameterizedContext<AppState>): Promise<void> {
    // The original product's clients (its MCP management server among them) send the
    // bearer as X-Authorization; Authorization wins when both are present.
    const header = ctx.get("authorization") || ctx.get("x-authorization");
    // Reading a session needs only the signed cookie (the session id) and the store, whose cache
    // answers most requests; koa-session itself (ctx.session) is used to sign in and out.
    const credential = header
      ? bearerCredentialOf(header)
      : sessionCredentialOf(ctx.cookies.get(auth.sessionCookie, { signed: false }), auth);
    const identity = credential && (await identityOf(credential, auth));
    ctx.state.viewer = identity ? viewerForIdentity(identity, auth) : null;
    ctx.state.authenticatedBy = identity ? (credential.kind === "bearer" ? "bearer" : "cookie") : null;
  }
}

/** Answers 401 (503 when the identity provider is unreachable) for a credential resolveViewer refused. */
export function rejectBadCredentials(): Middleware<AppState> {
  return async (ctx, next) => {
    if (ctx.state.credentialError) throw ctx.state.credentialError;
    await next();
  };
}

/** Refuses anonymous callers: browsers asking for a page go to /login, API clients get 401. */
export function requireViewer(): Middleware<AppState> {
  return async (ctx, next) => {
    if (!ctx.state.viewer) {
      if ((ctx.method === "GET" || ctx.method === "HEAD") && ctx.accepts("json", "html") === "html") {
        ctx.redirect(`/login?next=${encodeURIComponent(ctx.originalUrl)}`);
        return;
      }
      throw new UnauthenticatedError();
    }
    await next();
  };
}
