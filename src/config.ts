// Every setting, read once from the environment and validated. Nothing else in the
// code base reads process.env: main.ts passes it here, tests pass their own object.
import path from "node:path";
import { z } from "zod";
import { parseCidrList } from "./cidr.ts";
import { parseAllowedOrigins, type AllowedOrigins } from "./origins.ts";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** The one reading of a yes/no setting: "true/false/1/0/yes/no/on/off" (any case); undefined for anything else. */
export function flagValue(text: string): boolean | undefined {
  const v = text.trim().toLowerCase();
  if (v === "1" || v === "true" || v === "yes" || v === "on") return true;
  if (v === "0" || v === "false" || v === "no" || v === "off") return false;
  return undefined;
}

/** A flag setting; unset or empty is `fallback`, anything flagValue cannot read a validation error. */
const flag = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const value = flagValue(v);
      if (value !== undefined) return value;
      ctx.addIssue({ code: "custom", message: `expected true or false, got "${v.trim().toLowerCase()}"` });
      return z.NEVER;
    });

/** Only public-key algorithms: an HMAC secret would let anyone holding it mint tokens (and invites HS/RS confusion). */
export const ASYMMETRIC_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] as const;
const isAsymmetricAlg = (alg: string): boolean => (ASYMMETRIC_ALGS as readonly string[]).includes(alg);

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      if (!/^-?\d+$/.test(v)) {
        ctx.addIssue({ code: "custom", message: `expected a whole number, got "${v}"` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be between ${min} and ${max}, got ${n}` });
        return z.NEVER;
      }
      return n;
    });

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v));

const envSchema = z.object({
  PORT: int(7860, 0, 65535),
  HOST: optionalText.transform((v) => v ?? "0.0.0.0"),
  PUBLIC_URL: optionalText.refine(
    (v) => v === undefined || /^https?:\/\/[^/\s]+/i.test(v),
    "must be an http(s) URL such as https://registry.example.com",
  ),
  DATA_DIR: optionalText.transform((v) => v ?? "./data"),
  DATABASE_URL: optionalText.refine(
    (v) => v === undefined || /^postgres(ql)?:\/\/.+/i.test(v),
    "must start with postgres:// or postgresql:// (leave it unset for the embedded database)",
  ),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  PGLITE_SHARED_BUFFERS_MB: int(16, 1, 4096),
  EMBEDDED_DATABASE_THREAD: optionalText
    .transform((v) => (v ?? "main").toLowerCase())
    .pipe(z.enum(["main", "worker"], { error: "must be main or worker" })),
  LOG_LEVEL: optionalText
    .transform((v) => (v ?? "info").toLowerCase())
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` })),
  GRAPHIQL: flag(true),
  GRAPHQL_MAX_DEPTH: int(10, 2, 100),
  GRAPHQL_MAX_COST: int(50_000, 100, 10_000_000),
  GRAPHQL_MAX_TOKENS: int(2_000, 100, 100_000),
  GRAPHQL_RESPONSE_CACHE: flag(true),
  GRAPHQL_RESPONSE_CACHE_TTL_MS: int(60_000, 0, 86_400_000),
  GRAPHQL_RESPONSE_CACHE_MAX_BYTES: int(32 * 1_048_576, 1_048_576, 1_073_741_824),
  BODY_LIMIT_BYTES: int(1_048_576, 1_024, 104_857_600),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000),
  TRUST_PROXY: z.string().optional(),
  OIDC_PROVIDERS: optionalText,
  ADMIN_USERNAME: optionalText,
  ADMIN_PASSWORD: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === "" ? undefined : v))
    .refine((v) => v === undefined || v.length >= 8, "must be at least 8 characters"),
  ADMIN_GROUP: optionalText.transform((v) => v ?? "mcp-registry-admin"),
  ACCESS_POLICY_FILE: optionalText,
  SESSION_SECRET: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === "" ? undefined : v))
    .refine((v) => v === undefined || v.length >= 32, "must be at least 32 characters"),
  SESSION_MAX_AGE_SECONDS: int(8 * 3600, 1, 30 * 86_400),
  JWT_ALGORITHMS: optionalText
    .transform((v) => (v === undefined ? [...ASYMMETRIC_ALGS] : v.split(",").map((a) => a.trim())))
    .refine((algs) => algs.every(isAsymmetricAlg), `may list only asymmetric algorithms: ${ASYMMETRIC_ALGS.join(",")}`),
  JWT_CLOCK_SKEW_SECONDS: int(30, 0, 600),
  REGISTRY_SIGNING_KEY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()))
    .refine((v) => v === undefined || v.includes("PRIVATE KEY"), "must be a PEM private key (PKCS#8)"),
  REGISTRY_TOKEN_DEFAULT_TTL_SECONDS: int(3_600, 60, 31 * 86_400),
  REGISTRY_TOKEN_MAX_TTL_SECONDS: int(7 * 86_400, 60, 366 * 86_400),
  HEALTH_CHECKS: flag(true),
  HEALTH_CHECK_INTERVAL_SECONDS: int(60, 1, 86_400),
  HEALTH_CHECK_TIMEOUT_MS: int(10_000, 100, 120_000),
  HEALTH_CHECK_CONCURRENCY: int(50, 1, 1_000),
  HEALTH_HISTORY_LIMIT: int(100, 1, 10_000),
  TOOL_CHANGE_HISTORY_LIMIT: int(200, 1, 10_000),
  OUTBOUND_ALLOW_CIDRS: optionalText,
  OUTBOUND_DENY_CIDRS: optionalText,
  CREDENTIALS_KEY: optionalText.refine(
    (v) => v === undefined || Buffer.from(v, "base64").length === 32,
    "must be 32 bytes, base64-encoded (openssl rand -base64 32)",
  ),
  LOGIN_MAX_FAILURES: int(5, 1, 1_000),
  LOGIN_FAILURE_WINDOW_SECONDS: int(900, 1, 86_400),
  HEALTH_FEED_REQUIRE_AUTH: flag(false),
  HEALTH_FEED_MAX_CONNECTIONS: int(1_000, 1, 100_000),
  HEALTH_FEED_SIGNED_IN_RESERVE_PERCENT: int(10, 0, 90),
  WS_MAX_ANONYMOUS_PER_IP: int(10, 1, 100_000),
  WS_INIT_TIMEOUT_MS: int(3_000, 100, 60_000),
  GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET: int(100, 1, 10_000),
  GRAPHQL_MAX_SUBSCRIPTIONS_PER_IDENTITY: int(500, 1, 100_000),
  RATE_LIMIT_PER_MINUTE: int(600, 0, 1_000_000),
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: int(120, 0, 1_000_000),
  RATE_LIMIT_KEY: optionalText
    .transform((v) => v?.toLowerCase() ?? "identity")
    .pipe(z.enum(["identity", "ip"], { error: "must be identity or ip" })),
  REGISTRY_NAMESPACE: optionalText
    .transform((v) => v ?? "io.mcpgateway")
    .refine((v) => /^[a-zA-Z0-9.-]+$/.test(v) && v.length <= 100, "must be a reverse-DNS namespace such as io.mcpgateway"),
  REGISTRY_PUBLIC_READS: flag(false),
  REGISTRY_ALLOW_PRIVATE_REMOTES: flag(false),
  DEMO: flag(false),
  GATEWAY_BODY_LIMIT_BYTES: int(4 * 1_048_576, 1_024, 104_857_600),
  GATEWAY_UPSTREAM_TIMEOUT_MS: int(300_000, 1_000, 86_400_000),
  GATEWAY_RATE_LIMIT_PER_MINUTE: int(1_200, 0, 10_000_000),
  GATEWAY_TOOL_RATE_LIMIT_PER_MINUTE: int(600, 0, 10_000_000),
  GATEWAY_SSE_MAX_SESSIONS: int(1_000, 1, 100_000),
  GATEWAY_SSE_IDLE_SECONDS: int(300, 1, 86_400),
  GATEWAY_ALLOWED_ORIGINS: optionalText.transform((v, ctx) => {
    const parsed = parseAllowedOrigins(v);
    if (typeof parsed === "string") {
      ctx.addIssue({ code: "custom", message: parsed });
      return z.NEVER;
    }
    return parsed;
  }),
  // Operations: Prometheus metrics and OpenTelemetry traces.
  METRICS: flag(true),
  METRICS_PORT: int(-1, 0, 65535),
  METRICS_TOKEN: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()))
    .refine((v) => v === undefined || /^[\x21-\x7e]{16,256}$/.test(v), "must be 16 to 256 printable characters without spaces"),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.refine(
    (v) => v === undefined || /^https?:\/\/[^/\s]+/i.test(v),
    "must be an http(s) URL such as http://otel-collector:4318",
  ),
  OTEL_EXPORTER_OTLP_HEADERS: optionalText,
  OTEL_SERVICE_NAME: optionalText.transform((v) => v ?? "mcp-gateway-registry"),
  OTEL_TRACES_SAMPLER_ARG: optionalText.refine(
    (v) => v === undefined || (/^(0(\.\d+)?|1(\.0+)?)$/.test(v)),
    "must be a ratio between 0 and 1",
  ),
  OTEL_BSP_SCHEDULE_DELAY: int(5_000, 10, 600_000),
  // Operations: the audit log (src/audit/).
  AUDIT_RETENTION_DAYS: int(90, 0, 36_500),
  // Search: the optional embedding provider (src/search/embeddings.ts); unset URL: lexical-only.
  EMBEDDINGS_URL: optionalText.refine((v) => v === undefined || isEmbeddingsUrl(v), {
    message: "must be an http(s) URL without user name, password or fragment, such as http://localhost:11434/v1",
  }),
  EMBEDDINGS_MODEL: optionalText.refine((v) => v === undefined || v.length <= 200, "must be at most 200 characters"),
  EMBEDDINGS_API_KEY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()))
    // It becomes a header value: no spaces or control characters (no header injection).
    .refine((v) => v === undefined || /^[\x21-\x7e]{1,4096}$/.test(v), "must be printable characters without spaces"),
  EMBEDDINGS_DIMENSIONS: int(0, 1, 16_384),
  EMBEDDINGS_TIMEOUT_MS: int(800, 50, 60_000),
  EMBEDDINGS_BATCH: int(64, 1, 2_048),
  EMBEDDINGS_BATCH_TIMEOUT_MS: int(60_000, 1_000, 600_000),
  EMBEDDINGS_CACHE_MAX_BYTES: int(128 * 1_048_576, 1_048_576, 8 * 1_073_741_824),
});

function isEmbeddingsUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // Credentials in the URL would be logged with it: the key goes in EMBEDDINGS_API_KEY.
  return (url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === "" && url.hash === "";
}

export type OidcProviderConfig = {
  /** Lower-case id used in URLs: /auth/{id}. */
  id: string;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accepted `aud` values for bearer tokens. */
  audience: string[];
  /** Claim holding groups; a dotted path such as realm_access.roles reaches into objects. */
  groupsClaim: string;
};

export type Config = {
  port: number;
  host: string;
  /** The URL users reach the server at; derived from HOST and PORT when unset. */
  publicUrl: string;
  dataDir: string;
  database:
    | {
        kind: "pglite";
        dir: string;
        sharedBuffersMb: number;
        /** main: PGlite runs on the event loop's thread; worker: on a worker thread of its own. */
        thread: "main" | "worker";
      }
    | { kind: "postgres"; url: string; poolSize: number };
  log: { level: (typeof LOG_LEVELS)[number] };
  graphql: {
    graphiql: boolean;
    maxDepth: number;
    maxCost: number;
    maxTokens: number;
    responseCache: boolean;
    responseCacheTtlMs: number;
    responseCacheMaxBytes: number;
  };
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  /** Believe X-Forwarded-Proto/-For (behind a TLS-terminating proxy). */
  trustProxy: boolean;
  health: {
    enabled: boolean;
    intervalMs: number;
    timeoutMs: number;
    concurrency: number;
    historyLimit: number;
    toolChangeLimit: number;
    outbound: { allow: string[]; deny: string[] };
    /** 32-byte key for upstream credentials; unset: kept in DATA_DIR/credentials.key. */
    credentialsKey: Buffer | undefined;
  };
  /** WebSocket /ws/health_status (src/graphql/health-feed.ts). */
  healthFeed: {
    /** false: public, as the API document says; true: bearer token or session cookie, and only servers the caller may list. */
    requireAuth: boolean;
    /** Open sockets beyond this are refused with 503. */
    maxConnections: number;
    /** Share of maxConnections anonymous sockets may not take, kept for signed-in clients. */
    signedInReservePercent: number;
    /** Anonymous sockets from one client address; more get 429. */
    maxAnonymousPerIp: number;
  };
  /** GraphQL subscriptions over WebSocket (src/graphql/subscriptions.ts). */
  subscriptions: {
    /** A socket that has not sent connection_init by then is closed (4408). */
    initTimeoutMs: number;
    /** Sockets from one client address still waiting to sign in; more get 429. */
    maxUninitialisedPerIp: number;
    maxSubscriptionsPerSocket: number;
    /** Over all of one identity's sockets on one replica. */
    maxSubscriptionsPerIdentity: number;
  };
  /** Token buckets per caller (src/http/rate-limit.ts); a rate of 0 turns that limit off. */
  rateLimit: {
    /** Requests a minute (and the burst) for a signed-in caller. */
    perMinute: number;
    /** Requests a minute for a caller with no credentials, counted per client IP. */
    anonymousPerMinute: number;
    /** identity: signed-in callers share one bucket per identity wherever they call from; ip: every caller is counted by IP. */
    key: "identity" | "ip";
  };
  /** The official registry API, /v0.1 and /v0 (src/rest/registry-v0.ts). */
  registry: {
    /** Gateway servers appear as `{namespace}/{path}`. */
    namespace: string;
    /** true: GET routes answer anonymous callers too (every server is listed to them). */
    publicReads: boolean;
    /** true: published remotes may be http and on private networks or loopback (an internal registry). */
    allowPrivateRemotes: boolean;
  };
  /** Start the example MCP servers (src/demo/) and register them: `npm run demo`. */
  demo: boolean;
  /** The MCP gateway at /{path}/mcp (src/gateway/). */
  gateway: {
    /** A request body above this gets 413 (answers are never capped). */
    bodyLimitBytes: number;
    /** An upstream request with no answer (or no progress notification) for this long is ended. */
    upstreamTimeoutMs: number;
    /** Requests a minute per (identity, server); 0 turns the limit off. */
    perMinute: number;
    /** tools/call requests a minute per (identity, server, tool); 0 turns the limit off. */
    toolPerMinute: number;
    /** Sessions bridged to HTTP+SSE upstreams (or for SSE-only clients) held at once by one replica. */
    sseMaxSessions: number;
    /** A bridged session unused for this long is ended. */
    sseIdleMs: number;
    /** Browser origins besides the registry's own that may call the gateway (CORS); any: "*". */
    allowedOrigins: AllowedOrigins;
  };
  /**
   * The optional embedding provider (src/search/embeddings.ts), an OpenAI-compatible
   * `/embeddings` endpoint; undefined: search is lexical-only.
   */
  embeddings: EmbeddingsConfig | undefined;
  /** The audit log (src/audit/). */
  audit: {
    /** Rows older than this many days are trimmed (the chain stays verifiable from an anchor); 0 keeps them all. */
    retentionDays: number;
  };
  /** Prometheus metrics (src/metrics/); GET /metrics. */
  metrics: {
    enabled: boolean;
    /** Serve /metrics on this port instead of the main one (0: any free port); undefined: the main port. */
    port: number | undefined;
    /** Bearer token /metrics requires; undefined: none. */
    token: string | undefined;
  };
  /** OpenTelemetry traces (src/telemetry/); off unless an endpoint is set. */
  telemetry: {
    /** {OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces, or undefined: no tracing. */
    tracesUrl: string | undefined;
    /** Sent with every export (e.g. a collector's API key). */
    headers: Record<string, string>;
    serviceName: string;
    /** Share of new traces sampled; a caller's sampled flag is followed. */
    sampleRatio: number;
    exportDelayMs: number;
  };
  auth: {
    providers: OidcProviderConfig[];
    admin: { username: string; password: string } | undefined;
    adminGroup: string;
    policyFile: string | undefined;
    sessionSecret: string | undefined;
    sessionMaxAgeSeconds: number;
    /** Cookies get Secure when the public URL is https. */
    secureCookies: boolean;
    jwtAlgorithms: string[];
    clockSkewSeconds: number;
    registrySigningKey: string | undefined;
    tokenDefaultTtlSeconds: number;
    tokenMaxTtlSeconds: number;
    loginMaxFailures: number;
    loginFailureWindowSeconds: number;
  };
};

