// Turns the request's credential (a bearer token in Authorization or X-Authorization,
// else the session cookie) into
// the viewer every resolver sees: an identity and what its groups allow.
import type { Middleware, ParameterizedContext } from "koa";
import { HttpError } from "../http/errors.ts";
import type { AppState } from "../http/state.ts";
import type { Identity } from "./identity.ts";
import { grantsFor, type Grants } from "./policy.ts";
import type { AuthService } from "./service.ts";
import { sessionIdOf } from "./session.ts";

export type Viewer = { identity: Identity; grants: Grants };

export function viewerOf(identity: Identity, auth: AuthService): Viewer {
  return { identity, grants: grantsFor(identity, auth.policy.current, auth.adminGroup) };
}

export function resolveViewer(auth: AuthService): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await resolve(ctx);
    } catch (err) {
      // Refused after the rate limiter has counted the request (rejectBadCredentials), so
      // that a flood of forged tokens is limited like any other anonymous traffic.
      if (!(err instanceof HttpError)) throw err;
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
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1]) {
        throw new HttpError(401, "INVALID_TOKEN", "Authorization must be `Bearer <token>`", {
          "WWW-Authenticate": 'Bearer error="invalid_request"',
        });
      }
      const identity = await auth.bearer.verify(match[1]);
      ctx.state.viewer = viewerOf(identity, auth);
      ctx.state.authenticatedBy = "bearer";
    } else {
      // Reading needs only the signed cookie (the session id) and the store, whose cache
      // answers most requests; koa-session itself (ctx.session) is used to sign in and out.
      const key = sessionIdOf(ctx.cookies.get(auth.sessionCookie, { signed: false }), auth.sessionSecret);
      const identity = key ? ((await auth.sessions.get(key))?.identity as Identity | undefined) : undefined;
      ctx.state.viewer = identity ? viewerOf(identity, auth) : null;
      ctx.state.authenticatedBy = identity ? "cookie" : null;
    }
  }
}

/** Answers 401 for a credential resolveViewer refused. */
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
      throw new HttpError(401, "UNAUTHENTICATED", "Sign in, or send `Authorization: Bearer <token>`", {
        "WWW-Authenticate": "Bearer",
      });
    }
    await next();
  };
}
