// Rate limiting: a token bucket per caller. Signed-in callers are counted by identity
// (or by IP when RATE_LIMIT_KEY=ip), anonymous ones by client IP. Every limited
// response carries X-RateLimit-Limit/-Remaining/-Reset; an empty bucket gets 429 with
// Retry-After. Buckets live in this process: each replica counts on its own (README).
import type { Middleware } from "koa";
import type { Config } from "../config.ts";
import { LruMap } from "../lru-map.ts";
import { HttpError } from "./errors.ts";
import type { AppState } from "./state.ts";

export type Take = {
  allowed: boolean;
  /** Whole requests left after this one. */
  remaining: number;
  /** When the bucket is full again (ms since the epoch). */
  fullAt: number;
  /** When refused: ms until one request is allowed again. */
  retryAfterMs: number;
};

type Bucket = { tokens: number; at: number };

/**
 * Buckets of `capacity` tokens, refilled continuously at `capacity` per `periodMs`.
 * Bounded: past `maxKeys` the least recently used bucket is dropped (a dropped bucket
 * was the idlest, so it had refilled the most).
 */
export class TokenBuckets {
  private readonly buckets: LruMap<string, Bucket>;
  private readonly perMs: number;

  constructor(
    readonly capacity: number,
    periodMs: number,
    maxKeys = 100_000,
  ) {
    this.perMs = capacity / periodMs;
    // Subjects vary in length: the buckets are bounded in bytes as well as in keys.
    this.buckets = new LruMap({ maxEntries: maxKeys, maxBytes: 16 * 1024 * 1024, sizeOf: (_bucket, key) => key.length + 64 });
  }

  take(key: string, now = Date.now()): Take {
    const previous = this.buckets.get(key); // now the most recently used
    const bucket = previous ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    if (!previous) this.buckets.set(key, bucket);
    return {
      allowed,
      remaining: Math.floor(bucket.tokens),
      fullAt: now + Math.ceil((this.capacity - bucket.tokens) / this.perMs),
      retryAfterMs: allowed ? 0 : Math.ceil((1 - bucket.tokens) / this.perMs),
    };
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** Paths no caller is limited on: load-balancer probes, static public documents, the UI's assets. */
const UNLIMITED = new Set(["/health", "/ready", "/.well-known/jwks.json", "/openapi.json", "/favicon.ico"]);
const unlimited = (path: string) => UNLIMITED.has(path) || path.startsWith("/assets/");

export function rateLimit(settings: Config["rateLimit"]): Middleware<AppState> {
  const minute = 60_000;
  const signedIn = settings.perMinute > 0 ? new TokenBuckets(settings.perMinute, minute) : undefined;
  const anonymous = settings.anonymousPerMinute > 0 ? new TokenBuckets(settings.anonymousPerMinute, minute) : undefined;
  return async (ctx, next) => {
    if (unlimited(ctx.path) || ctx.method === "OPTIONS") return next();
    const viewer = ctx.state.viewer;
    const buckets = viewer ? signedIn : anonymous;
    if (!buckets) return next();
    // The subject within its provider (none: the local admin) names the person, so that
    // their sessions, provider tokens and registry tokens (which record the provider) share one bucket.
    const key =
      viewer && settings.key === "identity" ? `id:${viewer.identity.provider ?? ""}:${viewer.identity.subject}` : `ip:${ctx.ip}`;
    const take = buckets.take(key);
    ctx.set("X-RateLimit-Limit", String(buckets.capacity));
    ctx.set("X-RateLimit-Remaining", String(take.remaining));
    ctx.set("X-RateLimit-Reset", String(Math.ceil(take.fullAt / 1000)));
    if (!take.allowed) {
      const seconds = Math.max(1, Math.ceil(take.retryAfterMs / 1000));
      throw new HttpError(429, "RATE_LIMITED", `Too many requests; try again in ${seconds} s`, { "Retry-After": String(seconds) });
    }
    await next();
  };
}