export type EmbeddingsConfig = {
  /** EMBEDDINGS_URL as given; the endpoint posted to is derived from it (src/search/embedding-client.ts). */
  url: string;
  model: string;
  /** Sent as `Authorization: Bearer` (Azure: `api-key`). A secret: never logged or returned. */
  apiKey: string | undefined;
  /** Asked of the provider (`dimensions`) and required of every answer; undefined: whatever the model gives. */
  dimensions: number | undefined;
  /** Budget for embedding a search query; past it the search runs lexical-only. */
  queryTimeoutMs: number;
  /** Documents per request while indexing. */
  batchSize: number;
  /** Budget for one indexing request. */
  batchTimeoutMs: number;
  /** Memory the in-process vector index may hold. */
  cacheMaxBytes: number;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and validates the settings; throws a ConfigError naming the first bad setting. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = issue?.path.join(".") ?? "configuration";
    const shown = env[setting];
    const message = issue?.message ?? "invalid";
    const value =
      shown === undefined || message.includes("got ") ? "" : ` (got ${JSON.stringify(redact(setting, shown))})`;
    throw new ConfigError(`invalid setting ${setting}: ${message}${value}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  if ((e.ADMIN_USERNAME === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError("invalid setting ADMIN_PASSWORD: ADMIN_USERNAME and ADMIN_PASSWORD must be set together");
  }
  if (e.REGISTRY_TOKEN_DEFAULT_TTL_SECONDS > e.REGISTRY_TOKEN_MAX_TTL_SECONDS) {
    throw new ConfigError(
      "invalid setting REGISTRY_TOKEN_DEFAULT_TTL_SECONDS: must not be more than REGISTRY_TOKEN_MAX_TTL_SECONDS",
    );
  }
  if (e.EMBEDDINGS_URL !== undefined && e.EMBEDDINGS_MODEL === undefined) {
    throw new ConfigError("invalid setting EMBEDDINGS_MODEL: required when EMBEDDINGS_URL is set (e.g. text-embedding-3-small, nomic-embed-text)");
  }
  for (const name of ["EMBEDDINGS_MODEL", "EMBEDDINGS_API_KEY", "EMBEDDINGS_DIMENSIONS"] as const) {
    if (e.EMBEDDINGS_URL === undefined && env[name] !== undefined && env[name].trim() !== "") {
      throw new ConfigError(`invalid setting ${name}: has no effect without EMBEDDINGS_URL`);
    }
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://${e.HOST === "0.0.0.0" || e.HOST === "::" ? "localhost" : e.HOST}:${e.PORT}`).replace(/\/+$/, "");
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    dataDir,
    database: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
      : {
          kind: "pglite",
          dir: path.join(dataDir, "pglite"),
          sharedBuffersMb: e.PGLITE_SHARED_BUFFERS_MB,
          thread: e.EMBEDDED_DATABASE_THREAD,
        },
    log: { level: e.LOG_LEVEL },
    graphql: {
      graphiql: e.GRAPHIQL,
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxCost: e.GRAPHQL_MAX_COST,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      responseCache: e.GRAPHQL_RESPONSE_CACHE,
      responseCacheTtlMs: e.GRAPHQL_RESPONSE_CACHE_TTL_MS,
      /** Each of the two result caches (GraphQL results, REST answers) holds at most this; no entry above an eighth. */
      responseCacheMaxBytes: e.GRAPHQL_RESPONSE_CACHE_MAX_BYTES,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: parseFlag("TRUST_PROXY", e.TRUST_PROXY, publicUrl.startsWith("https:")),
    health: {
      enabled: e.HEALTH_CHECKS,
      intervalMs: e.HEALTH_CHECK_INTERVAL_SECONDS * 1000,
      timeoutMs: e.HEALTH_CHECK_TIMEOUT_MS,
      concurrency: e.HEALTH_CHECK_CONCURRENCY,
      historyLimit: e.HEALTH_HISTORY_LIMIT,
      toolChangeLimit: e.TOOL_CHANGE_HISTORY_LIMIT,
      outbound: { allow: cidrs("OUTBOUND_ALLOW_CIDRS", e.OUTBOUND_ALLOW_CIDRS), deny: cidrs("OUTBOUND_DENY_CIDRS", e.OUTBOUND_DENY_CIDRS) },
      credentialsKey: e.CREDENTIALS_KEY ? Buffer.from(e.CREDENTIALS_KEY, "base64") : undefined,
    },
    healthFeed: {
      requireAuth: e.HEALTH_FEED_REQUIRE_AUTH,
      maxConnections: e.HEALTH_FEED_MAX_CONNECTIONS,
      signedInReservePercent: e.HEALTH_FEED_SIGNED_IN_RESERVE_PERCENT,
      maxAnonymousPerIp: e.WS_MAX_ANONYMOUS_PER_IP,
    },
    subscriptions: {
      initTimeoutMs: e.WS_INIT_TIMEOUT_MS,
      maxUninitialisedPerIp: e.WS_MAX_ANONYMOUS_PER_IP,
      maxSubscriptionsPerSocket: e.GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET,
      maxSubscriptionsPerIdentity: e.GRAPHQL_MAX_SUBSCRIPTIONS_PER_IDENTITY,
    },
    rateLimit: { perMinute: e.RATE_LIMIT_PER_MINUTE, anonymousPerMinute: e.RATE_LIMIT_ANONYMOUS_PER_MINUTE, key: e.RATE_LIMIT_KEY },
    registry: { namespace: e.REGISTRY_NAMESPACE, publicReads: e.REGISTRY_PUBLIC_READS, allowPrivateRemotes: e.REGISTRY_ALLOW_PRIVATE_REMOTES },
    demo: e.DEMO,
    gateway: {
      bodyLimitBytes: e.GATEWAY_BODY_LIMIT_BYTES,
      upstreamTimeoutMs: e.GATEWAY_UPSTREAM_TIMEOUT_MS,
      perMinute: e.GATEWAY_RATE_LIMIT_PER_MINUTE,
      toolPerMinute: e.GATEWAY_TOOL_RATE_LIMIT_PER_MINUTE,
      sseMaxSessions: e.GATEWAY_SSE_MAX_SESSIONS,
      sseIdleMs: e.GATEWAY_SSE_IDLE_SECONDS * 1000,
      allowedOrigins: e.GATEWAY_ALLOWED_ORIGINS,
    },
    embeddings:
      e.EMBEDDINGS_URL === undefined || e.EMBEDDINGS_MODEL === undefined
        ? undefined
        : {
            url: e.EMBEDDINGS_URL,
            model: e.EMBEDDINGS_MODEL,
            apiKey: e.EMBEDDINGS_API_KEY,
            dimensions: e.EMBEDDINGS_DIMENSIONS === 0 ? undefined : e.EMBEDDINGS_DIMENSIONS,
            queryTimeoutMs: e.EMBEDDINGS_TIMEOUT_MS,
            batchSize: e.EMBEDDINGS_BATCH,
            batchTimeoutMs: e.EMBEDDINGS_BATCH_TIMEOUT_MS,
            cacheMaxBytes: e.EMBEDDINGS_CACHE_MAX_BYTES,
          },
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
    metrics: { enabled: e.METRICS, port: e.METRICS_PORT === -1 ? undefined : e.METRICS_PORT, token: e.METRICS_TOKEN },
    telemetry: {
      tracesUrl: e.OTEL_EXPORTER_OTLP_ENDPOINT && `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`,
      headers: otlpHeaders(e.OTEL_EXPORTER_OTLP_HEADERS),
      serviceName: e.OTEL_SERVICE_NAME,
      sampleRatio: e.OTEL_TRACES_SAMPLER_ARG === undefined ? 1 : Number(e.OTEL_TRACES_SAMPLER_ARG),
      exportDelayMs: e.OTEL_BSP_SCHEDULE_DELAY,
    },
    auth: {
      providers: readProviders(env, e.OIDC_PROVIDERS),
      admin: e.ADMIN_USERNAME && e.ADMIN_PASSWORD ? { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD } : undefined,
      adminGroup: e.ADMIN_GROUP,
      policyFile: e.ACCESS_POLICY_FILE && path.resolve(e.ACCESS_POLICY_FILE),
      sessionSecret: e.SESSION_SECRET,
      sessionMaxAgeSeconds: e.SESSION_MAX_AGE_SECONDS,
      secureCookies: publicUrl.startsWith("https:"),
      jwtAlgorithms: e.JWT_ALGORITHMS,
      clockSkewSeconds: e.JWT_CLOCK_SKEW_SECONDS,
      registrySigningKey: e.REGISTRY_SIGNING_KEY,
      tokenDefaultTtlSeconds: e.REGISTRY_TOKEN_DEFAULT_TTL_SECONDS,
      tokenMaxTtlSeconds: e.REGISTRY_TOKEN_MAX_TTL_SECONDS,
      loginMaxFailures: e.LOGIN_MAX_FAILURES,
      loginFailureWindowSeconds: e.LOGIN_FAILURE_WINDOW_SECONDS,
    },
  };
}

