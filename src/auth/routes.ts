// Sign-in and sign-out: GET/POST /login, GET /auth/{provider}, its callback,
// POST /logout, and the registry's public key set.
import { createHash, timingSafeEqual } from "node:crypto";
import type Router from "@koa/router";
import type { Context, Middleware } from "koa";
import { readForm } from "../http/body.ts";
import type { AppState } from "../http/state.ts";
import { htmlHeaders } from "../http/page-headers.ts";
import type { PendingLogin } from "./oidc.ts";
import type { OidcProviderConfig } from "../config.ts";
import { PENDING_LOGIN_COOKIE, type AuthService } from "./service.ts";
import { signIn } from "./session.ts";

const FORM_LIMIT = 16 * 1024;

/** Only same-site paths: never an absolute URL or `//host`, so sign-in cannot redirect elsewhere. */
export function safeNext(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])/.test(value) ? value : "/";
}

/** Compares in constant time whatever the lengths, by comparing digests. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** What the sign-in page shows. */
export type LoginPageOptions = {
  providers: OidcProviderConfig[];
  localLogin: boolean;
  error?: string;
  notice?: string;
  next?: string;
  username?: string;
  /** Set when the local form is the generated first-run admin's (src/auth/initial-admin.ts). */
  initialAdmin?: string;
};

