// yoga's caches of parsed documents and of parse errors, bounded in bytes. Its own keep
// 1,024 of each whatever their size: a parsed document of GRAPHQL_MAX_TOKENS tokens takes
// ~0.6 MB of heap, and a parse error is kept under its source text, which may be as long
// as BODY_LIMIT_BYTES, so 1,024 distinct documents could hold far more than the heap.
import type { DocumentNode } from "graphql";
import { LruMap } from "../lru-map.ts";

/** Heap held at most by parsed documents. */
const DOCUMENTS_MAX_BYTES = 16 * 1024 * 1024;
/** Held at most by remembered parse errors, their source texts included. */
const ERRORS_MAX_BYTES = 4 * 1024 * 1024;
/**
 * A parsed document takes this many bytes of heap per character of source, and a few
 * KB more (measured: a 121-character query ~12 KB, a 2,000-token one of 11 KB ~580 KB).
 */
const HEAP_PER_SOURCE_CHAR = 64;

export function documentCaches() {
  return {
    documentCache: new LruMap<string, DocumentNode>({
      maxEntries: 1_024,
      maxBytes: DOCUMENTS_MAX_BYTES,
      sizeOf: (_document, source) => source.length * HEAP_PER_SOURCE_CHAR + 4_096,
    }),
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- yoga stores whatever parse threw
    errorCache: new LruMap<string, {}>({
      maxEntries: 1_024,
      maxBytes: ERRORS_MAX_BYTES,
      sizeOf: (_error, source) => source.length * 2 + 1_024,
    }),
    validationCache: true,
  };
}
