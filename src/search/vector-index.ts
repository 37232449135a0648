// The in-process vector index: every document's unit vector in one Float32Array slab
// (row r at r * dims), so that a query is one pass of dot products over contiguous memory,
// and the top k by cosine. No database here (pgvector is in neither PGlite 0.5 nor
// Debian's PostgreSQL 15). Not an LRU: every query reads every row, so there is no
// "least recently used" to evict; the bound is in bytes, and rows past it are refused
// (the caller says so in the log) rather than silently dropping others.

export type DocKind = "server" | "tool";

/** What the index knows of a document besides its vector: enough to filter by scope. */
export type IndexedDoc = {
  readonly kind: DocKind;
  readonly refId: string;
  /** Its server (the server itself for a server document); a tool never changes server. */
  readonly serverId: string;
  /** search_documents.content_hash the vector was computed from. */
  readonly contentHash: string;
};

export type Scored = { doc: IndexedDoc; score: number };

/** Why `set` did not store a vector. */
export type SetOutcome = "stored" | "full" | "wrong-dimensions";

const keyOf = (kind: DocKind, refId: string) => `${kind}:${refId}`;

export class VectorIndex {
  private dims: number | undefined;
  private data = new Float32Array(0);
  private capacity = 0;
  /** The document in each row; undefined for a free row. */
  private docs: (IndexedDoc | undefined)[] = [];
  private readonly rowOf = new Map<string, number>();
  private readonly free: number[] = [];
  /** Rows ever handed out; rows below it are used or free. */
  private used = 0;

  constructor(private readonly maxBytes: number) {}

  /** Length of the vectors held; undefined until the first is stored. */
  get dimensions(): number | undefined {
    return this.dims;
  }

  get size(): number {
    return this.rowOf.size;
  }

  /** Bytes of the slab (allocated, used or not); each document's key and hash add about 200 more. */
  get bytes(): number {
    return this.data.byteLength;
  }

  /** Documents the byte bound leaves room for at the current dimensions. */
  get maxDocuments(): number {
    return this.dims === undefined ? Infinity : Math.floor(this.maxBytes / (this.dims * 4));
  }

  get(kind: DocKind, refId: string): IndexedDoc | undefined {
    const row = this.rowOf.get(keyOf(kind, refId));
    return row === undefined ? undefined : this.docs[row];
  }

  /** Stores (or replaces) a document's vector, normalised to unit length. */
  set(doc: IndexedDoc, vector: Float32Array): SetOutcome {
    this.dims ??= vector.length;
    if (vector.length !== this.dims) return "wrong-dimensions";
    const key = keyOf(doc.kind, doc.refId);
    let row = this.rowOf.get(key);
    if (row === undefined) {
      row = this.free.pop() ?? (this.used < this.capacity || this.grow() ? this.used++ : undefined);
      if (row === undefined) return "full";
      this.rowOf.set(key, row);
    }
    this.docs[row] = doc;
    let norm = 0;
    for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
    // A zero vector (an empty text, for some models) stays zero: it scores 0 against anything.
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const offset = row * this.dims;
    for (let i = 0; i < vector.length; i++) this.data[offset + i] = vector[i]! * scale;
    return "stored";
  }

  delete(kind: DocKind, refId: string): boolean {
    const key = keyOf(kind, refId);
    const row = this.rowOf.get(key);
    if (row === undefined) return false;
    this.rowOf.delete(key);
    this.docs[row] = undefined;
    this.free.push(row);
    return true;
  }

  /** Forgets everything, the dimensions too (another model's vectors are not comparable). */
  clear(): void {
    this.dims = undefined;
    this.data = new Float32Array(0);
    this.capacity = 0;
    this.docs = [];
    this.rowOf.clear();
    this.free.length = 0;
    this.used = 0;
  }

  /** Every document held (for sweeps). */
  *documents(): IterableIterator<IndexedDoc> {
    for (const row of this.rowOf.values()) yield this.docs[row]!;
  }

  /**
   * The `limit` accepted documents most similar to `query` (cosine, best first, ties in
   * row order). `query` need not be normalised.
   */
  search(query: Float32Array, accept: (doc: IndexedDoc) => boolean, limit: number): Scored[] {
    const dims = this.dims;
    if (dims === undefined || query.length !== dims || limit <= 0) return [];
    let norm = 0;
    for (let i = 0; i < dims; i++) norm += query[i]! * query[i]!;
    if (!(norm > 0)) return [];
    const scale = 1 / Math.sqrt(norm);
    const heap = new TopK(limit);
    const data = this.data;
    for (let row = 0; row < this.used; row++) {
      const doc = this.docs[row];
      if (doc === undefined || !accept(doc)) continue;
      heap.offer(dotAt(data, row * dims, query, dims) * scale, row);
    }
    return heap.drain().map(({ score, row }) => ({ doc: this.docs[row]!, score }));
  }

  private grow(): boolean {
    const dims = this.dims!;
    const maxRows = Math.floor(this.maxBytes / (dims * 4));
    if (this.capacity >= maxRows) return false;
    // A quarter more each time: the copy is cheap next to embedding, and little is left unused.
    const capacity = Math.min(maxRows, Math.max(256, Math.ceil(this.capacity * 1.25)));
    const data = new Float32Array(capacity * dims);
    data.set(this.data);
    this.data = data;
    this.capacity = capacity;
    return true;
  }
}

/** data[offset .. offset + dims) · query; four running sums let the CPU overlap the multiplies. */
function dotAt(data: Float32Array, offset: number, query: Float32Array, dims: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < dims; i += 4) {
    a += data[offset + i]! * query[i]!;
    b += data[offset + i + 1]! * query[i + 1]!;
    c += data[offset + i + 2]! * query[i + 2]!;
    d += data[offset + i + 3]! * query[i + 3]!;
  }
  for (; i < dims; i++) a += data[offset + i]! * query[i]!;
  return a + b + c + d;
}

/** A bounded min-heap keeping the `k` highest scores seen. */
class TopK {
  private readonly scores: number[] = [];
  private readonly rows: number[] = [];

  constructor(private readonly k: number) {}

  offer(score: number, row: number): void {
    const { scores, rows } = this;
    if (scores.length < this.k) {
      scores.push(score);
      rows.push(row);
      this.up(scores.length - 1);
    } else if (score > scores[0]!) {
      scores[0] = score;
      rows[0] = row;
      this.down(0);
    }
  }

  /** Best first; on equal scores, the earlier row first. */
  drain(): { score: number; row: number }[] {
    const out = this.scores.map((score, i) => ({ score, row: this.rows[i]! }));
    return out.sort((a, b) => b.score - a.score || a.row - b.row);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.scores[parent]! <= this.scores[i]!) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.scores.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && this.scores[l]! < this.scores[min]!) min = l;
      if (r < n && this.scores[r]! < this.scores[min]!) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  private swap(a: number, b: number): void {
    [this.scores[a], this.scores[b]] = [this.scores[b]!, this.scores[a]!];
    [this.rows[a], this.rows[b]] = [this.rows[b]!, this.rows[a]!];
  }
}
