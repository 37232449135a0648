// Every setting, read once from the environment and validated. Nothing else in the
// code base reads process.env: main.ts passes it here, tests pass their own object.
import path from "node:path";
import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Parses "true/false/1/0/yes/no/on/off"; anything else is a validation error. */
const flag = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      if (["1", "true", "yes", "on"].includes(v)) return true;
      if (["0", "false", "no", "off"].includes(v)) return false;
      ctx.addIssue({ code: "custom", message: `expected true or false, got "${v}"` });
      return z.NEVER;
    });

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
  LOG_LEVEL: optionalText
    .transform((v) => (v ?? "info").toLowerCase())
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` })),
  GRAPHIQL: flag(true),
  GRAPHQL_MAX_DEPTH: int(10, 2, 100),
  GRAPHQL_MAX_COST: int(50_000, 100, 10_000_000),
  GRAPHQL_MAX_TOKENS: int(2_000, 100, 100_000),
  GRAPHQL_RESPONSE_CACHE: flag(true),
  GRAPHQL_RESPONSE_CACHE_TTL_MS: int(60_000, 0, 86_400_000),
  BODY_LIMIT_BYTES: int(1_048_576, 1_024, 104_857_600),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000),
});

export type Config = {
  port: number;
  host: string;
  /** The URL users reach the server at; derived from HOST and PORT when unset. */
  publicUrl: string;
  dataDir: string;
  database:
    | { kind: "pglite"; dir: string; sharedBuffersMb: number }
    | { kind: "postgres"; url: string; poolSize: number };
  log: { level: (typeof LOG_LEVELS)[number] };
  graphql: {
    graphiql: boolean;
    maxDepth: number;
    maxCost: number;
    maxTokens: number;
    responseCache: boolean;
    responseCacheTtlMs: number;
  };
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
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
  const shownHost = e.HOST === "0.0.0.0" || e.HOST === "::" ? "localhost" : e.HOST;
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://${shownHost}:${e.PORT}`).replace(/\/+$/, ""),
    dataDir,
    database: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
      : { kind: "pglite", dir: path.join(dataDir, "pglite"), sharedBuffersMb: e.PGLITE_SHARED_BUFFERS_MB },
    log: { level: e.LOG_LEVEL },
    graphql: {
      graphiql: e.GRAPHIQL,
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxCost: e.GRAPHQL_MAX_COST,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      responseCache: e.GRAPHQL_RESPONSE_CACHE,
      responseCacheTtlMs: e.GRAPHQL_RESPONSE_CACHE_TTL_MS,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

/** Keeps passwords in URLs out of error messages. */
function redact(setting: string, value: string): string {
  if (setting === "DATABASE_URL") return value.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
  return value;
}
