// A cache of whole query results, dropped in full by every write on any replica.
// Keys carry a generation number read when the request starts, so a result that
// was computed while a write landed is stored under a key nobody asks for again.
import { createHash } from "node:crypto";
import { useResponseCache, type Cache } from "@graphql-yoga/plugin-response-cache";
import type { Plugin } from "graphql-yoga";
import type { ChangeFeed } from "../db/changes.ts";

type Entry = Parameters<Cache["set"]>[1];

export class ResultCache implements Cache {
  private readonly entries = new Map<string, { data: Entry; expires: number }>();
  /** Bodies built from cached results (the REST layer's JSON), dropped with them. */
  private readonly derived = new Map<string, { body: string; expires: number }>();
  private derivedBytes = 0;
  generation = 0;

  constructor(
    private readonly maxEntries = 1_000,
    private readonly ttlMs = Infinity,
    private readonly maxDerivedBytes = 32 * 2 ** 20,
  ) {}

  /** A body stored by setDerived, while no write has happened since it was built. */
  getDerived(key: string): string | undefined {
    const hit = this.derived.get(key);
    if (!hit) return undefined;
    if (hit.expires <= Date.now()) {
      this.dropDerived(key);
      return undefined;
    }
    return hit.body;
  }

  /**
   * Stores a body built from results read at `generation`; a write since then means
   * it may be stale, so it is not stored. Bounded by total size, oldest out first.
   */
  setDerived(key: string, generation: number, body: string): void {
    if (generation !== this.generation || body.length > this.maxDerivedBytes / 4) return;
    this.dropDerived(key);
    while (this.derivedBytes + body.length > this.maxDerivedBytes) {
      const oldest = this.derived.keys().next().value;
      if (oldest === undefined) break;
      this.dropDerived(oldest);
    }
    this.derived.set(key, { body, expires: this.ttlMs === Infinity ? Infinity : Date.now() + this.ttlMs });
    this.derivedBytes += body.length;
  }

  private dropDerived(key: string): void {
    const hit = this.derived.get(key);
    if (!hit) return;
    this.derivedBytes -= hit.body.length;
    this.derived.delete(key);
  }

  set(id: string, data: Entry, _entities: unknown, ttl: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(id, { data, expires: ttl === Infinity ? Infinity : Date.now() + ttl });
  }

  get(id: string): Entry | undefined {
    const hit = this.entries.get(id);
    if (!hit) return undefined;
    if (hit.expires <= Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return hit.data;
  }

  /** Any write makes every result suspect: cheaper and safer than tracking entities. */
  invalidate(): void {
    this.clear();
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.derived.clear();
    this.derivedBytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}

export function responseCachePlugin(opts: {
  changes: ChangeFeed;
  ttlMs: number;
  /** Results are shared only between requests with the same scope (one viewer's visibility). */
  scopeOf: (context: Record<string, unknown>) => string;
}): { plugin: Plugin; cache: ResultCache; stop: () => void } {
  const cache = new ResultCache(1_000, opts.ttlMs);
  const stop = opts.changes.subscribe(() => cache.clear());
  const plugin = useResponseCache({
    cache,
    ttl: opts.ttlMs,
    session: (_request, context) => opts.scopeOf(context as unknown as Record<string, unknown>),
    invalidateViaMutation: true,
    // Results about the caller itself are never shared, even between callers with equal grants.
    ttlPerSchemaCoordinate: { "Query.viewer": 0, "Query.tokens": 0, "Query.accessPolicy": 0 },
    includeExtensionMetadata: false,
    buildResponseCacheKey: async ({ documentString, variableValues, operationName, sessionId }) =>
      createHash("sha1")
        .update(
          JSON.stringify([cache.generation, sessionId ?? "", operationName ?? "", documentString, variableValues ?? {}]),
        )
        .digest("base64url"),
  });
  return { plugin, cache, stop };
}
