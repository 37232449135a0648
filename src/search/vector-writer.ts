// Keeps search_vectors in step with search_documents, in the background: one loop (one
// request in flight at a time) embeds the documents whose vector is missing or stale, in
// batches of EMBEDDINGS_BATCH, newest first, retrying with backoff while the provider
// fails. It wakes on the change feed (server, tool and registry writes, which write their
// search documents in the same transaction) and on a slow poll that catches whatever the
// feed missed. On PostgreSQL one replica writes (an advisory lock); the others read.
import type { Logger } from "pino";
import type { EmbeddingsConfig } from "../config.ts";
import type { Database } from "../db/database.ts";
import { EmbeddingError, type EmbeddingClient } from "./embedding-client.ts";
import type { IndexedDoc } from "./vector-index.ts";
import type { PendingDocument, VectorStore } from "./vector-store.ts";

export type WriterTuning = {
  /** A change is acted on after this (writes come in bursts: one server and its tools). */
  debounceMs: number;
  /** The safety-net poll. */
  pollIntervalMs: number;
  /** Vectors of deleted documents are swept every this many polls. */
  sweepEveryPolls: number;
  /** A backfill logs its progress every this many documents (and every 15 s, and at the end). */
  progressEvery: number;
  /** Backoff after the first failure of a burst, doubled per failure up to maxRetryMs. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** After a 401/403 or a wrong length: a setting is wrong, and retrying often does not help. */
  refusedRetryMs: number;
};

export const DEFAULT_WRITER_TUNING: WriterTuning = {
  debounceMs: 100,
  pollIntervalMs: 30_000,
  sweepEveryPolls: 10,
  progressEvery: 500,
  firstRetryMs: 1_000,
  maxRetryMs: 60_000,
  refusedRetryMs: 300_000,
};

/** A provider that rejects a document (too long for the model) gets it once more, shortened to this. */
const SHORTENED_CHARS = 1_000;
/** Documents the provider refused, remembered so they do not block the queue; bounded. */
const MAX_SKIPPED = 10_000;

export type WriterDeps = {
  db: Database;
  store: VectorStore;
  client: EmbeddingClient;
  settings: EmbeddingsConfig;
  log: Logger;
  /** Dimensions to require of stored vectors: the configured ones, else what the index has learnt. */
  dimensions(): number | undefined;
  /** Called with every batch written (the in-process index takes them). */
  onStored(items: { doc: IndexedDoc; vector: Float32Array }[]): void;
  /** Called with the keys of swept vectors. */
  onRemoved(keys: { kind: IndexedDoc["kind"]; refId: string }[]): void;
  tuning?: Partial<WriterTuning>;
};

export class VectorWriter {
  private readonly tuning: WriterTuning;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private poll: NodeJS.Timeout | undefined;
  private wake: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private polls = 0;
  private backfilled = false;
  /** Consecutive failed requests; 0 while the provider answers. */
  private failures = 0;
  private retryAt = 0;
  private readonly skipped = new Map<string, IndexedDoc>();

  constructor(private readonly deps: WriterDeps) {
    this.tuning = { ...DEFAULT_WRITER_TUNING, ...deps.tuning };
    this.log = deps.log;
  }

  start(): void {
    this.unsubscribe = this.deps.db.changes.subscribe((change) => {
      if (change.entity === "server" || change.entity === "tool" || change.entity === "registry") this.poke(this.tuning.debounceMs);
    });
    this.poll = setInterval(() => {
      this.polls++;
      this.poke(0);
    }, this.tuning.pollIntervalMs);
    this.poll.unref();
    this.poke(0);
  }

