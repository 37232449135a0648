// A cache of whole query results, dropped in full by every write on any replica.
// Keys carry a generation number read when the request starts, so a result that
// was computed while a write landed is not stored. It holds at most
// GRAPHQL_RESPONSE_CACHE_MAX_BYTES, and no result above an eighth of that.
import { createHash } from "node:crypto";
import { useResponseCache, type Cache } from "@graphql-yoga/plugin-response-cache";
import { getOperationAST, parse, print, separateOperations, type DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { LruMap } from "../lru-map.ts";
import type { ChangeFeed } from "../db/changes.ts";
import { GenerationCache } from "../http/generation-cache.ts";

type Entry = Parameters<Cache["set"]>[1];

/** The default bound of GRAPHQL_RESPONSE_CACHE_MAX_BYTES. */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * A result is held as objects, which take more memory than their JSON: measured on
 * server lists, about 2.6 bytes of heap per byte of JSON, rounded up here. Counting
 * that keeps the heap, not only the JSON, within the bound.
 */
const HEAP_PER_JSON_BYTE = 3;
/** Keys made and not yet looked up, at most (requests in flight; a bound, not a tuning). */
const PENDING_MAX = 10_000;

/** Told of every answer the cache gives: the request's text and name, and when its key was made. */
export type CacheHitListener = (hit: { query: string; operationName: string | undefined; startedAt: number }) => void;

export class ResultCache implements Cache {
  private readonly cache: GenerationCache<Entry>;
  /**
   * The request behind each key made but not yet looked up (a lookup follows its key at
   * once, so this holds about as many entries as requests in flight; capped all the same).
   */
  private readonly pending = new Map<string, { query: string; operationName: string | undefined; startedAt: number }>();
  private readonly onHit: CacheHitListener | undefined;

  constructor(opts: { changes: ChangeFeed; ttlMs: number; maxBytes?: number; onHit?: CacheHitListener }) {
    this.onHit = opts.onHit;
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.cache = new GenerationCache<Entry>({
      changes: opts.changes,
      ttlMs: opts.ttlMs,
      maxBytes,
      maxEntryBytes: Math.floor(maxBytes / 8),
      sizeOf: (result) => JSON.stringify(result).length * HEAP_PER_JSON_BYTE,
    });
  }

  /** The generation a key is built with; `set` refuses a key of an older one. */
  get generation(): number {
    return this.cache.generation;
  }

  set(id: string, data: Entry, _entities: unknown, ttl: number): void {
    const generation = Number(id.slice(0, id.indexOf(":")));
    this.cache.set(id, data, generation, ttl);
  }

  get(id: string): Entry | undefined {
    const entry = this.cache.get(id);
    if (this.onHit) {
      const request = this.pending.get(id);
      if (request) {
        this.pending.delete(id);
        if (entry !== undefined) this.onHit(request);
      }
    }
    return entry;
  }

  /** Remembers the request a key was made for, so that a hit can be reported with it. */
  keyed(id: string, query: string, operationName: string | undefined, startedAt: number): void {
    if (!this.onHit) return;
    if (this.pending.size >= PENDING_MAX) this.pending.clear();
    this.pending.set(id, { query, operationName, startedAt });
  }

  /** Any write makes every result suspect: cheaper and safer than tracking entities. */
  invalidate(): void {
    this.cache.clear();
  }

  clear(): void {
    this.cache.clear();
  }

  /** Results held now. */
  get size(): number {
    return this.cache.entries;
  }

  /** Bytes held now, as counted against GRAPHQL_RESPONSE_CACHE_MAX_BYTES. */
  get bytes(): number {
    return this.cache.bytes;
  }

  close(): void {
    this.cache.close();
  }
}

type Shape = { digest: string; variables: readonly string[] };

/**
 * What a result depends on in the request: the selected operation, printed without its
 * name, comments or layout, with the fragments it uses and nothing else. Renaming the
 * operation, reformatting it, or adding other operations to the document then yields
 * the same key instead of another entry. null: not a document with that operation;
 * such a request runs uncached (and gets its error from the usual pipeline).
 */
function shapeOf(query: string, operationName: string | null | undefined, maxTokens: number): Shape | null {
  let document: DocumentNode;
  try {
    // The key is made before yoga parses (a hit skips parsing), so the token limit applies here too.
    document = parse(query, { noLocation: true, maxTokens });
  } catch {
    return null;
  }
  const operation = getOperationAST(document, operationName);
  const own = operation && separateOperations(document)[operation.name?.value ?? ""];
  if (!operation || !own) return null;
  const anonymous = print({
    ...own,
    definitions: own.definitions.map((d) => (d === operation ? { ...operation, name: undefined } : d)),
  });
  return {
    digest: createHash("sha1").update(anonymous).digest("base64url"),
    variables: (operation.variableDefinitions ?? []).map((v) => v.variable.name.value),
  };
}

/** JSON with object keys sorted, so that `{a, b}` and `{b, a}` are the same variables. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Shapes of the documents seen lately, so that a repeated query is not parsed again. */
const SHAPES_MAX_BYTES = 4 * 1024 * 1024;

function requestKeys(maxTokens: number) {
  const shapes = new LruMap<string, { shape: Shape | null }>({
    maxEntries: 5_000,
    maxBytes: SHAPES_MAX_BYTES,
    sizeOf: (_v, key) => key.length + 100,
  });
  /**
   * The request's part of the key: the operation's shape and the values of the variables
   * it declares (others cannot change the result, so they are left out). null when no key
   * can be made (no such operation, variables too deep to serialise).
   */
  return (query: string, operationName: string | null | undefined, variables: unknown): string | null => {
    const memoKey = `${operationName ?? ""}\u0000${query}`;
    let memo = shapes.get(memoKey);
    if (!memo) shapes.set(memoKey, (memo = { shape: shapeOf(query, operationName, maxTokens) }));
    const { shape } = memo;
    if (!shape) return null;
    const given = (variables ?? {}) as Record<string, unknown>;
    const used: Array<[string, unknown]> = [];
    for (const name of shape.variables) if (Object.hasOwn(given, name)) used.push([name, given[name]]);
    try {
      return `${shape.digest}\u0000${canonical(used)}`;
    } catch {
      return null;
    }
  };
}

export function responseCachePlugin(opts: {
  changes: ChangeFeed;
  ttlMs: number;
  maxBytes?: number;
  /** GRAPHQL_MAX_TOKENS: the key is made from a parse of the document, before yoga's. */
  maxTokens: number;
  /** Results are shared only between requests with the same scope (one viewer's visibility). */
  scopeOf: (context: Record<string, unknown>) => string;
  /** false: this request neither reads nor fills the cache. */
  enabled?: (context: Record<string, unknown>) => boolean;
  /** Every answer served from the cache (metrics count them: they are never executed). */
  onHit?: CacheHitListener;
}): { plugin: Plugin; cache: ResultCache; stop: () => void } {
  const cache = new ResultCache(opts);
  const requestKey = requestKeys(opts.maxTokens);
  const plugin = useResponseCache({
    cache,
    ttl: opts.ttlMs,
    session: (_request, context) => opts.scopeOf(context as unknown as Record<string, unknown>),
    ...(opts.enabled ? { enabled: (_request: Request, context: object) => opts.enabled!(context as Record<string, unknown>) } : {}),
    invalidateViaMutation: true,
    // Results about the caller itself are never shared, even between callers with equal grants.
    ttlPerSchemaCoordinate: { "Query.viewer": 0, "Query.tokens": 0, "Query.accessPolicy": 0, "Query.auditEvents": 0, "Query.auditChain": 0 },
    includeExtensionMetadata: false,
    buildResponseCacheKey: async ({ documentString, variableValues, operationName, sessionId }) => {
      const startedAt = performance.now();
      const request = requestKey(documentString, operationName, variableValues);
      // A generation of -1 is never current: a request without a key is run, never stored.
      const generation = request === null ? -1 : cache.generation;
      const digest = createHash("sha1")
        .update(`${sessionId ?? ""}\u0000${request ?? ""}`)
        .digest("base64url");
      const key = `${generation}:${digest}`;
      cache.keyed(key, documentString, operationName ?? undefined, startedAt);
      return key;
    },
  });
  return { plugin, cache, stop: () => cache.close() };
}