/** OIDC_PROVIDERS=keycloak,okta, then OIDC_<ID>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, ... for each id. */
function readProviders(env: Record<string, string | undefined>, list: string | undefined): OidcProviderConfig[] {
  if (!list) return [];
  const ids = list.split(",").map((id) => id.trim().toLowerCase()).filter((id) => id !== "");
  return ids.map((id) => {
    if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(id)) {
      throw new ConfigError(`invalid setting OIDC_PROVIDERS: "${id}" must be letters, digits, '-' or '_'`);
    }
    const prefix = `OIDC_${id.toUpperCase().replace(/-/g, "_")}_`;
    const read = (name: string) => env[prefix + name]?.trim() || undefined;
    const required = (name: string) => {
      const value = read(name);
      if (!value) throw new ConfigError(`invalid setting ${prefix}${name}: required for provider "${id}"`);
      return value;
    };
    const issuer = required("ISSUER").replace(/\/+$/, "");
    if (!/^https?:\/\/[^/\s]+/i.test(issuer)) {
      throw new ConfigError(`invalid setting ${prefix}ISSUER: must be an http(s) URL (got ${JSON.stringify(issuer)})`);
    }
    const clientId = required("CLIENT_ID");
    const groupsClaim = read("GROUPS_CLAIM") ?? "groups";
    if (!/^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/.test(groupsClaim)) {
      throw new ConfigError(`invalid setting ${prefix}GROUPS_CLAIM: must be a claim name or a dotted path`);
    }
    return {
      id,
      displayName: read("DISPLAY_NAME") ?? id,
      issuer,
      clientId,
      clientSecret: required("CLIENT_SECRET"),
      audience: (read("AUDIENCE") ?? clientId).split(",").map((a) => a.trim()).filter((a) => a !== ""),
      groupsClaim,
    };
  });
}

