// Finished JSON answers of the REST GET routes (the product API's reads and the
// registry API), per set of grants and URL, so that a hot read (clients poll
// `GET /v0.1/servers`, scripts fetch `/api/server_details/all`) costs one lookup
// instead of GraphQL operations, a parse, the mapping and a re-serialisation. It
// follows the GraphQL response cache's rules (GRAPHQL_RESPONSE_CACHE, its TTL and
// GRAPHQL_RESPONSE_CACHE_MAX_BYTES): every change on any replica empties it, and an
// answer computed while a change landed is not stored (the generation moved on). Routes
// using it run their operations with `bypassResultCache`, since caching the intermediate
// results would only add work.
import type { Viewer } from "../auth/viewer.ts";
import { GenerationCache, type ChangeSignal } from "../http/generation-cache.ts";

/** The default bound: a page of 1,000 entries is ~650 KB, so a count of entries would not bound memory. */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

export class AnswerCache {
  private readonly cache: GenerationCache<Buffer>;

  constructor(changes: ChangeSignal, ttlMs: number, maxBytes = DEFAULT_MAX_BYTES) {
    this.cache = new GenerationCache<Buffer>({
      changes,
      ttlMs,
      maxBytes,
      maxEntryBytes: Math.floor(maxBytes / 8),
      sizeOf: (body) => body.length,
    });
  }

  get(key: string): Buffer | undefined {
    return this.cache.get(key);
  }

  /** The generation to hand back to `set`: read it before computing the answer. */
  begin(): number {
    return this.cache.generation;
  }

  set(key: string, body: Buffer, generation: number): void {
    this.cache.set(key, body, generation);
  }

  /** Bytes of answers (and their keys) held now. */
  get size(): number {
    return this.cache.bytes;
  }

  close(): void {
    this.cache.close();
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
