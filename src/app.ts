// The Koa application: middleware in the documented order, then the routes.
import Router from "@koa/router";
import Koa from "koa";
import type { Logger } from "pino";
import { csrfGuard } from "./auth/csrf.ts";
import { authRoutes } from "./auth/routes.ts";
import type { AuthService } from "./auth/service.ts";
import { sessionMiddleware } from "./auth/session.ts";
import { rejectBadCredentials, requireViewer, resolveViewer } from "./auth/viewer.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import { graphiqlAssetRoute } from "./graphql/graphiql.ts";
import { graphqlHttpErrors } from "./graphql/http-errors.ts";
import { graphqlRoute } from "./graphql/route.ts";
import type { GraphQL } from "./graphql/yoga.ts";
import { errorBoundary } from "./http/error-boundary.ts";
import { metricsEndpoint } from "./http/metrics-endpoint.ts";
import { refuseHostileUrl } from "./http/hostile-input.ts";
import { rateLimit } from "./http/rate-limit.ts";
import { requestLog } from "./http/request-log.ts";
import { mcpgwRoutes } from "./mcpgw/routes.ts";
import type { AppState } from "./http/state.ts";
import { AnswerCache } from "./rest/answer-cache.ts";
import { gatewayApiRoutes } from "./rest/gateway-api.ts";
import { openApiDocument } from "./rest/openapi.ts";
import { registryCors, registryRoutes } from "./rest/registry-v0.ts";
import { tokenRoutes } from "./rest/tokens.ts";
import { auditRoutes } from "./rest/audit.ts";
import { searchRoutes } from "./rest/search.ts";
import type { Gateway } from "./gateway/routes.ts";
import { errorPage } from "./web/error-page.ts";
import { loginPage } from "./web/login-page.ts";
import { webRoutes } from "./web/routes.ts";
import { httpMetrics, namedRoute } from "./metrics/http.ts";
import type { Metrics } from "./metrics/registry.ts";
import { httpTracing } from "./telemetry/http.ts";

export function createApp(deps: {
  config: Config;
  db: Database;
  graphql: GraphQL;
  auth: AuthService;
  log: Logger;
  /** The MCP gateway's routes (/{path}/mcp ...); absent in apps built without one. */
  gateway?: Gateway;
  observe?: { metrics: Metrics | undefined; tracing: boolean };
}): Koa<AppState> {
  const { config, db, graphql, auth, log, gateway } = deps;
  const { metrics, tracing } = deps.observe ?? { metrics: undefined, tracing: false };
  const app = new Koa<AppState>();
  app.proxy = config.trustProxy;
  app.silent = true; // errors are logged by the error boundary, once

  // Public: health, sign-in and sign-out, the registry's public keys.
  const router = new Router<AppState>();
  router.get("/health", async (ctx) => {
    const database = (await db.ping()) ? "ok" : "unreachable";
    ctx.status = database === "ok" ? 200 : 503;
    ctx.set("Cache-Control", "no-store");
    ctx.body = { status: database === "ok" ? "ok" : "unavailable", database };
  });
  // Readiness, for load balancers and Kubernetes: /health stays a liveness answer, so a
  // replica whose database or change feed is away is taken out of rotation, not restarted.
  router.get("/ready", async (ctx) => {
    const { ready, ...checks } = await db.readiness();
    ctx.status = ready ? 200 : 503;
    ctx.set("Cache-Control", "no-store");
    ctx.body = { status: ready ? "ready" : "unavailable", ...checks };
  });
  const openapi = JSON.stringify(openApiDocument(config.publicUrl));
  router.get("/openapi.json", (ctx) => {
    ctx.type = "json";
    ctx.set("Cache-Control", "public, max-age=300");
    ctx.body = openapi;
  });
  // koa-session with a store loads the session on every request it sees, so it runs only
  // where sessions are made and ended; reading one is the viewer middleware's job.
  authRoutes(router, auth, config.publicUrl, sessionMiddleware(app, auth) as Koa.Middleware<AppState>, loginPage);

  // Everything else needs a signed-in caller.
  const api = new Router<AppState>();
  api.use(requireViewer());
  api.all("/graphql", graphqlRoute(graphql, config.bodyLimitBytes));
  if (config.graphql.graphiql) graphiqlAssetRoute(api);
  tokenRoutes(api, graphql, {
    publicUrl: config.publicUrl,
    providers: config.auth.providers,
    tokenMaxTtlSeconds: config.auth.tokenMaxTtlSeconds,
  });
  // Finished answers of the REST reads, dropped by every change like the GraphQL response cache.
  const answers = config.graphql.responseCache ? new AnswerCache(db.changes, config.graphql.responseCacheTtlMs, config.graphql.responseCacheMaxBytes) : undefined;
  gatewayApiRoutes(api, graphql, answers);
  auditRoutes(api, graphql);
  searchRoutes(api, graphql);
  webRoutes({ public: router, signedIn: api }, config);
  // The registry's own MCP server answers its refusals as an MCP client expects (JSON-RPC, a Bearer challenge).
  const mcpgw = new Router<AppState>();
  mcpgwRoutes(mcpgw, graphql, {
    publicUrl: config.publicUrl,
    bodyLimitBytes: config.bodyLimitBytes,
    issuers: config.auth.providers.map((p) => p.issuer),
    allowedOrigins: config.gateway.allowedOrigins,
  });

  // Outermost, so they see the final status and every request, refused ones included.
  if (tracing) app.use(httpTracing());
  if (metrics) app.use(httpMetrics(metrics));
  app.use(requestLog(log));
  app.use(errorBoundary(errorPage));
  // METRICS_PORT moves it off this port.
  if (metrics && config.metrics.port === undefined) app.use(metricsEndpoint(metrics, config.metrics.token, { publicPort: true }));
  app.use(graphqlHttpErrors());
  app.use(registryCors());
  app.use(resolveViewer(auth));
  // The MCP gateway answers its own refusals (401 challenges, JSON-RPC errors) and keeps its
  // own rate limits per (identity, server) and tool; Koa never reads its bodies.
  if (gateway) app.use(namedRoute("gateway", gateway.middleware));
  // After the viewer (buckets are per identity), before anything that does real work.
  app.use(rateLimit(config.rateLimit));
  // NUL bytes in the path or query never reach a route (bodies are checked where they are read).
  app.use(refuseHostileUrl());
  app.use(rejectBadCredentials());
  app.use(csrfGuard(config.publicUrl));
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.use(mcpgw.routes());
  // The official registry API (/v0.1, /v0): reads may be public (REGISTRY_PUBLIC_READS), so it sits before `api`.
  app.use(registryRoutes(graphql, { ...config.registry, bodyLimitBytes: config.bodyLimitBytes, answers }).routes());
  app.use(api.routes());
  app.use(api.allowedMethods());
  return app;
}
