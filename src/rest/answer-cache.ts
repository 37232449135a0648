// Finished JSON answers of the REST GET routes (the product API's reads and the
// registry API), per set of grants and URL, so that a hot read (clients poll
// `GET /v0.1/servers`, scripts fetch `/api/server_details/all`) costs one lookup
// instead of GraphQL operations, a parse, the mapping and a re-serialisation. It
// follows the GraphQL response cache's rules (GRAPHQL_RESPONSE_CACHE, its TTL): every
// change on any replica empties it, and an answer computed while a change landed is
// not stored (the generation moved on). Routes using it run their operations with
// `bypassResultCache`, since caching the intermediate results would only add work.
import type { Viewer } from "../auth/viewer.ts";
import type { ChangeFeed } from "../db/changes.ts";

const MAX_ENTRIES = 2_000;
/** Bytes held at most: a page of 1,000 entries is ~650 KB, so entries alone would not bound memory. */
const MAX_BYTES = 32 * 1024 * 1024;

export class AnswerCache {
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

/**
 * The answer for `key` as the caller's grants see it: from the cache, or built, stored
 * and returned. Without a cache (GRAPHQL_RESPONSE_CACHE=false) it builds every time.
 */
export async function cachedAnswer(
  cache: AnswerCache | undefined,
  viewer: Viewer,
  key: string,
  build: () => Promise<unknown>,
): Promise<Buffer> {
  if (!cache) return Buffer.from(JSON.stringify(await build()));
  const scoped = `${viewer.grants.key}\u0000${key}`;
  const hit = cache.get(scoped);
  if (hit) return hit;
  const generation = cache.begin();
  const body = Buffer.from(JSON.stringify(await build()));
  cache.set(scoped, body, generation);
  return body;
}
