// The session cookie (koa-session over the database store): httpOnly, SameSite=Lax,
// Secure when PUBLIC_URL is https, valid SESSION_MAX_AGE_SECONDS (8 hours) from
// sign-in, not extended by activity.
//
// One cookie, `mcp_gateway_session=<session id>.<signature>`, the signature being
// HMAC-SHA256 of the id under SESSION_SECRET: clients of the original product keep
// only that cookie, so it must carry its own signature (no separate `.sig` cookie).
import { createHmac, timingSafeEqual } from "node:crypto";
import type Koa from "koa";
import createSession from "koa-session";
import type { Identity } from "./identity.ts";
import type { AuthService } from "./service.ts";

export type SessionFields = { identity?: Identity; idToken?: string; signedInAt?: number };
type KoaSession = SessionFields & { regenerate(): Promise<void> | undefined; isNew: boolean };

declare module "koa" {
  interface ExtendableContext {
    session: KoaSession | null;
  }
}

const signature = (id: string, secret: string) => createHmac("sha256", secret).update(id).digest("base64url");

/** The cookie value for a session id. */
export function signedSessionValue(id: string, secret: string): string {
  return `${id}.${signature(id, secret)}`;
}

/** The session id a cookie value carries, or undefined when it is not one this server signed. */
export function sessionIdOf(value: string | undefined, secret: string): string | undefined {
  if (!value) return undefined;
  const dot = value.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const id = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(signature(id, secret));
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
}

export function sessionMiddleware(app: Koa, auth: AuthService): Koa.Middleware {
  // Other cookies (the pending OIDC sign-in) are signed by Koa with this key.
  app.keys = [auth.sessionSecret];
  const cookie = {
    maxAge: auth.settings.sessionMaxAgeSeconds * 1000,
    httpOnly: true,
    sameSite: "lax" as const,
    secure: auth.settings.secureCookies,
    // The value is signed by signedSessionValue; Koa's own signing would add a second cookie.
    signed: false,
    // One Set-Cookie per response: signing in replaces the cleared cookie of the old session.
    overwrite: true,
  };
  return createSession(
    {
      key: auth.sessionCookie,
      ...cookie,
      rolling: false,
      renew: false,
      autoCommit: true,
      store: auth.sessions,
      externalKey: {
        // "" (no key) makes koa-session start a new session, as for a missing cookie.
        get: (ctx: Koa.Context) => sessionIdOf(ctx.cookies.get(auth.sessionCookie, { signed: false }), auth.sessionSecret) ?? "",
        set: (ctx: Koa.Context, id: string) => ctx.cookies.set(auth.sessionCookie, signedSessionValue(id, auth.sessionSecret), cookie),
      },
    },
    app,
  );
}

/** Starts a fresh session (new id: no fixation) holding this identity. */
export async function signIn(ctx: Koa.Context, identity: Identity, idToken?: string): Promise<void> {
  const session = ctx.session;
  if (!session) throw new Error("session middleware is not installed");
  await session.regenerate();
  const fresh = ctx.session!;
  fresh.identity = identity;
  fresh.signedInAt = Date.now();
  if (idToken) fresh.idToken = idToken;
}
