// The Prometheus metrics of one running server, in a registry of its own (tests start
// several apps in one process; prom-client's global registry would mix them). Every
// label takes values from a set fixed by the code or by the registry's own data (route
// templates, known operation names, registered servers and tools), never from a request.
// Gauges that describe state (sockets, subscribers, pool, servers by health) are read
// when Prometheus scrapes, so they cost the hot paths nothing; what the hot paths record
// goes through recorders.ts, which costs a fraction of prom-client's own per call.
import { createRequire } from "node:module";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { FastCounter, FastHistogram } from "./recorders.ts";

/** Seconds; from a cached answer (sub-millisecond) to a slow upstream. */
/**
 * prom-client's default process metrics that are not collected. `gc` (nodejs_gc_duration_seconds)
 * watches every collection through a PerformanceObserver, and that cost 8-9 % more CPU per request on
 * the identity path (`npm run bench -- metrics`, BENCHMARKS.md); every other default metric is read
 * when /metrics is scraped.
 */
export const DEFAULT_METRICS_LEFT_OUT: ReadonlySet<string> = new Set(["gc"]);

/** prom-client's default metrics but those left out, each through the module collectDefaultMetrics itself runs. */
function collectProcessMetrics(registry: Registry): void {
  const load = createRequire(import.meta.url);
  for (const name of collectDefaultMetrics.metricsList) {
    if (DEFAULT_METRICS_LEFT_OUT.has(name)) continue;
    // prom-client 15 keeps one module per default metric, a function of (registry, config).
    const collect = load(`prom-client/lib/metrics/${name}.js`) as (register: Registry, config: { eventLoopMonitoringPrecision: number }) => void;
    collect(registry, { eventLoopMonitoringPrecision: 10 });
  }
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** The buckets the MCP semantic conventions give mcp.server.operation.duration. */
export const MCP_OPERATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
const SWEEP_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** The value a label takes for anything outside its known set. */
export const OTHER = "other";

/** A label fed by values the code does not list: the first `max` distinct ones that look right, then `other`. */
export class CappedLabel {
  private readonly seen = new Set<string>();
  constructor(
    private readonly max: number,
    private readonly shape: RegExp,
  ) {}

  of(value: unknown): string {
    if (typeof value !== "string" || !this.shape.test(value)) return OTHER;
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return OTHER;
    this.seen.add(value);
    return value;
  }
}

/** What a gauge read at scrape time reports; each returns the current figures. */
export type StateSources = {
  /** Open WebSocket sockets by endpoint (health feed, GraphQL subscriptions). */
  webSockets?: () => Iterable<{ endpoint: string; open: number }>;
  /** Listeners on the change feed (subscriptions, caches, sockets waiting for changes). */
  eventSubscribers?: () => number;
  /** PostgreSQL pool: connections open, idle, and callers waiting for one. */
  pool?: () => { total: number; idle: number; waiting: number; max: number } | undefined;
  /** Servers by health state (healthy, unhealthy, unknown, checking, disabled). */
  serversByHealth?: () => Promise<Iterable<{ state: string; count: number }>>;
};

export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new FastCounter({
    name: "http_server_requests_total",
    help: "HTTP requests by method, route template and status class (499: the client went away first)",
    labelNames: ["method", "route", "status_class"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new FastHistogram({
    name: "http_server_request_duration_seconds",
    help: "HTTP request duration, until the answer is written or the client goes away",
    labelNames: ["method", "route", "status_class"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly graphqlOperations = new FastCounter({
    name: "graphql_operations_total",
    help: "GraphQL operations by name (known documents only, else other) and type",
    labelNames: ["operation_name", "operation_type"] as const,
    registers: [this.registry],
  });
  readonly graphqlDuration = new FastHistogram({
    name: "graphql_operation_duration_seconds",
    help: "GraphQL execution time (a subscription: until its first result)",
    labelNames: ["operation_name", "operation_type"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly graphqlErrors = new FastCounter({
    name: "graphql_errors_total",
    help: "GraphQL errors in results, by extensions.code",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });

  readonly toolCalls = new FastCounter({
    name: "gateway_tool_calls_total",
    help: "tools/call through the gateway by server path, tool (registered tools only, else other) and outcome",
    labelNames: ["server", "tool", "outcome"] as const,
    registers: [this.registry],
  });
  readonly toolCallDuration = new FastHistogram({
    name: "gateway_tool_call_duration_seconds",
    help: "tools/call duration through the gateway, from the request to the upstream's answer",
    labelNames: ["server", "tool"] as const,
    buckets: MCP_OPERATION_BUCKETS,
    registers: [this.registry],
  });
  readonly mcpOperationDuration = new FastHistogram({
    name: "mcp_server_operation_duration_seconds",
    help: "mcp.server.operation.duration (OpenTelemetry MCP semantic conventions)",
    labelNames: ["mcp_method_name", "gen_ai_operation_name", "gen_ai_tool_name", "error_type"] as const,
    buckets: MCP_OPERATION_BUCKETS,
    registers: [this.registry],
  });
  readonly gatewayDenials = new Counter({
    name: "gateway_denials_total",
    help: "Gateway requests refused by authorisation, by reason",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly gatewayUpstreamErrors = new Counter({
    name: "gateway_upstream_errors_total",
    help: "Gateway requests whose upstream failed, by server path and reason",
    labelNames: ["server", "reason"] as const,
    registers: [this.registry],
  });
  readonly gatewayRateLimited = new Counter({
    name: "gateway_rate_limited_total",
    help: "Gateway requests refused by a rate limit, by scope",
    labelNames: ["scope"] as const,
    registers: [this.registry],
  });
  readonly gatewayStreams = new Gauge({
    name: "gateway_active_streams",
    help: "Open gateway streams (SSE answers and GET streams)",
    registers: [this.registry],
  });

  readonly healthChecks = new Counter({
    name: "health_checks_total",
    help: "Health checks by outcome (healthy, unhealthy, skipped, error)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly healthCheckDuration = new Histogram({
    name: "health_check_duration_seconds",
    help: "One health check: probe and write",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly healthSweepDuration = new Histogram({
    name: "health_sweep_duration_seconds",
    help: "One sweep over every enabled server",
    buckets: SWEEP_BUCKETS,
    registers: [this.registry],
  });

  readonly searchDuration = new FastHistogram({
    name: "search_duration_seconds",
    help: "Searches by mode",
    labelNames: ["mode"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly dbQueryDuration = new FastHistogram({
    name: "db_query_duration_seconds",
    help: "SQL statements through the Prisma driver adapter, by statement kind",
    labelNames: ["operation", "outcome"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly sources: StateSources = {};

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectProcessMetrics(this.registry);
    const sources = this.sources;
    new Gauge({
      name: "websocket_clients",
      help: "Open WebSocket sockets by endpoint",
      labelNames: ["endpoint"] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { endpoint, open } of sources.webSockets?.() ?? []) this.set({ endpoint }, open);
      },
    });
    new Gauge({
      name: "event_subscribers",
      help: "Listeners on the change feed in this process",
      registers: [this.registry],
      collect() {
        this.set(sources.eventSubscribers?.() ?? 0);
      },
    });
    new Gauge({
      name: "db_pool_connections",
      help: "PostgreSQL pool connections by state (total, idle, waiting callers, max); absent on the embedded database",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const pool = sources.pool?.();
        if (!pool) return;
        this.set({ state: "total" }, pool.total);
        this.set({ state: "idle" }, pool.idle);
        this.set({ state: "in_use" }, pool.total - pool.idle);
        this.set({ state: "waiting" }, pool.waiting);
        this.set({ state: "max" }, pool.max);
      },
    });
    new Gauge({
      name: "servers",
      help: "Registered servers by health state (disabled servers count as disabled)",
      labelNames: ["state"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        if (!sources.serversByHealth) return;
        for (const { state, count } of await sources.serversByHealth()) this.set({ state }, count);
      },
    });
  }

  /** Sources of the scrape-time gauges; the composition hands them over once the parts exist. */
  observe(sources: StateSources): void {
    Object.assign(this.sources, sources);
  }

  /** For the search capability: how long a search took, by mode. */
  readonly timeSearch = (mode: string, seconds: number): void => {
    this.searchDuration.observe({ mode: SEARCH_MODES.has(mode) ? mode : OTHER }, seconds);
  };

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.registry.clear();
  }
}

const SEARCH_MODES: ReadonlySet<string> = new Set(["lexical", "semantic", "hybrid", "tools", "servers"]);
