// Finished answers of the registry's GET routes, per set of grants and URL, so that
// the hot list (clients poll `GET /v0.1/servers`) costs one lookup instead of a GraphQL
// operation, a parse and a re-serialisation. It follows the GraphQL response cache's
// rules (GRAPHQL_RESPONSE_CACHE, its TTL): every change on any replica empties it, and
// an answer computed while a change landed is not stored (the generation moved on).
import type { ChangeFeed } from "../db/changes.ts";

const MAX_ENTRIES = 2_000;
/** Bytes held at most: a page of 1,000 entries is ~650 KB, so entries alone would not bound memory. */
const MAX_BYTES = 32 * 1024 * 1024;

export class RegistryAnswerCache {
  private readonly entries = new Map<string, { body: Buffer; expires: number }>();
  private generation = 0;
  private bytes = 0;
  private readonly stop: () => void;

  constructor(
    changes: ChangeFeed,
    private readonly ttlMs: number,
  ) {
    this.stop = changes.subscribe(() => {
      this.generation += 1;
      this.entries.clear();
      this.bytes = 0;
    });
  }

  get(key: string): Buffer | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= Date.now()) {
      this.drop(key);
      return undefined;
    }
    return hit.body;
  }

  /** The generation to hand back to `set`: read it before computing the answer. */
  begin(): number {
    return this.generation;
  }

  set(key: string, body: Buffer, generation: number): void {
    if (generation !== this.generation || this.ttlMs <= 0 || body.length > MAX_BYTES / 8) return;
    this.drop(key);
    while (this.entries.size > 0 && (this.entries.size >= MAX_ENTRIES || this.bytes + body.length > MAX_BYTES)) {
      this.drop(this.entries.keys().next().value!);
    }
    this.entries.set(key, { body, expires: Date.now() + this.ttlMs });
    this.bytes += body.length;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.body.length;
  }

  /** Bytes of answers held now. */
  get size(): number {
    return this.bytes;
  }

  close(): void {
    this.stop();
    this.entries.clear();
    this.bytes = 0;
  }
}
