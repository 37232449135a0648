// Refusals of /graphql requests made before yoga runs (not signed in, a refused token,
// rate limits, body limits, CSRF) in GraphQL's shape, so GraphQL clients read them like
// any other error: {"errors": [{"message", "extensions": {"code"}}]}, with the same status
// and headers (WWW-Authenticate, Retry-After) as the REST error body would have: the same
// mapping (http/status-of.ts) as the error boundary's.
import type { Middleware } from "koa";
import type { AppState } from "../http/state.ts";
import { httpErrorOf } from "../http/status-of.ts";

export function graphqlHttpErrors(endpoint = "/graphql"): Middleware<AppState> {
  return async (ctx, next) => {
    // The router also matches /GRAPHQL and /graphql/.
    if (ctx.path.toLowerCase().replace(/\/$/, "") !== endpoint) return next();
    try {
      await next();
    } catch (err) {
      // A browser opening GraphiQL keeps the HTML error page.
      const browser = (ctx.method === "GET" || ctx.method === "HEAD") && ctx.accepts("json", "html") === "html";
      const mapped = browser ? undefined : httpErrorOf(err, { bearer: ctx.state.authenticatedBy === "bearer" });
      if (!mapped) throw err;
      ctx.set(mapped.headers);
      ctx.status = mapped.status;
      ctx.body = { errors: [{ message: mapped.message, extensions: { code: mapped.code } }] };
    }
  };
}
