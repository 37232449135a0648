// The optional embedding arm of search (issue 16, item 4). Off unless EMBEDDINGS_URL is
// set: then documents are embedded in the background (vector-writer.ts), their vectors are
// kept in memory (vector-index.ts) and in search_vectors (vector-store.ts), queries are
// embedded with a short deadline, and `nearest` ranks the documents in the caller's scope
// by cosine. Any failure on the query path answers null or [], and search runs lexical-only.
import type { Logger } from "pino";
import type { Config, EmbeddingsConfig } from "../config.ts";
import type { Database } from "../db/database.ts";
import { createGuardedFetch } from "../health/ssrf.ts";
import { LruMap } from "../lru-map.ts";
import { createEmbeddingClient, type EmbeddingClient } from "./embedding-client.ts";
import { VectorIndex, type DocKind, type IndexedDoc } from "./vector-index.ts";
import { VectorStore, type StoredVector, type SyncCursor } from "./vector-store.ts";
import { VectorWriter, type WriterTuning } from "./vector-writer.ts";

export type NearestScope = { kinds: DocKind[]; serverIds: string[] | null; includeDisabled: boolean };
export type NearestHit = { kind: DocKind; refId: string; score: number };

export type Embeddings = {
  enabled: boolean;
  /** The query's vector, or null (off, still loading, failing, past EMBEDDINGS_TIMEOUT_MS, or cancelled): search lexical-only. */
  embedQuery(text: string, signal: AbortSignal): Promise<Float32Array | null>;
  /** The `k` documents in scope closest to `vector`, best first; score is the cosine clamped to [0, 1]. */
  nearest(vector: Float32Array, scope: NearestScope, k: number): Promise<NearestHit[]>;
  /** For logs and metrics: what the index holds. */
  stats(): EmbeddingsStats;
  close(): Promise<void>;
};

export type EmbeddingsStats = {
  vectors: number;
  dimensions: number | undefined;
  indexBytes: number;
  /** False until the stored vectors are in memory; until then embedQuery answers null. */
  loaded: boolean;
};

/** Knobs for tests; production uses the defaults. */
export type EmbeddingsTuning = {
  writer?: Partial<WriterTuning>;
  /** How often a query may look for other replicas' writes (PostgreSQL only). */
  syncIntervalMs?: number;
};

/** Longest query text embedded; the search API caps queries at 500 characters anyway. */
const MAX_QUERY_CHARS = 2_000;
const MAX_K = 1_000;
/** Rows per read while loading the index at start-up: bounds the memory of one read (about 4 MB of text at 384 dims). */
const LOAD_PAGE = 1_000;
const SYNC_SLACK_MS = 2_000;

const DISABLED: Embeddings = {
  enabled: false,
  embedQuery: async () => null,
  nearest: async () => [],
  stats: () => ({ vectors: 0, dimensions: undefined, indexBytes: 0, loaded: false }),
  close: async () => undefined,
};

export function createEmbeddings(deps: { config: Config; db: Database; log: Logger; tuning?: EmbeddingsTuning }): Embeddings {
  const settings = deps.config.embeddings;
  if (!settings) return DISABLED;
  const fetch = createGuardedFetch(deps.config.health.outbound);
  return new EmbeddingSearch(settings, createEmbeddingClient(settings, fetch), deps.db, deps.log.child({ component: "embeddings" }), deps.tuning ?? {});
}

class EmbeddingSearch implements Embeddings {
  readonly enabled = true;
  private readonly index: VectorIndex;
  private readonly store: VectorStore;
  private readonly writer: VectorWriter;
  private readonly queries: LruMap<string, Float32Array>;
  private readonly ready: Promise<void>;
  private loaded = false;
  private disabled = new Set<string>();
  private disabledStale = true;
  private refreshingDisabled: Promise<void> | undefined;
  private readonly unsubscribe: () => void;
  private readonly syncIntervalMs: number;
  private syncCursor: SyncCursor | undefined;
  private syncedAt = 0;
  private syncing: Promise<void> | undefined;
  private warnedFull = false;
  private closing: Promise<void> | undefined;
  // The query path's failures, logged once per burst.
  private queryFailures = 0;
  private querySkipped = 0;
  private breakerUntil = 0;

