// graphql-yoga over the Pothos schema, with the limits that keep one request from
// taking the server down: document size (tokens), depth, cost, and body size (http/).
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import type { GraphQLError } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { Logger } from "pino";
import type { AuthService } from "../auth/service.ts";
import type { Viewer } from "../auth/viewer.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import type { ServerEvents } from "../servers/events.ts";
import type { HealthService } from "../health/service.ts";
import type { Context } from "./context.ts";
import { costLimitPlugin, depthLimitPlugin } from "./cost-limit.ts";
import { documentCaches } from "./document-cache.ts";
import { renderGraphiQL } from "./graphiql.ts";
import { hostileInputPlugin } from "./hostile-input.ts";
import { knownOperationNames } from "./known-operations.ts";
import { graphqlCacheHits, graphqlMetricsPlugin } from "../metrics/graphql.ts";
import type { Metrics } from "../metrics/registry.ts";
import { graphqlTracingPlugin } from "../telemetry/graphql.ts";
import { responseCachePlugin, type ResultCache } from "./response-cache.ts";
import { getSchema } from "./schema/index.ts";
import { signedInPlugin } from "./signed-in.ts";
import type { SearchService } from "../search/service.ts";

/** graphql-armor's refusals carry no code; give them one, and a 400 like other request errors. */
function rejectAs(code: string) {
  return (_ctx: unknown, err: GraphQLError) => {
    Object.assign(err.extensions, { code, http: { status: 400 } });
  };
}

/** What the HTTP layer (or the REST layer, in-process) hands each GraphQL request. */
export type ServerContext = {
  log: Logger;
  viewer: Viewer | null;
  /** The caller caches the finished answer itself (the registry API's GET routes): skip the result cache. */
  bypassResultCache?: boolean;
};

export type GraphQL = {
  yoga: YogaServerInstance<ServerContext, Context>;
  /** Present when GRAPHQL_RESPONSE_CACHE is on. */
  cache: ResultCache | undefined;
  close(): void;
};

export function createGraphQL(deps: {
  config: Config;
  db: Database;
  auth: AuthService;
  events: ServerEvents;
  health: HealthService;
  search: SearchService;
  log: Logger;
  /** Operations counted and timed (first, so refusals and cached answers count too); traced when tracing is on. */
  observe?: { metrics: Metrics | undefined; tracing: boolean };
}): GraphQL {
  const { config, db, auth, events, health, search, log } = deps;
  const metrics = deps.observe?.metrics;
  const plugins: Plugin[] = [
    ...(deps.observe?.tracing ? [graphqlTracingPlugin()] : []),
    ...(metrics ? [graphqlMetricsPlugin(metrics, knownOperationNames())] : []),
    // Every operation needs a signed-in caller (signed-in.ts).
    signedInPlugin(),
    hostileInputPlugin(),
    maxTokensPlugin({ n: config.graphql.maxTokens, onReject: [rejectAs("QUERY_TOO_LONG")] }),
    depthLimitPlugin(config.graphql.maxDepth, rejectAs("QUERY_TOO_DEEP")),
    costLimitPlugin(config.graphql.maxCost),
  ];
  let cache: ResultCache | undefined;
  let stopCache = () => {};
  if (config.graphql.responseCache) {
    const rc = responseCachePlugin({
      changes: db.changes,
      ttlMs: config.graphql.responseCacheTtlMs,
      maxBytes: config.graphql.responseCacheMaxBytes,
      maxTokens: config.graphql.maxTokens,
      // Callers whose grants are equal see the same servers, so they may share results.
      scopeOf: (context) => (context.viewer as Viewer | null | undefined)?.grants.key ?? "anonymous",
      enabled: (context) => context.bypassResultCache !== true,
      ...(metrics ? { onHit: graphqlCacheHits(metrics, knownOperationNames()) } : {}),
    });
    plugins.push(rc.plugin);
    cache = rc.cache;
    stopCache = rc.stop;
  }
  const yoga = createYoga<ServerContext, Context>({
    schema: getSchema(),
    graphqlEndpoint: "/graphql",
    graphiql: config.graphql.graphiql
      ? (request) => ({
          title: "MCP Gateway Registry",
          // The session cookie signs GraphiQL in (same origin); a bearer token goes in its Headers tab.
          credentials: "same-origin",
          // Subscriptions over HTTP (text/event-stream), or over graphql-ws with ?subscriptions=ws.
          subscriptionsProtocol: new URL(request.url).searchParams.get("subscriptions") === "ws" ? "WS" : "SSE",
        })
      : false,
    renderGraphiQL,
    landingPage: false,
    logging: {
      debug: (...args: unknown[]) => log.debug({ args }, "graphql"),
      info: (...args: unknown[]) => log.info({ args }, "graphql"),
      warn: (...args: unknown[]) => log.warn({ args }, "graphql"),
      error: (...args: unknown[]) => log.error({ err: args[0] }, "graphql error"),
    },
    maskedErrors: true,
    // The HTTP layer already limits bodies (BODY_LIMIT_BYTES, with a 413 in the error format).
    maxRequestBodySize: false,
    parserAndValidationCache: documentCaches(),
    plugins,
    context: ({ log: requestLog, viewer }): Omit<Context, keyof ServerContext> & ServerContext => ({
      prisma: db.prisma,
      db,
      config,
      auth,
      events,
      health,
      search,
      viewer: viewer ?? null,
      log: requestLog ?? log,
    }),
  });
  return { yoga, cache, close: stopCache };
}
