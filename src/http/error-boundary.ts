// Turns whatever a handler throws into the REST error body with the right status: an
// HttpError as it is, a domain error (src/errors.ts) by the one table (status-of.ts), with
// its `WWW-Authenticate`. Handlers throw; they never build error JSON. Unknown errors
// become a 500 with no details.
// A browser navigating to a page (GET, preferring HTML) gets the same status and
// message as an HTML page instead, from the renderer the app passes in.
import type { Context, Middleware } from "koa";
import { errorBody, HttpError } from "./errors.ts";
import type { AppState } from "./state.ts";
import { httpErrorOf } from "./status-of.ts";

export type ErrorPage = (ctx: Context & { state: AppState }, status: number, message: string) => void;

export function errorBoundary(errorPage?: ErrorPage): Middleware<AppState> {
  const answer = (ctx: Context & { state: AppState }, status: number, code: string, message: string) => {
    const browser = (ctx.method === "GET" || ctx.method === "HEAD") && ctx.accepts("json", "html") === "html";
    if (errorPage && browser) {
      errorPage(ctx, status, message);
      ctx.status = status;
      return;
    }
    ctx.status = status;
    ctx.body = errorBody(code, message);
  };
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, "NOT_FOUND", `No route for ${ctx.method} ${ctx.path}`);
      }
      // The routers answer a method they do not serve with plain text: 405 for a method
      // another route of the path serves, 501 for one no route serves. Both are the caller's mistake.
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body == null) {
        const allow = ctx.response.get("Allow");
        throw new HttpError(405, "METHOD_NOT_ALLOWED", `${ctx.method} is not allowed on ${ctx.path}${allow ? `; use ${allow}` : ""}`, allow ? { Allow: allow } : {});
      }
    } catch (err) {
      const mapped = httpErrorOf(err, { bearer: ctx.state.authenticatedBy === "bearer" });
      if (mapped) {
        ctx.set(mapped.headers);
        answer(ctx, mapped.status, mapped.code, mapped.message);
        return;
      }
      ctx.state.log.error({ err }, "request failed");
      answer(ctx, 500, "INTERNAL", "Internal server error");
    }
  };
}
