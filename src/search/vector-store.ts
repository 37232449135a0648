// SQL over search_vectors (migration 0012) and the search_documents it follows (0011).
// Raw SQL: real[] and the anti-joins below are beyond Prisma's query builder, and the
// table has no Prisma model (nothing else reads it). Vectors travel as text ("{0.1,...}"),
// which both adapters pass through unparsed: measured here, reading 11,000 x 384 vectors as
// text and parsing them is 2-4 times faster than letting the adapter build number arrays.
import type { Database } from "../db/database.ts";
import type { DocKind, IndexedDoc } from "./vector-index.ts";

/** A document that has no vector for the current model and content. */
export type PendingDocument = IndexedDoc & { content: string };

/** Where a reader of other replicas' writes got to: a time, then the last row read at it. */
export type SyncCursor = { updatedAt: string; kind?: DocKind; refId?: string };

/** A stored vector with what the index needs of its document. */
export type StoredVector = { doc: IndexedDoc; vector: Float32Array; updatedAt: string };

type VectorRow = { kind: DocKind; ref_id: string; server_id: string; content_hash: string; vector: string; updated_at: string };

export class VectorStore {
  constructor(private readonly db: Database) {}

  private get prisma() {
    return this.db.prisma;
  }

  /**
   * Documents whose vector is missing, of another model or length, or computed from other
   * content, newest first (a document just written jumps ahead of a running backfill).
   * `skip` lists (document, content) pairs the provider refused, left out until they change.
   */
  async pending(model: string, dims: number | undefined, limit: number, skip: IndexedDoc[]): Promise<PendingDocument[]> {
    const rows = await this.prisma.$queryRawUnsafe<
      { kind: DocKind; ref_id: string; server_id: string; content: string; content_hash: string }[]
    >(
      `select d.kind, d.ref_id::text as ref_id, d.server_id::text as server_id, d.content, d.content_hash
         from search_documents d
         left join search_vectors v on v.kind = d.kind and v.ref_id = d.ref_id
        where (v.ref_id is null or v.content_hash <> d.content_hash or v.model <> $1 or ($2::int is not null and v.dims <> $2::int))
          and not exists (
            select 1 from unnest($4::text[], $5::uuid[], $6::text[]) as s(kind, ref_id, hash)
             where s.kind = d.kind and s.ref_id = d.ref_id and s.hash = d.content_hash)
        order by d.updated_at desc, d.kind, d.ref_id
        limit $3`,
      model,
      dims ?? null,
      limit,
      skip.map((d) => d.kind),
      skip.map((d) => d.refId),
      skip.map((d) => d.contentHash),
    );
    return rows.map((r) => ({ kind: r.kind, refId: r.ref_id, serverId: r.server_id, content: r.content, contentHash: r.content_hash }));
  }

  async countPending(model: string, dims: number | undefined): Promise<number> {
    const [row] = await this.prisma.$queryRawUnsafe<{ n: number }[]>(
      `select count(*)::int as n
         from search_documents d
         left join search_vectors v on v.kind = d.kind and v.ref_id = d.ref_id
        where v.ref_id is null or v.content_hash <> d.content_hash or v.model <> $1 or ($2::int is not null and v.dims <> $2::int)`,
      model,
      dims ?? null,
    );
    return Number(row?.n ?? 0);
  }

  /** Writes one batch in one statement. */
  async upsert(model: string, items: { doc: IndexedDoc; vector: Float32Array }[]): Promise<void> {
    if (items.length === 0) return;
    const dims = items[0]!.vector.length;
    await this.prisma.$executeRawUnsafe(
      `insert into search_vectors (kind, ref_id, model, dims, vector, content_hash, updated_at)
       select t.kind, t.ref_id, $1, $2, t.vector::real[], t.hash, now()
         from unnest($3::text[], $4::uuid[], $5::text[], $6::text[]) as t(kind, ref_id, vector, hash)
       on conflict (kind, ref_id) do update
         set model = excluded.model, dims = excluded.dims, vector = excluded.vector,
             content_hash = excluded.content_hash, updated_at = excluded.updated_at`,
      model,
      dims,
      items.map((i) => i.doc.kind),
      items.map((i) => i.doc.refId),
      items.map((i) => vectorText(i.vector)),
      items.map((i) => i.doc.contentHash),
    );
  }

  /**
   * One page of the current model's vectors whose document still has the content they were
   * computed from, in key order after `after` (keyset paging keeps each read small).
   */
  async page(model: string, after: { kind: DocKind; refId: string } | undefined, limit: number): Promise<StoredVector[]> {
    // The first page starts from a cursor below every key too: with no cursor, the planner
    // sorted the whole join, turning every vector into text before the limit (measured: the
    // first page cost as much as all the others).
    const rows = await this.prisma.$queryRawUnsafe<VectorRow[]>(
      `select v.kind, v.ref_id::text as ref_id, d.server_id::text as server_id, v.content_hash, v.vector::text as vector, v.updated_at::text as updated_at
         from search_vectors v
         join search_documents d on d.kind = v.kind and d.ref_id = v.ref_id and d.content_hash = v.content_hash
        where v.model = $1 and (v.kind, v.ref_id) > ($2::text, $3::uuid)
        order by v.kind, v.ref_id
        limit $4`,
      model,
      after?.kind ?? "",
      after?.refId ?? "00000000-0000-0000-0000-000000000000",
      limit,
    );
    return rows.map(storedVector);
  }