  constructor(
    private readonly settings: EmbeddingsConfig,
    private readonly client: EmbeddingClient,
    private readonly db: Database,
    private readonly log: Logger,
    tuning: EmbeddingsTuning,
  ) {
    this.index = new VectorIndex(settings.cacheMaxBytes);
    this.store = new VectorStore(db);
    this.syncIntervalMs = tuning.syncIntervalMs ?? 1_000;
    // Repeated queries (a user paging, several users asking the same) skip the round trip.
    this.queries = new LruMap({
      maxEntries: 2_000,
      maxBytes: 16 * 1_048_576,
      sizeOf: (v, k) => v.byteLength + k.length * 2 + 64,
      ttlMs: 10 * 60_000,
    });
    this.writer = new VectorWriter({
      db,
      store: this.store,
      client,
      settings,
      log: this.log,
      dimensions: () => settings.dimensions ?? this.index.dimensions,
      onStored: (items) => this.take(items),
      onRemoved: (keys) => keys.forEach((k) => this.index.delete(k.kind, k.refId)),
      tuning: tuning.writer,
    });
    this.unsubscribe = db.changes.subscribe((change) => {
      // Enabling or disabling a server changes which documents are in scope.
      if (change.entity === "server" || change.entity === "registry" || change.entity === "policy") this.disabledStale = true;
    });
    this.log.info(
      { endpoint: client.endpoint.origin + client.endpoint.pathname, model: settings.model, dimensions: settings.dimensions ?? "the model's" },
      "embeddings on: search is hybrid when the provider answers",
    );
    // The writer starts once the index holds what is stored, so that a page read before
    // a write cannot put an older vector over the newer one.
    this.ready = this.load().then(
      () => {
        if (!this.closing) this.writer.start();
      },
      (err: Error) => {
        this.log.error({ err: err.message }, "could not load stored vectors; search stays lexical-only");
      },
    );
  }

  async embedQuery(text: string, signal: AbortSignal): Promise<Float32Array | null> {
    const query = text.trim().slice(0, MAX_QUERY_CHARS);
    // Until the stored vectors are in memory (seconds after start-up for a large catalogue),
    // searches run lexical-only and say so, rather than wait or rank half an index.
    if (query === "" || signal.aborted || !this.loaded) return null;
    const cached = this.queries.get(query);
    if (cached) return cached;
    // After a failure, queries skip the provider for a while instead of each waiting out the timeout.
    if (Date.now() < this.breakerUntil) {
      this.querySkipped++;
      return null;
    }
    try {
      const [vector] = await this.client.embed([query], AbortSignal.any([signal, AbortSignal.timeout(this.settings.queryTimeoutMs)]));
      this.queries.set(query, vector!);
      if (this.queryFailures > 0) {
        this.log.info({ failed: this.queryFailures, skipped: this.querySkipped }, "query embeddings answer again: search is hybrid");
        this.queryFailures = 0;
        this.querySkipped = 0;
      }
      return vector!;
    } catch (err) {
      if (signal.aborted) return null; // the caller went away: not the provider's failure
      this.queryFailures++;
      this.breakerUntil = Date.now() + Math.min(30_000, 1_000 * 2 ** Math.min(this.queryFailures - 1, 5));
      if (this.queryFailures === 1) {
        this.log.warn({ err: (err as Error).message, timeoutMs: this.settings.queryTimeoutMs }, "could not embed a search query: searches run lexical-only until the provider answers");
      }
      return null;
    }
  }

  async nearest(vector: Float32Array, scope: NearestScope, k: number): Promise<NearestHit[]> {
    if (!this.loaded) return [];
    const want = Math.min(Math.max(Math.floor(k), 0), MAX_K);
    if (want === 0 || scope.kinds.length === 0 || (scope.serverIds !== null && scope.serverIds.length === 0)) return [];
    if (vector.length !== this.index.dimensions) return [];
    await Promise.all([this.syncSoon(), this.refreshDisabled()]);
    const kinds = new Set(scope.kinds);
    const servers = scope.serverIds === null ? null : new Set(scope.serverIds);
    const disabled = this.disabled;
    const accept = (doc: IndexedDoc) =>
      kinds.has(doc.kind) && (servers === null || servers.has(doc.serverId)) && (scope.includeDisabled || !disabled.has(doc.serverId));
    // The index's scope filter may lag a write by moments; the database confirms the
    // candidates, and a few more are fetched in case some fail.
    const hits: NearestHit[] = [];
    let checked = 0;
    for (let limit = want + Math.min(want, 20); ; limit *= 4) {
      const candidates = this.index.search(vector, accept, limit);
      const fresh = candidates.slice(checked);
      const confirmed = await this.store.current(fresh.map((c) => c.doc), scope.includeDisabled);
      for (const c of fresh) {
        if (hits.length < want && confirmed.has(`${c.doc.kind}:${c.doc.refId}`)) {
          hits.push({ kind: c.doc.kind, refId: c.doc.refId, score: Math.min(1, Math.max(0, c.score)) });
        }
      }
      checked = candidates.length;
      if (hits.length >= want || candidates.length < limit || limit >= 16 * want + 320) return hits;
    }
  }