/** OTEL_EXPORTER_OTLP_HEADERS: `name=value,name2=value2`, values URL-encoded (the OpenTelemetry format). */
function otlpHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!value) return headers;
  for (const pair of value.split(",")) {
    if (pair.trim() === "") continue;
    const at = pair.indexOf("=");
    const name = at > 0 ? pair.slice(0, at).trim() : "";
    let decoded: string | undefined;
    try {
      decoded = at > 0 ? decodeURIComponent(pair.slice(at + 1).trim()) : undefined;
    } catch {
      decoded = undefined;
    }
    // The value may be a secret: the message names the header, never the value.
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || decoded === undefined || /[\r\n\0]/.test(decoded)) {
      throw new ConfigError(`invalid setting OTEL_EXPORTER_OTLP_HEADERS: expected name=value pairs separated by commas${name ? ` (at "${name}")` : ""}`);
    }
    headers[name] = decoded;
  }
  return headers;
}

function cidrs(name: string, value: string | undefined): string[] {
  if (!value) return [];
  try {
    return parseCidrList(value);
  } catch (err) {
    throw new ConfigError(`invalid setting ${name}: ${(err as Error).message}`);
  }
}

/** A flag whose default depends on other settings. */
function parseFlag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value.trim() === "") return fallback;
  const flagged = flagValue(value);
  if (flagged === undefined) throw new ConfigError(`invalid setting ${name}: expected true or false, got "${value}"`);
  return flagged;
}

/** Keeps passwords in URLs out of error messages. */
function redact(setting: string, value: string): string {
  if (setting === "DATABASE_URL" || setting === "EMBEDDINGS_URL") return value.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
  if (setting === "METRICS_TOKEN" || setting === "OTEL_EXPORTER_OTLP_HEADERS" || setting === "EMBEDDINGS_API_KEY") return "***";
  return value;
}

/** The settings each OIDC provider has, as OIDC_<ID>_<NAME> (readProviders). */
export const OIDC_PROVIDER_SETTINGS = ["ISSUER", "CLIENT_ID", "CLIENT_SECRET", "DISPLAY_NAME", "AUDIENCE", "GROUPS_CLAIM"] as const;

/** Whether `name` is a setting this module reads (the deployment tests check every variable a manifest sets). */
export function isSetting(name: string): boolean {
  if (Object.hasOwn(envSchema.shape, name)) return true;
  return OIDC_PROVIDER_SETTINGS.some((s) => new RegExp(`^OIDC_[A-Z0-9][A-Z0-9_]*_${s}$`).test(name));
}
