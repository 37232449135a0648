// Metrics and traces, put together for one running server: the hooks the database,
// health checks, GraphQL, the HTTP app and the gateway take, the scrape-time gauges, and
// /metrics on its own port when METRICS_PORT is set. With METRICS=false and no
// OTEL_EXPORTER_OTLP_ENDPOINT nothing here is installed at all.
import http from "node:http";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import type { Database, DatabaseHooks } from "./db/database.ts";
import type { QueryRecord } from "./db/observed-adapter.ts";
import type { GatewayObserver } from "./gateway/target.ts";
import type { HealthObserver } from "./health/observer.ts";
import { errorBoundary } from "./http/error-boundary.ts";
import { metricsEndpoint } from "./http/metrics-endpoint.ts";
import { requestLog } from "./http/request-log.ts";
import type { UpgradeRouter } from "./http/upgrade.ts";
import { gatewayMetricsObserver } from "./metrics/gateway.ts";
import { KnownToolIndex } from "./metrics/known-tools.ts";
import { Metrics } from "./metrics/registry.ts";
import { querySpan } from "./telemetry/database.ts";
import { toolCallSpan } from "./telemetry/gateway.ts";
import { startTelemetry, type Telemetry } from "./telemetry/sdk.ts";

export class Observability {
  readonly metrics: Metrics | undefined;
  readonly tracing: boolean;
  private readonly telemetry: Telemetry | undefined;
  private knownTools: KnownToolIndex | undefined;
  private stopWatching = () => {};
  private metricsServer: http.Server | undefined;

  private constructor(
    private readonly config: Config,
    private readonly log: Logger,
    telemetry: Telemetry | undefined,
  ) {
    this.metrics = config.metrics.enabled ? new Metrics() : undefined;
    this.telemetry = telemetry;
    this.tracing = telemetry !== undefined;
  }

  static async start(config: Config, log: Logger): Promise<Observability> {
    return new Observability(config, log, await startTelemetry(config.telemetry, log));
  }

  /** For openDatabase: every statement timed and traced. */
  databaseHooks(): DatabaseHooks {
    const { metrics, tracing } = this;
    if (!metrics && !tracing) return {};
    // Bound once per statement kind and outcome (a fixed set): this runs for every SQL statement.
    const children = new Map<string, { observe(seconds: number): void }>();
    const childOf = (operation: string, outcome: string) => {
      const key = `${operation} ${outcome}`;
      let child = children.get(key);
      if (!child && metrics) children.set(key, (child = metrics.dbQueryDuration.labels({ operation, outcome })));
      return child;
    };
    return {
      observeQuery(record: QueryRecord) {
        childOf(record.operation, record.failed ? "error" : "ok")?.observe(record.ms / 1000);
        if (tracing) querySpan(record);
      },
    };
  }

  healthObserver(): HealthObserver | undefined {
    const metrics = this.metrics;
    if (!metrics) return undefined;
    return {
      checked(outcome, ms) {
        metrics.healthChecks.inc({ outcome });
        if (outcome !== "skipped") metrics.healthCheckDuration.observe(ms / 1000);
      },
      swept(report) {
        metrics.healthSweepDuration.observe(report.ms / 1000);
      },
    };
  }

  /** Reads the state the gauges report, once the parts exist; keeps the gateway's known-tool labels fresh. */
  attach(parts: { db: Database; upgrades: UpgradeRouter }): void {
    const { db, upgrades } = parts;
    const metrics = this.metrics;
    if (!metrics) return;
    metrics.observe({
      webSockets: () => upgrades.openSockets(),
      eventSubscribers: () => db.changes.subscriberCount(),
      pool: () => db.poolStats(),
      serversByHealth: async () => {
        const rows = await db.prisma.server.groupBy({ by: ["enabled", "healthStatus"], _count: { _all: true } });
        const byState = new Map<string, number>();
        for (const row of rows) {
          const state = row.enabled ? row.healthStatus.toLowerCase() : "disabled";
          byState.set(state, (byState.get(state) ?? 0) + row._count._all);
        }
        return [...byState].map(([state, count]) => ({ state, count }));
      },
    });
    const index = new KnownToolIndex(
      async () => {
        const tools = await db.prisma.tool.findMany({ select: { name: true, server: { select: { path: true } } } });
        return tools.map((t) => ({ path: t.server.path, name: t.name }));
      },
      (err) => this.log.warn({ err: err.message }, "could not load the tool names for gateway metrics"),
    );
    this.knownTools = index;
    void index.refresh();
    this.stopWatching = db.changes.subscribe((change) => {
      if (change.entity === "tool" || change.entity === "server" || change.entity === "health") index.changed();
    });
  }

  /** Reloads the tool names the gateway's tool label may take (they also reload by themselves on changes). */
  refreshKnownTools(): Promise<void> {
    return this.knownTools?.refresh() ?? Promise.resolve();
  }

  /** The gateway's metrics and `tools/call {tool}` spans, as one of its observers; undefined when both are off. */
  gatewayObserver(): GatewayObserver | undefined {
    const { metrics, tracing } = this;
    if (!metrics && !tracing) return undefined;
    const counted = metrics ? gatewayMetricsObserver(metrics, (path, tool) => this.knownTools?.has(path, tool) ?? false) : undefined;
    return {
      toolCall(record) {
        counted?.toolCall(record);
        if (tracing) toolCallSpan(record);
      },
      denied: (reason, path) => counted?.denied(reason, path),
      upstreamError: (path, reason) => counted?.upstreamError(path, reason),
      rateLimited: (scope, path) => counted?.rateLimited(scope, path),
      streamOpened: (path) => counted?.streamOpened(path) ?? (() => undefined),
    };
  }

  /** METRICS_PORT: /metrics alone on its own port (and not on the main one). Returns its URL. */
  async listen(): Promise<string | undefined> {
    const { metrics, config } = this;
    if (!metrics || config.metrics.port === undefined) return undefined;
    const app = new Koa();
    app.silent = true;
    app.use(requestLog(this.log));
    app.use(errorBoundary());
    app.use(metricsEndpoint(metrics, config.metrics.token));
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.metrics.port, config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.metricsServer = server;
    const { port } = server.address() as AddressInfo;
    const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
    return `http://${host.includes(":") ? `[${host}]` : host}:${port}/metrics`;
  }

  async close(): Promise<void> {
    this.stopWatching();
    this.knownTools?.close();
    const server = this.metricsServer;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.metrics?.close();
    await this.telemetry?.shutdown();
  }
}
