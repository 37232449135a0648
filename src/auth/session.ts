// The session cookie (koa-session over the database store): httpOnly, SameSite=Lax,
// Secure when PUBLIC_URL is https, signed with SESSION_SECRET, valid
// SESSION_MAX_AGE_SECONDS (8 hours) from sign-in, not extended by activity.
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

export function sessionMiddleware(app: Koa, auth: AuthService): Koa.Middleware {
  app.keys = [auth.sessionSecret];
  return createSession(
    {
      key: auth.sessionCookie,
      maxAge: auth.settings.sessionMaxAgeSeconds * 1000,
      httpOnly: true,
      sameSite: "lax",
      secure: auth.settings.secureCookies,
      signed: true,
      rolling: false,
      renew: false,
      autoCommit: true,
      store: auth.sessions,
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
