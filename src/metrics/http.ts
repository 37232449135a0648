// Counts and times every HTTP request by method, route template and status class. The
// route is the matched router template (`/api/tools/*service_path`, `/graphql`), never
// the path itself: a label per path (or per user id in one) would grow without bound.
// A request no route answers is `unmatched`, unless the code that answered it named
// itself (`ctx.state.metricsRoute`, e.g. the gateway). A client that goes away before
// the answer is written counts as 499, like nginx, and not as an error of ours.
import { Stream } from "node:stream";
import type { Context, Middleware } from "koa";
import { OTHER, type Metrics } from "./registry.ts";

const METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The part of @koa/router's Layer the route label needs (it keeps matched layers on ctx.matched). */
type MatchedLayer = { path: string | RegExp; methods: string[] };

/** Set by a component that answers outside the routers, e.g. `gateway`: a fixed label, never a path. */
export type MetricsRouteState = { metricsRoute?: string };

export function routeOf(ctx: Context): string {
  const matched = (ctx as unknown as { matched?: MatchedLayer[] }).matched;
  if (matched && matched.length > 0) {
    let pathOnly: MatchedLayer | undefined;
    for (let i = matched.length - 1; i >= 0; i--) {
      const layer = matched[i]!;
      if (layer.methods.length === 0) continue; // router.use() middleware
      if (layer.methods.includes(ctx.method)) return String(layer.path);
      pathOnly ??= layer;
    }
    // The path has a route but not for this method (405): still a template.
    if (pathOnly) return String(pathOnly.path);
  }
  return (ctx.state as MetricsRouteState).metricsRoute ?? "unmatched";
}

/**
 * Labels the requests `middleware` answers itself with `label` (for metrics and span names);
 * requests it passes on (next) go unlabelled to the routes after it.
 */
export function namedRoute<S>(label: string, middleware: Middleware<S>): Middleware<S> {
  return (ctx, next) => {
    const state = ctx.state as MetricsRouteState;
    state.metricsRoute = label;
    return middleware(ctx, () => {
      delete state.metricsRoute;
      return next();
    });
  };
}

const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

export function statusClassOf(status: number): string {
  if (status >= 100 && status < 600) return STATUS_CLASSES[Math.floor(status / 100) - 1]!;
  return OTHER;
}

export function httpMetrics(metrics: Metrics): Middleware {
  // The children for each label set, bound once: a label set is a route template, a status
  // class and a method, all from fixed sets, so this stays as small as the metric itself.
  // Nested maps rather than one joined key: nothing is allocated to find a request's children.
  type Bound = { requests: { inc(): void }; duration: { observe(seconds: number): void } };
  const children = new Map<string, Map<string, Map<string, Bound>>>();
  const childrenOf = (method: string, route: string, status: string): Bound => {
    let byStatus = children.get(route);
    if (!byStatus) children.set(route, (byStatus = new Map()));
    let byMethod = byStatus.get(status);
    if (!byMethod) byStatus.set(status, (byMethod = new Map()));
    let bound = byMethod.get(method);
    if (!bound) {
      const labels = { method, route, status_class: status };
      bound = { requests: metrics.httpRequests.labels(labels), duration: metrics.httpDuration.labels(labels) };
      byMethod.set(method, bound);
    }
    return bound;
  };
  const record = (ctx: Context, started: number, status: string) => {
    const bound = childrenOf(METHODS.has(ctx.method) ? ctx.method : OTHER, routeOf(ctx), status);
    bound.requests.inc();
    bound.duration.observe((performance.now() - started) / 1000);
  };
  const onClose = (ctx: Context, started: number) => () => record(ctx, started, ctx.res.writableFinished ? statusClassOf(ctx.res.statusCode) : "499");
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } catch (err) {
      ctx.res.once("close", onClose(ctx, started));
      throw err;
    }
    // A string, buffer or JSON answer is written by Koa as soon as this returns: counted now,
    // without a listener on every response. Streams, and answers written by others
    // (ctx.respond = false: the gateway), end later: counted when the response closes.
    if (ctx.respond === false || ctx.body instanceof Stream || ctx.res.headersSent) {
      // ...unless it is over already (the gateway answers before its middleware returns).
      if (ctx.res.writableFinished) record(ctx, started, statusClassOf(ctx.res.statusCode));
      else if (ctx.res.destroyed) record(ctx, started, "499");
      else ctx.res.once("close", onClose(ctx, started));
      return;
    }
    // A client that went away before its answer: 499, not an error of ours.
    record(ctx, started, ctx.req.destroyed || ctx.res.destroyed ? "499" : statusClassOf(ctx.status));
  };
}