/** `loginPage`: the web UI's renderer of the sign-in page (src/web/login-page.ts). */
export function authRoutes(
  router: Router<AppState>,
  auth: AuthService,
  publicUrl: string,
  session: Middleware<AppState>,
  loginPage: (opts: LoginPageOptions) => string,
): void {
  const page = (ctx: Context, status: number, extra: Partial<LoginPageOptions>) => {
    ctx.status = status;
    ctx.type = "html";
    htmlHeaders(ctx); // as the UI's pages: no framing (clickjacking of the sign-in form), no caching
    ctx.body = loginPage({
      providers: auth.oidc.list,
      localLogin: auth.settings.admin !== undefined || auth.initialAdmin !== undefined,
      initialAdmin: auth.initialAdmin?.username,
      ...extra,
    });
  };

  router.get("/login", (ctx) => {
    const notice = ctx.query.signed_out !== undefined ? "You are signed out." : undefined;
    const expired = ctx.query.expired !== undefined ? "Your session has ended; sign in again." : undefined;
    page(ctx, 200, { next: safeNext(ctx.query.next), notice, error: expired });
  });

  router.post("/login", session, async (ctx) => {
    const form = await readForm(ctx, FORM_LIMIT);
    const username = (form.username ?? "").trim();
    const password = form.password ?? "";
    const next = safeNext(form.next);
    const admin = auth.settings.admin ?? auth.initialAdmin;
    if (!admin) return page(ctx, 404, { error: "Local sign-in is not enabled on this registry.", next });
    if (!username || !password) return page(ctx, 400, { error: "Enter a username and a password.", next, username });
    const wait = auth.throttle.retryAfter(ctx.ip);
    if (wait > 0) {
      ctx.set("Retry-After", String(wait));
      ctx.state.log.warn({ ip: ctx.ip, username }, "local sign-in throttled");
      return page(ctx, 429, { error: `Too many failed attempts. Try again in ${wait} seconds.`, next, username });
    }
    const delay = auth.throttle.delayMs(username);
    if (delay > 0) {
      ctx.state.log.warn({ ip: ctx.ip, username, delayMs: delay }, "local sign-in slowed down: many failures for this username");
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    // Evaluate both comparisons so that timing does not reveal which one failed.
    const userOk = sameSecret(username, admin.username);
    const passwordOk = "password" in admin ? sameSecret(password, admin.password) : await admin.verify(password);
    if (!(userOk && passwordOk)) {
      auth.throttle.fail(ctx.ip, username);
      ctx.state.log.warn({ ip: ctx.ip, username }, "local sign-in failed");
      // The name tried is the caller's text: kept short, and never the password.
      const tried = username.slice(0, 100);
      await auth.audit({ subject: `local:${tried}`, username: tried, authMethod: "session-local" }, { action: "auth.sign_in_failed", outcome: "denied" });
      return page(ctx, 401, { error: "Invalid username or password.", next, username });
    }
    auth.throttle.succeed(ctx.ip, username);
    await signIn(ctx, {
      subject: `local:${admin.username}`,
      username: admin.username,
      groups: [auth.adminGroup],
      scopes: null,
      authMethod: "session-local",
    });
    ctx.state.log.info({ username }, "local admin signed in");
    await auth.audit({ subject: `local:${admin.username}`, username: admin.username, authMethod: "session-local" }, { action: "auth.sign_in" });
    ctx.status = 303;
    ctx.redirect(next);
  });

  router.get("/auth/:provider", async (ctx) => {
    const provider = auth.oidc.find(ctx.params.provider ?? "");
    if (!provider) return page(ctx, 404, { error: `There is no sign-in provider called "${ctx.params.provider}".` });
    try {
      const { url, pending } = await auth.oidc.start(provider.id, safeNext(ctx.query.next));
      ctx.cookies.set(PENDING_LOGIN_COOKIE, Buffer.from(JSON.stringify(pending)).toString("base64url"), {
        httpOnly: true,
        sameSite: "lax",
        secure: auth.settings.secureCookies,
        signed: true,
        maxAge: 10 * 60_000,
        path: "/auth",
      });
      ctx.redirect(url.href);
    } catch (err) {
      ctx.state.log.error({ provider: provider.id, err: (err as Error).message }, "identity provider unreachable");
      page(ctx, 502, { error: `${provider.displayName} cannot be reached right now. Try again shortly.` });
    }
  });

  router.get("/auth/:provider/callback", session, async (ctx) => {
    const provider = auth.oidc.find(ctx.params.provider ?? "");
    if (!provider) return page(ctx, 404, { error: `There is no sign-in provider called "${ctx.params.provider}".` });
    const raw = ctx.cookies.get(PENDING_LOGIN_COOKIE, { signed: true });
    ctx.cookies.set(PENDING_LOGIN_COOKIE, null, { path: "/auth" });
    const providerError = typeof ctx.query.error === "string" ? ctx.query.error : undefined;
    // Nobody is known yet: the row names the provider and why, never the caller's text.
    const failed = (reason: string) =>
      auth
        .audit({ subject: `oidc:${provider.id}`, username: "unknown", authMethod: "session-oidc" }, { action: "auth.sign_in_failed", outcome: "denied", details: { provider: provider.id, reason } })
        .catch((err: Error) => ctx.state.log.error({ err: err.message }, "could not record a failed sign-in"));
    if (providerError) {
      await failed("provider_refused");
      const description = typeof ctx.query.error_description === "string" ? `: ${ctx.query.error_description}` : "";
      return page(ctx, 401, { error: `${provider.displayName} did not sign you in (${providerError}${description}).` });
    }
    const pending = decodePending(raw);
    if (!pending || pending.provider !== provider.id) {
      await failed("no_pending_sign_in");
      return page(ctx, 400, { error: "This sign-in expired or was started in another browser. Please try again." });
    }
    try {
      const { identity, idToken } = await auth.oidc.finish(pending, ctx.querystring);
      await signIn(ctx, identity, idToken);
      await auth.audit(identity, { action: "auth.sign_in" });
      ctx.state.log.info({ provider: provider.id, username: identity.username }, "signed in");
      ctx.redirect(pending.returnTo);
    } catch (err) {
      ctx.state.log.warn({ provider: provider.id, err: (err as Error).message }, "sign-in callback failed");
      await failed("callback_failed");
      page(ctx, 401, { error: `Sign-in with ${provider.displayName} failed. Please try again.` });
    }
  });

  router.post("/logout", session, async (ctx) => {
    const form = ctx.request.length ? await readForm(ctx, FORM_LIMIT) : {};
    const session = ctx.cookies.get(auth.sessionCookie, { signed: false }) ? ctx.session : null;
    const identity = session?.identity;
    const idToken = session?.idToken;
    ctx.session = null; // destroys the stored session: the cookie is dead everywhere
    if (identity) {
      ctx.state.log.info({ username: identity.username }, "signed out");
      await auth.audit(identity, { action: "auth.sign_out" });
    }
    const loginUrl = `${publicUrl}/login?signed_out=1`;
    if ((form.everywhere === "on" || form.everywhere === "true") && identity?.provider) {
      const url = await auth.oidc.endSessionUrl(identity.provider, idToken, loginUrl).catch(() => undefined);
      if (url) {
        ctx.status = 303;
        return ctx.redirect(url.href);
      }
    }
    ctx.status = 303;
    ctx.redirect("/login?signed_out=1");
  });

  router.get("/.well-known/jwks.json", (ctx) => {
    ctx.set("Cache-Control", "public, max-age=300");
    ctx.body = { keys: [auth.tokens.publicJwk] };
  });
}

function decodePending(raw: string | undefined): PendingLogin | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as PendingLogin;
    return typeof value.state === "string" && typeof value.verifier === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
