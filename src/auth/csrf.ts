// Cross-site request forgery guard for cookie-authenticated state changes: when the
// browser says where the request came from (Origin, else Referer) and it is not
// this server, refuse. Requests without either header (curl -b cookies.txt ...)
// pass, and SameSite=Lax cookies cover the rest. Bearer requests are exempt: a
// browser never attaches a bearer token by itself.
import type { Middleware } from "koa";
import { HttpError } from "../http/errors.ts";
import type { AppState } from "../http/state.ts";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrfGuard(publicUrl: string): Middleware<AppState> {
  const publicOrigin = new URL(publicUrl).origin;
  return async (ctx, next) => {
    if (!SAFE.has(ctx.method) && ctx.state.authenticatedBy !== "bearer") {
      const claimed = ctx.get("origin") || originOf(ctx.get("referer"));
      if (claimed && claimed !== "null" && claimed !== publicOrigin && claimed !== `${ctx.protocol}://${ctx.host}`) {
        throw new HttpError(403, "CSRF_REJECTED", "Cross-origin form posts are not accepted");
      }
      if (claimed === "null") throw new HttpError(403, "CSRF_REJECTED", "Requests from an opaque origin are not accepted");
    }
    await next();
  };
}

function originOf(referer: string): string {
  if (!referer) return "";
  try {
    return new URL(referer).origin;
  } catch {
    return "null";
  }
}
