// The one cache of finished answers that the GraphQL result cache and the REST answer
// cache are both built on: an LRU bounded in bytes, emptied by every change on any
// replica. A reader takes the generation before computing its answer and hands it back
// with the answer; an answer computed while a change landed belongs to a generation that
// is gone and is not stored.
import { LruMap } from "../lru-map.ts";

/** What the cache needs of the database's change feed: a call on every change, anywhere. */
export type ChangeSignal = { subscribe(listener: () => void): () => void };

export type GenerationCacheOptions<V> = {
  changes: ChangeSignal;
  /** Bytes held at most, keys included. */
  maxBytes: number;
  /** An answer bigger than this is not stored: one large result must not evict everything else. */
  maxEntryBytes: number;
  /** How long an answer is served; 0 stores nothing. */
  ttlMs: number;
  /** The bytes an answer is counted as. */
  sizeOf: (value: V) => number;
};

/** Entries held at most, whatever their size: bounds the per-entry bookkeeping too. */
const MAX_ENTRIES = 4_096;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- LruMap (lru-cache) holds any value but null/undefined
export class GenerationCache<V extends {}> {
  private readonly lru: LruMap<string, V>;
  private current = 0;
  private readonly ttlMs: number;
  private readonly unsubscribe: () => void;

  constructor(opts: GenerationCacheOptions<V>) {
    this.ttlMs = opts.ttlMs;
    this.lru = new LruMap<string, V>({
      maxEntries: MAX_ENTRIES,
      maxBytes: opts.maxBytes,
      maxEntryBytes: opts.maxEntryBytes,
      sizeOf: (value, key) => opts.sizeOf(value) + key.length,
      ...(opts.ttlMs > 0 ? { ttlMs: opts.ttlMs } : {}),
    });
    this.unsubscribe = opts.changes.subscribe(() => this.clear());
  }

  /** The generation to hand back to `set`: read it before computing the answer. */
  get generation(): number {
    return this.current;
  }

  get(key: string): V | undefined {
    return this.lru.get(key);
  }

  /**
   * Stores `value` unless a change landed since `generation` was read, caching is off
   * (TTL 0), or the value is larger than the per-entry cap. `ttlMs` may only shorten the TTL.
   */
  set(key: string, value: V, generation: number, ttlMs = this.ttlMs): void {
    if (generation !== this.current || this.ttlMs <= 0) return;
    const ttl = Math.min(this.ttlMs, ttlMs);
    if (!(ttl > 0)) return;
    this.lru.set(key, value, ttl);
  }

  /** Drops everything: what was computed before now is suspect. */
  clear(): void {
    this.current += 1;
    this.lru.clear();
  }

  /** Bytes held now, as counted by `sizeOf` plus the keys. */
  get bytes(): number {
    return this.lru.bytes;
  }

  /** Answers held now. */
  get entries(): number {
    return this.lru.size;
  }

  close(): void {
    this.unsubscribe();
    this.clear();
  }
}