  /** Runs the loop after `delayMs`, or at once after the current run if one is going. */
  poke(delayMs: number): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const at = Math.max(Date.now() + delayMs, this.retryAt);
    if (at >= this.wakeAt) return;
    clearTimeout(this.wake);
    this.wakeAt = at;
    this.wake = setTimeout(() => {
      this.wakeAt = Infinity;
      this.running = this.run().finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.poke(0);
        }
      });
    }, at - Date.now());
    this.wake.unref();
  }

  /** Stops the loop: the request in flight is cancelled, and nothing half-written is left (one statement per batch). */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    clearInterval(this.poll);
    clearTimeout(this.wake);
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    try {
      // Another replica writes the vectors; this one only reads them.
      if (!(await this.deps.db.tryLeadership("search-embeddings"))) return;
      const sweep = !this.backfilled || (this.polls > 0 && this.polls % this.tuning.sweepEveryPolls === 0);
      await this.drain();
      if (sweep) {
        const removed = await this.deps.store.sweepOrphans();
        if (removed.length > 0) {
          this.deps.onRemoved(removed);
          this.log.info({ vectors: removed.length }, "removed the vectors of deleted search documents");
        }
      }
    } catch (err) {
      if (this.closed) return;
      this.failed(err as Error);
    }
  }

  /** Embeds pending documents until none is left. */
  private async drain(): Promise<void> {
    const { store, settings } = this.deps;
    const backfill = !this.backfilled;
    const total = backfill ? await store.countPending(settings.model, this.deps.dimensions()) : 0;
    const started = performance.now();
    let done = 0;
    let lastLog = started;
    let loggedAt = 0;
    if (backfill && total > 0) this.log.info({ total, model: settings.model }, "embedding search documents: backfill started");
    const progress = (final: boolean) => {
      const seconds = (performance.now() - started) / 1000;
      const fields = { done, total: Math.max(total, done), perSecond: Math.round((done / Math.max(seconds, 0.001)) * 10) / 10, seconds: Math.round(seconds * 10) / 10 };
      this.log.info(fields, final ? "embedding search documents: backfill finished" : "embedding search documents: backfill progress");
      lastLog = performance.now();
      loggedAt = done;
    };
    for (;;) {
      if (this.closed) return;
      const batch = await store.pending(settings.model, this.deps.dimensions(), settings.batchSize, [...this.skipped.values()]);
      if (batch.length === 0) break;
      const embedded = await this.embed(batch);
      if (this.closed) return;
      if (embedded.length > 0) {
        await store.upsert(settings.model, embedded);
        this.deps.onStored(embedded);
      }
      this.recovered();
      done += batch.length;
      if (backfill && (done - loggedAt >= this.tuning.progressEvery || performance.now() - lastLog >= 15_000)) progress(false);
      else if (!backfill) this.log.debug({ documents: batch.length }, "embedded search documents");
    }
    if (backfill) {
      if (total > 0) progress(true);
      this.backfilled = true;
    }
  }

  /**
   * One batch; a batch the provider rejects (a 4xx other than 401/403/408/429) is split
   * until the document it chokes on is found, which gets one try shortened and is then
   * skipped until its content changes, so one document cannot hold up all the others.
   */
  private async embed(batch: PendingDocument[]): Promise<{ doc: IndexedDoc; vector: Float32Array }[]> {
    try {
      const vectors = await this.deps.client.embed(batch.map((d) => d.content), this.requestSignal());
      return batch.map((d, i) => ({ doc: docOf(d), vector: vectors[i]! }));
    } catch (err) {
      if (!(err instanceof EmbeddingError) || err.failure !== "rejected") throw err;
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        return [...(await this.embed(batch.slice(0, half))), ...(await this.embed(batch.slice(half)))];
      }
      const doc = batch[0]!;
      if (doc.content.length > SHORTENED_CHARS) {
        try {
          const [vector] = await this.deps.client.embed([doc.content.slice(0, SHORTENED_CHARS)], this.requestSignal());
          return [{ doc: docOf(doc), vector: vector! }];
        } catch (again) {
          if (!(again instanceof EmbeddingError) || again.failure !== "rejected") throw again;
        }
      }
      if (this.skipped.size >= MAX_SKIPPED) this.skipped.delete(this.skipped.keys().next().value!);
      this.skipped.set(`${doc.kind}:${doc.refId}`, docOf(doc));
      this.log.warn({ kind: doc.kind, refId: doc.refId, err: err.message }, "the embedding provider rejected a search document; it is skipped until it changes");
      return [];
    }
  }

  private requestSignal(): AbortSignal {
    return AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.deps.settings.batchTimeoutMs)]);
  }

  private failed(err: Error): void {
    this.failures++;
    const refused = err instanceof EmbeddingError && err.failure === "refused";
    const delay = refused
      ? this.tuning.refusedRetryMs
      : Math.min(this.tuning.maxRetryMs, this.tuning.firstRetryMs * 2 ** Math.min(this.failures - 1, 30)) * (0.75 + Math.random() * 0.5);
    this.retryAt = Date.now() + delay;
    // Once per burst: the first failure says what and when; the rest are debug lines.
    const fields = { err: err.message, attempt: this.failures, retryInMs: Math.round(delay) };
    if (this.failures === 1) this.log.warn(fields, "could not embed search documents; will retry (search stays lexical for them)");
    else this.log.debug(fields, "embedding search documents failed again");
    this.poke(0);
  }

  private recovered(): void {
    if (this.failures === 0) return;
    this.log.info({ failedAttempts: this.failures }, "the embedding provider answers again");
    this.failures = 0;
    this.retryAt = 0;
  }
}

function docOf(d: PendingDocument): IndexedDoc {
  return { kind: d.kind, refId: d.refId, serverId: d.serverId, contentHash: d.contentHash };
}