  /**
   * The current model's vectors written since `cursor` (another replica's writes), in write
   * order. From a cursor that has only a time, rows up to `slackMs` before it are read again:
   * a write's updated_at is taken when its statement starts, so a write can become visible
   * after a later-stamped one was read.
   */
  async changedSince(model: string, cursor: SyncCursor, slackMs: number, limit: number): Promise<StoredVector[]> {
    const rows = await this.prisma.$queryRawUnsafe<VectorRow[]>(
      `select v.kind, v.ref_id::text as ref_id, d.server_id::text as server_id, v.content_hash, v.vector::text as vector, v.updated_at::text as updated_at
         from search_vectors v
         join search_documents d on d.kind = v.kind and d.ref_id = v.ref_id and d.content_hash = v.content_hash
        where v.model = $1
          and (case when $3::text is null then v.updated_at >= $2::timestamptz - $5::int * interval '1 millisecond'
                    else (v.updated_at, v.kind, v.ref_id) > ($2::timestamptz, $3::text, $4::uuid) end)
        order by v.updated_at, v.kind, v.ref_id
        limit $6`,
      model,
      cursor.updatedAt,
      cursor.kind ?? null,
      cursor.refId ?? null,
      slackMs,
      limit,
    );
    return rows.map(storedVector);
  }

  /** The database's clock, for the first watermark (replicas' clocks may differ from it). */
  async now(): Promise<string> {
    const [row] = await this.prisma.$queryRawUnsafe<{ now: string }[]>("select now()::text as now");
    return row!.now;
  }

  /** Deletes vectors whose document is gone; returns their keys. */
  async sweepOrphans(): Promise<{ kind: DocKind; refId: string }[]> {
    const rows = await this.prisma.$queryRawUnsafe<{ kind: DocKind; ref_id: string }[]>(
      `delete from search_vectors v
        where not exists (select 1 from search_documents d where d.kind = v.kind and d.ref_id = v.ref_id)
        returning v.kind, v.ref_id::text as ref_id`,
    );
    return rows.map((r) => ({ kind: r.kind, refId: r.ref_id }));
  }

  /** Servers that are disabled now (their documents are in scope only with includeDisabled). */
  async disabledServers(): Promise<string[]> {
    const rows = await this.prisma.$queryRawUnsafe<{ server_id: string }[]>(
      "select server_id::text as server_id from search_documents where kind = 'server' and not enabled",
    );
    return rows.map((r) => r.server_id);
  }

  /**
   * Which candidates are still current by the database's word, now: the document exists
   * with the content its vector came from, and its server is enabled unless
   * `includeDisabled`. (A document's server never changes, so the index checks visibility
   * by server itself.) The index's own view may lag a write by moments; this does not. One
   * lookup by primary key: measured here, filtering by server in SQL instead cost up to
   * 100 ms with 1,000 visible servers.
   */
  async current(candidates: IndexedDoc[], includeDisabled: boolean): Promise<Set<string>> {
    if (candidates.length === 0) return new Set();
    const rows = await this.prisma.$queryRawUnsafe<{ kind: DocKind; ref_id: string; content_hash: string; enabled: boolean }[]>(
      "select kind, ref_id::text as ref_id, content_hash, enabled from search_documents where ref_id = any($1::uuid[])",
      candidates.map((c) => c.refId),
    );
    const found = new Map(rows.map((r) => [`${r.kind}:${r.ref_id}`, r]));
    const out = new Set<string>();
    for (const c of candidates) {
      const key = `${c.kind}:${c.refId}`;
      const row = found.get(key);
      if (row && row.content_hash === c.contentHash && (includeDisabled || row.enabled)) out.add(key);
    }
    return out;
  }
}

/** PostgreSQL's array literal; Float32 values printed in full, so the text round-trips. */
function vectorText(v: Float32Array): string {
  return `{${Array.prototype.join.call(v, ",")}}`;
}

function storedVector(r: VectorRow): StoredVector {
  const inner = r.vector.slice(1, -1);
  const parts = inner === "" ? [] : inner.split(",");
  const vector = new Float32Array(parts.length);
  for (let i = 0; i < parts.length; i++) vector[i] = Number(parts[i]);
  return { doc: { kind: r.kind, refId: r.ref_id, serverId: r.server_id, contentHash: r.content_hash }, vector, updatedAt: r.updated_at };
}