  stats(): EmbeddingsStats {
    return { vectors: this.index.size, dimensions: this.index.dimensions, indexBytes: this.index.bytes, loaded: this.loaded };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.unsubscribe();
      await this.ready;
      await this.writer.close();
      await this.client.close();
    })();
    return this.closing;
  }

  /** Reads every stored vector of the model, a page at a time. */
  private async load(): Promise<void> {
    const started = performance.now();
    this.syncCursor = { updatedAt: await this.store.now() };
    let after: { kind: DocKind; refId: string } | undefined;
    for (;;) {
      if (this.closing) return; // shutting down: no need to finish
      const page = await this.store.page(this.settings.model, after, LOAD_PAGE);
      this.take(page);
      if (page.length < LOAD_PAGE) break;
      const last = page[page.length - 1]!.doc;
      after = { kind: last.kind, refId: last.refId };
    }
    this.loaded = true;
    this.log.info(
      { vectors: this.index.size, dimensions: this.index.dimensions, indexMb: Math.round(this.index.bytes / 104_857.6) / 10, ms: Math.round(performance.now() - started) },
      "stored vectors loaded",
    );
  }

  private take(items: { doc: IndexedDoc; vector: Float32Array }[]): void {
    for (const { doc, vector } of items) {
      let outcome = this.index.set(doc, vector);
      if (outcome === "wrong-dimensions") {
        // The model now answers with another length (a provider change under the same name):
        // the old vectors are not comparable; start over, and the writer re-embeds the rest.
        this.log.warn({ was: this.index.dimensions, now: vector.length }, "embedding length changed: the vector index starts over");
        this.index.clear();
        this.queries.clear();
        outcome = this.index.set(doc, vector);
      }
      if (outcome === "full" && !this.warnedFull) {
        this.warnedFull = true;
        this.log.warn(
          { maxBytes: this.settings.cacheMaxBytes, documents: this.index.size },
          "the vector index is full (EMBEDDINGS_CACHE_MAX_BYTES): further documents are found by words only",
        );
      }
    }
  }

  /** PostgreSQL: takes the vectors other replicas wrote since the last look, at most once a syncInterval. */
  private syncSoon(): Promise<void> {
    if (this.db.kind !== "postgres" || !this.syncCursor) return Promise.resolve();
    if (this.syncing) return this.syncing;
    if (Date.now() - this.syncedAt < this.syncIntervalMs) return Promise.resolve();
    this.syncedAt = Date.now();
    this.syncing = (async () => {
      try {
        for (let cursor = this.syncCursor!; ; ) {
          const rows: StoredVector[] = await this.store.changedSince(this.settings.model, cursor, SYNC_SLACK_MS, LOAD_PAGE);
          this.take(rows.filter((r) => this.index.get(r.doc.kind, r.doc.refId)?.contentHash !== r.doc.contentHash));
          const last = rows[rows.length - 1];
          if (last) cursor = { updatedAt: last.updatedAt, kind: last.doc.kind, refId: last.doc.refId };
          if (rows.length < LOAD_PAGE) {
            // Next time, start from the newest time seen (less the slack), not from its row.
            this.syncCursor = { updatedAt: cursor.updatedAt };
            return;
          }
        }
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, "could not read other replicas' vectors");
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private refreshDisabled(): Promise<void> {
    if (!this.disabledStale) return Promise.resolve();
    this.refreshingDisabled ??= (async () => {
      try {
        this.disabledStale = false;
        this.disabled = new Set(await this.store.disabledServers());
      } catch (err) {
        this.disabledStale = true;
        this.log.warn({ err: (err as Error).message }, "could not read disabled servers");
      } finally {
        this.refreshingDisabled = undefined;
      }
    })();
    return this.refreshingDisabled;
  }
}
