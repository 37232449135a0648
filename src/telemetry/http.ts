// A SERVER span per HTTP request, continuing the caller's trace (W3C traceparent), named
// `{method} {route template}` once the route is known. The path goes in url.path; the
// query string (which may hold a token) and headers are not recorded.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Middleware } from "koa";
import { routeOf } from "../metrics/http.ts";
import { tracer } from "./spans.ts";

export function httpTracing(): Middleware {
  return async (ctx, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, ctx.headers);
    const span = tracer().startSpan(
      ctx.method,
      {
        kind: SpanKind.SERVER,
        attributes: { "http.request.method": ctx.method, "url.path": ctx.path, "url.scheme": ctx.protocol },
      },
      parent,
    );
    ctx.res.once("close", () => {
      const route = routeOf(ctx);
      span.updateName(`${ctx.method} ${route}`);
      span.setAttribute("http.route", route);
      if (!ctx.res.writableFinished) {
        span.setAttribute("http.response.status_code", 499);
      } else {
        span.setAttribute("http.response.status_code", ctx.status);
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
    await context.with(trace.setSpan(parent, span), next);
  };
}
