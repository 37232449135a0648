// GET /metrics: the Prometheus text exposition, behind METRICS_TOKEN (a bearer) when
// one is set. It sits before the viewer middleware, because the metrics token is not a
// registry credential and must not be read as one (that would answer 401 invalid_token).
import { timingSafeEqual } from "node:crypto";
import type { Middleware } from "koa";
import type { Metrics } from "../metrics/registry.ts";
import { HttpError } from "./errors.ts";

export const METRICS_PATH = "/metrics";

/**
 * `publicPort`: served on the main listener. With no token there, only loopback peers (the
 * socket's own address, never a forwarded one) may read it: its labels name server paths and
 * tools, which a caller who may not list them must not learn.
 */
export function metricsEndpoint(metrics: Metrics, token: string | undefined, opts: { publicPort: boolean } = { publicPort: false }): Middleware {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  // Every request passes through here: the pass-through stays synchronous (no promise of its own).
  return (ctx, next) => (ctx.path === METRICS_PATH ? serve(ctx) : next());
  async function serve(ctx: Parameters<Middleware>[0]): Promise<void> {
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
    if (!expected && opts.publicPort && !isLoopback(ctx.req.socket.remoteAddress)) {
      throw new HttpError(403, "FORBIDDEN", "GET /metrics on this port answers loopback callers only; set METRICS_TOKEN or METRICS_PORT to scrape it");
    }
    ctx.set("Cache-Control", "no-store");
    ctx.type = metrics.contentType;
    ctx.body = await metrics.text();
  }
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4 === "::1" || /^127\.\d+\.\d+\.\d+$/.test(v4);
}
