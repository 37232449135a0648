// The headers of every HTML page the server renders (the web UI, sign-in, the edit
// form, error pages, GraphiQL): never cached (they hold per-user data and current asset
// names), never framed, no MIME sniffing, and a Content-Security-Policy of this origin only.
import type { Context } from "koa";

/** The UI pages' policy: scripts and styles are hashed files of this origin, no inline code. */
const UI_DIRECTIVES = ["script-src 'self'", "style-src 'self'", "img-src 'self' data:"];

export function pageHeaders(ctx: Context, directives: readonly string[]): void {
  ctx.set("Cache-Control", "no-store");
  ctx.set("X-Content-Type-Options", "nosniff");
  ctx.set("Referrer-Policy", "same-origin");
  ctx.set("X-Frame-Options", "DENY");
  ctx.set(
    "Content-Security-Policy",
    [
      "default-src 'self'",
      ...directives,
      `connect-src 'self' ws://${ctx.host} wss://${ctx.host}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
    ].join("; "),
  );
}

/** The headers of the web UI's pages and of the other pages in its style. */
export function htmlHeaders(ctx: Context): void {
  pageHeaders(ctx, UI_DIRECTIVES);
}
