// Turns whatever a handler throws into the REST error body with the right status.
// Handlers throw; they never build error JSON. Unknown errors become a 500 with no details.
import type { Middleware } from "koa";
import { errorBody, HttpError } from "./errors.ts";
import type { AppState } from "./state.ts";

export function errorBoundary(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, "NOT_FOUND", `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.set(err.headers);
        ctx.body = errorBody(err.code, err.message);
        return;
      }
      ctx.state.log.error({ err }, "request failed");
      ctx.status = 500;
      ctx.body = errorBody("INTERNAL", "Internal server error");
    }
  };
}
