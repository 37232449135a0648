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
  generation = 0;

  constructor(private readonly maxEntries = 1_000) {}

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
  /** false: this request neither reads nor fills the cache. */
  enabled?: (context: Record<string, unknown>) => boolean;
}): { plugin: Plugin; cache: ResultCache; stop: () => void } {
  const cache = new ResultCache();
  const stop = opts.changes.subscribe(() => cache.clear());
  const plugin = useResponseCache({
    cache,
    ttl: opts.ttlMs,
    session: (_request, context) => opts.scopeOf(context as unknown as Record<string, unknown>),
    ...(opts.enabled ? { enabled: (_request: Request, context: object) => opts.enabled!(context as Record<string, unknown>) } : {}),
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
