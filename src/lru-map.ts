// The one bounded map behind every in-memory cache and per-caller counter: the least
// recently used entry goes first once a bound is reached, an entry may expire, and where
// entries vary in size the bound is in bytes, so many distinct long keys (tokens, user
// names, query texts) cannot grow the heap past it.
import { LRUCache } from "lru-cache";

export type LruMapOptions<K, V> = {
  /** Entries held at most, whatever their size: bounds the per-entry bookkeeping too. */
  maxEntries: number;
  /** Bytes held at most, as `sizeOf` counts them. Without it only `maxEntries` bounds the map. */
  maxBytes?: number;
  /** An entry larger than this is not stored (default `maxBytes`): one large entry must not evict everything else. */
  maxEntryBytes?: number;
  /** The bytes an entry is counted as, its key included; required with `maxBytes`. */
  sizeOf?: (value: V, key: K) => number;
  /** How long an entry is kept after it was set, unless `set` says otherwise. Default: until evicted. */
  ttlMs?: number;
};

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- lru-cache's own bound: any key or value but null/undefined
export class LruMap<K extends {}, V extends {}> {
  private readonly lru: LRUCache<K, V>;

  constructor(opts: LruMapOptions<K, V>) {
    const { maxBytes, sizeOf } = opts;
    if (maxBytes !== undefined && !sizeOf) throw new Error("LruMap: maxBytes needs sizeOf");
    const maxEntryBytes = maxBytes === undefined ? undefined : Math.max(1, Math.min(opts.maxEntryBytes ?? maxBytes, maxBytes));
    if (maxBytes !== undefined && sizeOf && maxEntryBytes !== undefined) {
      // lru-cache allocates its bookkeeping arrays for `max` slots up front (about 4 MB for
      // 100,000), used or not. With a byte bound the entry bound is kept by counting every
      // entry as at least maxBytes / maxEntries bytes instead, and the arrays grow with use.
      const floor = Math.min(maxEntryBytes, Math.max(1, Math.ceil(maxBytes / Math.max(1, opts.maxEntries))));
      this.lru = new LRUCache<K, V>({
        maxSize: maxBytes,
        maxEntrySize: maxEntryBytes,
        // Sizes must be positive integers; an entry whose size cannot be taken is not stored.
        sizeCalculation: (value: V, key: K) => {
          let size = NaN;
          try {
            size = sizeOf(value, key);
          } catch {
            // left NaN: not stored
          }
          return Number.isFinite(size) ? Math.max(floor, Math.ceil(size)) : maxEntryBytes + 1;
        },
        ...(opts.ttlMs !== undefined && opts.ttlMs > 0 ? { ttl: Math.ceil(opts.ttlMs) } : {}),
      });
    } else {
      this.lru = new LRUCache<K, V>({
        max: opts.maxEntries,
        ...(opts.ttlMs !== undefined && opts.ttlMs > 0 ? { ttl: Math.ceil(opts.ttlMs) } : {}),
      });
    }
  }

  /** The value, unless absent or expired; marks the entry as the most recently used. */
  get(key: K): V | undefined {
    return this.lru.get(key);
  }

  /** The value, unless absent or expired, leaving the eviction order as it was. */
  peek(key: K): V | undefined {
    return this.lru.peek(key);
  }

  /**
   * Stores `value` as the most recently used entry. `ttlMs` overrides the map's TTL for this
   * entry; one of 0 or less stores nothing (and drops what the key held), since the entry
   * would already be stale. A value over the per-entry bound is not stored either.
   */
  set(key: K, value: V, ttlMs?: number): void {
    if (ttlMs === undefined) {
      this.lru.set(key, value);
    } else if (ttlMs > 0) {
      this.lru.set(key, value, { ttl: Math.ceil(ttlMs) });
    } else {
      this.lru.delete(key);
    }
  }

  delete(key: K): void {
    this.lru.delete(key);
  }

  clear(): void {
    // lru-cache's clear() resets all its slots, used or not: callers may clear often.
    if (this.lru.size > 0) this.lru.clear();
  }

  /** Entries held now (expired ones included until they are read or pushed out). */
  get size(): number {
    return this.lru.size;
  }

  /** Bytes held now, as `sizeOf` counts them, each entry at least maxBytes / maxEntries (0 without a byte bound). */
  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
