// GET /metrics: the Prometheus text exposition, behind METRICS_TOKEN (a bearer) when
// one is set. It sits before the viewer middleware, because the metrics token is not a
// registry credential and must not be read as one (that would answer 401 invalid_token).
import { timingSafeEqual } from "node:crypto";
import type { Middleware } from "koa";
import type { Metrics } from "../metrics/registry.ts";
import { HttpError } from "./errors.ts";

export const METRICS_PATH = "/metrics";

export function metricsEndpoint(metrics: Metrics, token: string | undefined): Middleware {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  return async (ctx, next) => {
    if (ctx.path !== METRICS_PATH) return next();
    if (ctx.method !== "GET" && ctx.method !== "HEAD") {
      throw new HttpError(405, "METHOD_NOT_ALLOWED", `${ctx.method} is not allowed on ${METRICS_PATH}; use GET`, { Allow: "GET, HEAD" });
    }
    if (expected) {
      const given = Buffer.from(ctx.get("authorization"));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new HttpError(401, "UNAUTHENTICATED", "GET /metrics needs the metrics bearer token (METRICS_TOKEN)", {
          "WWW-Authenticate": 'Bearer realm="metrics"',
        });
      }
    }
    ctx.set("Cache-Control", "no-store");
    ctx.type = metrics.contentType;
    ctx.body = await metrics.text();
  };
}
