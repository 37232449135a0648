// Opens the database, builds the app and listens; close() shuts it all down
// gracefully. main.ts and the tests both start the server through here.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type Koa from "koa";
import { createApp } from "./app.ts";
import type { AppState } from "./http/state.ts";
import type { Config } from "./config.ts";
import { createAuth, type AuthService } from "./auth/service.ts";
import { openDatabase, type Database } from "./db/database.ts";
import { attachHealthFeed } from "./graphql/health-feed.ts";
import { attachSubscriptions } from "./graphql/subscriptions.ts";
import { createGraphQL, type GraphQL } from "./graphql/yoga.ts";
import { ServerEvents } from "./servers/events.ts";
import { createHealth, type HealthService } from "./health/service.ts";
import { createGateway, type Gateway } from "./gateway/routes.ts";
import { UpgradeRouter } from "./http/upgrade.ts";
import { ShutdownSteps } from "./shutdown.ts";
import { startAuditRetention } from "./audit/retention.ts";
import { gatewayAudit } from "./audit/gateway.ts";
import { Observability } from "./observability.ts";
import { createSearch } from "./search/service.ts";
import { createEmbeddings } from "./search/embeddings.ts";
import { loadExpander } from "./search/expand.ts";

export type RunningServer = {
  url: string;
  httpServer: http.Server;
  /** The Koa application (its routers are listed by the OpenAPI drift test). */
  koa: Koa<AppState>;
  port: number;
  db: Database;
  graphql: GraphQL;
  auth: AuthService;
  events: ServerEvents;
  health: HealthService;
  /** The MCP gateway: `gateway.observe(...)` adds a metrics or audit observer. */
  gateway: Gateway;
  /** Dispatches WebSocket handshakes by path (the tests attach extra endpoints to it). */
  upgrades: UpgradeRouter;
  /** Metrics (undefined with METRICS=false) and tracing; the gateway's observer comes from here. */
  observability: Observability;
  /** Where Prometheus scrapes: `{url}/metrics`, or the METRICS_PORT listener's; undefined with METRICS=false. */
  metricsUrl: string | undefined;
  /** Stops accepting, lets requests in flight finish (up to the timeout), closes the database. */
  close(): Promise<void>;
  /** The close steps that have started and not finished (for the shutdown deadline's log). */
  pendingShutdownSteps(): string[];
};

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const observability = await Observability.start(config, log);
  let db: Database;
  try {
    db = await openDatabase(config.database, log, observability.databaseHooks());
  } catch (err) {
    await observability.close();
    throw err;
  }
  let auth: AuthService;
  try {
    auth = await createAuth({ config, db, log });
  } catch (err) {
    await db.close();
    await observability.close();
    throw err;
  }
  const events = new ServerEvents(db.changes);
  let health: HealthService;
  try {
    health = await createHealth({ config, db, events, log, observer: observability.healthObserver() });
  } catch (err) {
    auth.close();
    await db.close();
    await observability.close();
    throw err;
  }
  const { metrics, tracing } = observability;
  const embeddings = createEmbeddings({ config, db, log });
  const search = createSearch({ prisma: db.prisma, log, expander: loadExpander, embeddings, embedTimeoutMs: config.embeddings?.queryTimeoutMs });
  const graphql = createGraphQL({ config, db, auth, events, health, search, log, observe: { metrics, tracing } });
  const gateway = createGateway({ config, db, auth, credentials: health.credentials, log });
  const app = createApp({ config, db, graphql, auth, log, gateway, observe: { metrics, tracing } });
  const server = http.createServer(app.callback());
  const upgrades = new UpgradeRouter(server, log);
  observability.attach({ db, upgrades });
  const gatewayObserver = observability.gatewayObserver();
  if (gatewayObserver) gateway.observe(gatewayObserver);
  const gatewayAuditLog = gatewayAudit(db, log);
  gateway.observe(gatewayAuditLog.observer);
  const subscriptions = attachSubscriptions({
    upgrades,
    graphql,
    auth,
    changes: db.changes,
    log,
    publicUrl: config.publicUrl,
    maxPayloadBytes: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    ...config.subscriptions,
  });
  const healthFeed = attachHealthFeed({
    upgrades,
    graphql,
    auth,
    changes: db.changes,
    log,
    settings: { ...config.healthFeed, publicUrl: config.publicUrl, trustProxy: config.trustProxy },
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;
  let separateMetricsUrl: string | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    separateMetricsUrl = await observability.listen();
  } catch (err) {
    server.close();
    upgrades.close();
    await healthFeed.close();
    await subscriptions.close();
    graphql.close();
    auth.close();
    await gateway.close();
    await health.close();
    await db.close();
    await observability.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const auditRetention = startAuditRetention({ db, retentionDays: config.audit.retentionDays, log });
  const url = config.port === 0 ? config.publicUrl.replace(/:0$/, `:${port}`) : config.publicUrl;
  let closing: Promise<void> | undefined;
  const steps = new ShutdownSteps();
  return {
    url,
    httpServer: server,
    koa: app,
    port,
    db,
    graphql,
    auth,
    events,
    health,
    gateway,
    upgrades,
    observability,
    metricsUrl: metrics ? (separateMetricsUrl ?? `${url}/metrics`) : undefined,
    close() {
      closing ??= (async () => {
        // Upgraded sockets still count as connections: end them first, or close() waits for them.
        upgrades.close();
        await Promise.all([
          steps.run("websocket subscriptions", () => subscriptions.close()),
          steps.run("health feed sockets", () => healthFeed.close()),
        ]);
        const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
        await steps.run("http connections", () => new Promise<void>((resolve) => server.close(() => resolve())));
        clearTimeout(timer);
        await steps.run("gateway upstream connections", () => gateway.close());
        await steps.run("gateway audit rows", () => gatewayAuditLog.close());
        auditRetention.close();
        await steps.run("health checks", () => health.close());
        await steps.run("search embeddings", () => embeddings.close());
        graphql.close();
        auth.close();
        await steps.run("metrics and traces", () => observability.close());
        await steps.run("database", () => db.close());
      })();
      return closing;
    },
    pendingShutdownSteps: () => steps.pending,
  };
}
