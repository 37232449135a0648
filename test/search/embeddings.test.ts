// The optional embedding arm (src/search/embeddings.ts) against a real database (PGlite, or
// PostgreSQL with TEST_DATABASE_URL) and the fake OpenAI-compatible embedder: the settings,
// the client's URL and answer rules as tables, the in-process index, and end to end the
// backfill, a new document's vector within 5 s, scope, failures and the query's fallback.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/log.ts";
import { authHeaders, EmbeddingError, embeddingsEndpoint, parseAnswer } from "../../src/search/embedding-client.ts";
import { createEmbeddings, type Embeddings, type EmbeddingsTuning, type NearestScope } from "../../src/search/embeddings.ts";
import { VectorIndex, type IndexedDoc } from "../../src/search/vector-index.ts";
import { createSearch } from "../../src/search/service.ts";
import type { Grants, Rule } from "../../src/auth/policy.ts";
import { dropData, freshDataEnv, onPostgres } from "../support/app.ts";
import { startFakeEmbedder, type FakeEmbedder } from "../support/fake-embedder.ts";

describe("embedding settings", () => {
  const base = { DATA_DIR: "/tmp/x" };
  it("are off by default: search is lexical-only", () => {
    expect(loadConfig(base).embeddings).toBeUndefined();
  });

  it("read the URL, model, key, dimensions and budgets", () => {
    const config = loadConfig({
      ...base,
      EMBEDDINGS_URL: "http://localhost:11434/v1",
      EMBEDDINGS_MODEL: "nomic-embed-text",
      EMBEDDINGS_API_KEY: "sk-test-123",
      EMBEDDINGS_DIMENSIONS: "256",
      EMBEDDINGS_TIMEOUT_MS: "500",
      EMBEDDINGS_BATCH: "16",
    });
    expect(config.embeddings).toEqual({
      url: "http://localhost:11434/v1",
      model: "nomic-embed-text",
      apiKey: "sk-test-123",
      dimensions: 256,
      queryTimeoutMs: 500,
      batchSize: 16,
      batchTimeoutMs: 60_000,
      cacheMaxBytes: 128 * 1_048_576,
    });
  });

  it.each([
    [{ EMBEDDINGS_URL: "http://e/v1" }, "EMBEDDINGS_MODEL: required when EMBEDDINGS_URL is set"],
    [{ EMBEDDINGS_MODEL: "m" }, "EMBEDDINGS_MODEL: has no effect without EMBEDDINGS_URL"],
    [{ EMBEDDINGS_API_KEY: "sk-secret-value" }, "EMBEDDINGS_API_KEY: has no effect without EMBEDDINGS_URL"],
    [{ EMBEDDINGS_URL: "ftp://e/v1", EMBEDDINGS_MODEL: "m" }, "invalid setting EMBEDDINGS_URL: must be an http(s) URL"],
    [{ EMBEDDINGS_URL: "http://user:hunter22@e/v1", EMBEDDINGS_MODEL: "m" }, "invalid setting EMBEDDINGS_URL"],
    [{ EMBEDDINGS_URL: "http://e/v1", EMBEDDINGS_MODEL: "m", EMBEDDINGS_API_KEY: "sk secret value" }, "EMBEDDINGS_API_KEY: must be printable"],
    [{ EMBEDDINGS_URL: "http://e/v1", EMBEDDINGS_MODEL: "m", EMBEDDINGS_DIMENSIONS: "0" }, "EMBEDDINGS_DIMENSIONS: must be between 1 and 16384"],
    [{ EMBEDDINGS_URL: "http://e/v1", EMBEDDINGS_MODEL: "m", EMBEDDINGS_TIMEOUT_MS: "10" }, "EMBEDDINGS_TIMEOUT_MS: must be between 50"],
    [{ EMBEDDINGS_URL: "http://e/v1", EMBEDDINGS_MODEL: "m", EMBEDDINGS_BATCH: "5000" }, "EMBEDDINGS_BATCH: must be between 1 and 2048"],
  ])("%j is refused with a message naming the setting (%s), never the secret", (env, message) => {
    let error: Error | undefined;
    try {
      loadConfig({ ...base, ...env });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toContain(message);
    expect(error?.message).not.toContain("hunter22");
    expect(error?.message).not.toContain("secret value");
    expect(error?.message).not.toContain("sk-secret-value");
  });
});

describe("the embeddings endpoint", () => {
  it.each([
    ["https://api.openai.com/v1", "https://api.openai.com/v1/embeddings"],
    ["https://api.openai.com/v1/", "https://api.openai.com/v1/embeddings"],
    ["http://localhost:11434", "http://localhost:11434/v1/embeddings"], // a bare origin: the /v1 route
    ["http://localhost:11434/", "http://localhost:11434/v1/embeddings"],
    ["http://litellm:4000/v1/embeddings", "http://litellm:4000/v1/embeddings"], // already the endpoint
    ["http://tei:8080/embeddings", "http://tei:8080/embeddings"],
    ["http://proxy/openai/v1", "http://proxy/openai/v1/embeddings"],
    [
      "https://r.openai.azure.com/openai/deployments/emb?api-version=2024-10-21",
      "https://r.openai.azure.com/openai/deployments/emb/embeddings?api-version=2024-10-21",
    ],
  ])("%s posts to %s", (base, endpoint) => {
    expect(embeddingsEndpoint(base).toString()).toBe(endpoint);
  });

  it.each([
    ["https://api.openai.com/v1/embeddings", { authorization: "Bearer k" }],
    ["https://r.openai.azure.com/openai/v1/embeddings", { "api-key": "k" }],
    ["https://r.cognitiveservices.azure.com/openai/v1/embeddings", { "api-key": "k" }],
    ["https://evil-openai.azure.com.example/v1/embeddings", { authorization: "Bearer k" }],
  ])("%s gets the key as %j", (url, headers) => {
    expect(authHeaders(new URL(url), "k")).toEqual(headers);
    expect(authHeaders(new URL(url), undefined)).toEqual({});
  });
});

describe("an embeddings answer", () => {
  const ok = (vectors: unknown[], indexed = true) => JSON.stringify({ data: vectors.map((embedding, index) => (indexed ? { embedding, index } : { embedding })) });
  it("is read in input order, by index", () => {
    const text = JSON.stringify({ data: [{ embedding: [0, 1], index: 1 }, { embedding: [1, 0], index: 0 }] });
    expect(parseAnswer(text, 2, undefined).map((v) => Array.from(v))).toEqual([[1, 0], [0, 1]]);
    expect(parseAnswer(ok([[1, 2]], false), 1, undefined).map((v) => Array.from(v))).toEqual([[1, 2]]);
  });

  it.each([
    ["not JSON", "not json", 1, undefined, "not JSON", "transient"],
    ["no vectors", JSON.stringify({ data: [] }), 1, undefined, "malformed", "transient"],
    ["no data", JSON.stringify({ object: "list" }), 1, undefined, "malformed at data", "transient"],
    ["strings for numbers", ok([["a", "b"]]), 1, undefined, "malformed at data.0.embedding.0", "transient"],
    ["an empty vector", ok([[]]), 1, undefined, "malformed", "transient"],
    ["fewer vectors than inputs", ok([[1, 2]]), 2, undefined, "1 vectors for 2 inputs", "transient"],
    ["a repeated index", JSON.stringify({ data: [{ embedding: [1], index: 0 }, { embedding: [1], index: 0 }] }), 2, undefined, "repeated index 0", "transient"],
    ["an index out of range", JSON.stringify({ data: [{ embedding: [1], index: 5 }] }), 1, undefined, "wrong or repeated index 5", "transient"],
    ["mixed lengths", ok([[1, 2], [1, 2, 3]]), 2, undefined, "mixes lengths", "transient"],
    ["another length than EMBEDDINGS_DIMENSIONS", ok([[1, 2]]), 1, 3, "has 2 dimensions, EMBEDDINGS_DIMENSIONS is 3", "refused"],
    ["a vector of 20,000 numbers", JSON.stringify({ data: [{ embedding: new Array(20_000).fill(0) }] }), 1, undefined, "malformed", "transient"],
  ])("%s is refused", (_label, text, count, dims, message, failure) => {
    let error: EmbeddingError | undefined;
    try {
      parseAnswer(text, count, dims);
    } catch (err) {
      error = err as EmbeddingError;
    }
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error?.message).toContain(message);
    expect(error?.failure).toBe(failure);
  });
});

describe("the vector index", () => {
  const doc = (i: number, serverId = "s"): IndexedDoc => ({ kind: i % 2 ? "tool" : "server", refId: `r${i}`, serverId, contentHash: `h${i}` });
  const random = (seed: number, dims: number) => {
    let a = seed;
    return Float32Array.from({ length: dims }, () => ((a = (a * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5);
  };

  it("ranks by cosine exactly as a brute-force sort does, best first", () => {
    const index = new VectorIndex(64 * 1_048_576);
    const vectors = Array.from({ length: 700 }, (_, i) => random(i + 1, 32));
    vectors.forEach((v, i) => expect(index.set(doc(i), v)).toBe("stored"));
    const query = random(9999, 32);
    const cosine = (a: Float32Array, b: Float32Array) => {
      let dot = 0, na = 0, nb = 0;
      for (let i = 0; i < a.length; i++) [dot, na, nb] = [dot + a[i]! * b[i]!, na + a[i]! ** 2, nb + b[i]! ** 2];
      return dot / Math.sqrt(na * nb);
    };
    const expected = vectors.map((v, i) => ({ i, s: cosine(v, query) })).sort((a, b) => b.s - a.s).slice(0, 10);
    const got = index.search(query, () => true, 10);
    expect(got.map((g) => g.doc.refId)).toEqual(expected.map((e) => `r${e.i}`));
    got.forEach((g, n) => expect(g.score).toBeCloseTo(expected[n]!.s, 5));
    // the filter applies before the top k
    expect(index.search(query, (d) => d.kind === "tool", 5).every((g) => g.doc.kind === "tool")).toBe(true);
    expect(index.search(query, (d) => d.kind === "tool", 5)).toHaveLength(5);
  });

  it("replaces, deletes and reuses rows; refuses other lengths and what does not fit", () => {
    const index = new VectorIndex(256 * 4 * 4); // room for 256 vectors of 4 floats
    expect(index.set(doc(1), Float32Array.of(1, 0, 0, 0))).toBe("stored");
    expect(index.set(doc(1), Float32Array.of(0, 2, 0, 0))).toBe("stored");
    expect(index.size).toBe(1);
    expect(index.search(Float32Array.of(0, 1, 0, 0), () => true, 5)[0]?.score).toBeCloseTo(1);
    expect(index.set(doc(2), Float32Array.of(1, 0, 0))).toBe("wrong-dimensions");
    for (let i = 2; i < 257; i++) expect(index.set(doc(i), Float32Array.of(1, 1, 0, 0))).toBe("stored");
    expect(index.set(doc(999), Float32Array.of(1, 1, 0, 0))).toBe("full");
    expect(index.bytes).toBeLessThanOrEqual(256 * 16);
    expect(index.delete("tool", "r1")).toBe(true);
    expect(index.set(doc(999), Float32Array.of(1, 1, 0, 0))).toBe("stored");
    // a zero vector scores 0 against anything, and a zero query finds nothing
    expect(index.set(doc(4), Float32Array.of(0, 0, 0, 0))).toBe("stored");
    expect(index.search(Float32Array.of(0, 0, 0, 0), () => true, 5)).toEqual([]);
  });
});

// ---- End to end: the module against a real database and the fake embedder ----

type LogLine = { level: number; msg: string; [field: string]: unknown };

let db: Database;
let dbEnv: Record<string, string>;
let fake: FakeEmbedder;
let instances: Embeddings[] = [];

const FAST: EmbeddingsTuning = {
  writer: { debounceMs: 20, pollIntervalMs: 60_000, firstRetryMs: 50, maxRetryMs: 200, refusedRetryMs: 300, progressEvery: 5 },
  syncIntervalMs: 50,
};

/** An instance on the test database, once its stored vectors are loaded (until then it answers lexical-only). */
async function start(options: { env?: Record<string, string>; tuning?: EmbeddingsTuning; database?: Database } = {}) {
  const lines: LogLine[] = [];
  const config: Config = loadConfig({
    DATA_DIR: "/tmp/unused",
    EMBEDDINGS_URL: fake.url,
    EMBEDDINGS_MODEL: "fake-words",
    ...options.env,
  });
  const log = createLogger({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const embeddings = createEmbeddings({ config, db: options.database ?? db, log, tuning: options.tuning ?? FAST });
  instances.push(embeddings);
  const said = (msg: string) => lines.filter((l) => l.msg.includes(msg));
  await until(() => embeddings.stats().loaded);
  return { embeddings, lines, said };
}

async function until<T>(what: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await what();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A server and its tools; migration 0011's triggers write their search documents in the same statements. */
async function addServer(spec: { path: string; name: string; description: string; enabled?: boolean; tools: { name: string; description: string }[] }) {
  const server = await db.prisma.server.create({
    data: { path: spec.path, name: spec.name, description: spec.description, proxyPassUrl: "http://127.0.0.1:1/mcp", enabled: spec.enabled ?? true },
  });
  const tools = [];
  for (const t of spec.tools) tools.push(await db.prisma.tool.create({ data: { serverId: server.id, name: t.name, description: t.description } }));
  // as the servers service does after its write
  db.changes.publish({ entity: "server", path: spec.path });
  return { server, tools };
}

/** Changes a tool's description (its document follows, by trigger) and says so, as discovery does. */
async function describeTool(id: string, description: string) {
  const tool = await db.prisma.tool.update({ where: { id }, data: { description }, include: { server: true } });
  db.changes.publish({ entity: "tool", path: tool.server.path });
}

const documentHash = async (id: string) =>
  (await db.prisma.$queryRawUnsafe<{ content_hash: string }[]>("select content_hash from search_documents where ref_id = $1::uuid", id))[0]?.content_hash;

const vectorCount = async (model = "fake-words") =>
  Number((await db.prisma.$queryRawUnsafe<{ n: number }[]>("select count(*)::int as n from search_vectors where model = $1", model))[0]!.n);
const documentCount = async () => Number((await db.prisma.$queryRawUnsafe<{ n: number }[]>("select count(*)::int as n from search_documents"))[0]!.n);

const ALL: NearestScope = { kinds: ["server", "tool"], serverIds: null, includeDisabled: false };

async function catalogue() {
  const weather = await addServer({
    path: "/weather", name: "Weather", description: "forecasts and observations",
    tools: [{ name: "get_forecast", description: "weather forecast for a city" }, { name: "get_alerts", description: "storm alerts for a region" }],
  });
  const calendar = await addServer({
    path: "/calendar", name: "Calendar", description: "events and invitations",
    tools: [{ name: "create_event", description: "create a calendar event with attendees" }, { name: "list_events", description: "list upcoming events" }],
  });
  const archive = await addServer({
    path: "/old-weather", name: "Old weather", description: "retired forecast service", enabled: false,
    tools: [{ name: "legacy_forecast", description: "weather forecast from the old service" }],
  });
  return { weather, calendar, archive };
}

beforeAll(async () => {
  dbEnv = await freshDataEnv();
  const config = loadConfig({ ...dbEnv, LOG_LEVEL: "silent" });
  db = await openDatabase(config.database, createLogger(config.log));
});

afterAll(async () => {
  await db?.close();
  if (dbEnv) await dropData(dbEnv);
});

beforeEach(async () => {
  fake = await startFakeEmbedder({ dims: 64 });
  await db.prisma.$executeRawUnsafe("delete from search_vectors");
  await db.prisma.$executeRawUnsafe("delete from search_documents");
  await db.prisma.server.deleteMany({});
});

afterEach(async () => {
  await Promise.all(instances.map((e) => e.close()));
  instances = [];
  await fake.close();
});

describe("createEmbeddings", () => {
  it("is off without EMBEDDINGS_URL: nothing is embedded and nearest finds nothing", async () => {
    await catalogue();
    const embeddings = createEmbeddings({ config: loadConfig({ DATA_DIR: "/tmp/unused" }), db, log: createLogger({ level: "silent" }) });
    expect(embeddings.enabled).toBe(false);
    expect(await embeddings.embedQuery("weather", new AbortController().signal)).toBeNull();
    expect(await embeddings.nearest(Float32Array.of(1, 0), ALL, 5)).toEqual([]);
    await embeddings.close();
    expect(fake.requests).toHaveLength(0);
    expect(await vectorCount()).toBe(0);
  });

  it("backfills existing documents in batches, logging progress, then ranks by meaning within the caller's scope", async () => {
    const { weather, calendar, archive } = await catalogue();
    const total = await documentCount();
    const { embeddings, said } = await start({ env: { EMBEDDINGS_BATCH: "3" } });
    await until(async () => (await vectorCount()) === total);
    // batches of at most EMBEDDINGS_BATCH documents, one request at a time
    expect(fake.requests.every((r) => r.inputs.length <= 3)).toBe(true);
    await until(() => said("backfill finished").length === 1);
    const finished = said("backfill finished")[0]!;
    expect(finished).toMatchObject({ done: total, total });
    expect(typeof finished.perSecond).toBe("number");
    expect(said("backfill started")[0]).toMatchObject({ total, model: "fake-words" });
    expect(said("backfill progress").length).toBeGreaterThanOrEqual(1); // every 5 documents here

    const query = await embeddings.embedQuery("weather forecast for my city", new AbortController().signal);
    expect(query).not.toBeNull();
    const hits = await embeddings.nearest(query!, ALL, 3);
    expect(hits[0]).toMatchObject({ kind: "tool", refId: weather.tools[0]!.id });
    for (const h of hits) {
      expect(h.score).toBeGreaterThanOrEqual(0);
      expect(h.score).toBeLessThanOrEqual(1);
    }
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);

    const ids = (hs: { refId: string }[]) => hs.map((h) => h.refId);
    const archiveIds = [archive.server.id, ...archive.tools.map((t) => t.id)];
    // a disabled server's documents only with includeDisabled
    expect(ids(await embeddings.nearest(query!, ALL, 20)).some((id) => archiveIds.includes(id))).toBe(false);
    expect(ids(await embeddings.nearest(query!, { ...ALL, includeDisabled: true }, 20))).toContain(archive.tools[0]!.id);
    // only the servers the caller may see, and nothing at all for an empty allowed set
    const calendarIds = [calendar.server.id, ...calendar.tools.map((t) => t.id)];
    const onlyCalendar = await embeddings.nearest(query!, { ...ALL, serverIds: [calendar.server.id] }, 20);
    expect(onlyCalendar.length).toBeGreaterThan(0);
    expect(ids(onlyCalendar).every((id) => calendarIds.includes(id))).toBe(true);
    expect(await embeddings.nearest(query!, { ...ALL, serverIds: [] }, 20)).toEqual([]);
    // kinds
    const servers = await embeddings.nearest(query!, { ...ALL, kinds: ["server"] }, 20);
    expect(servers.map((h) => h.kind)).toEqual(["server", "server"]);
    expect(servers[0]!.refId).toBe(weather.server.id);
  });

  it("gives a newly written document its vector within 5 s, and a disabled or deleted one drops out at once", async () => {
    await catalogue();
    const { embeddings } = await start();
    await until(async () => (await vectorCount()) === (await documentCount()));
    const started = Date.now();
    const added = await addServer({
      path: "/tickets", name: "Tickets", description: "issue tracker",
      tools: [{ name: "open_ticket", description: "open a support ticket about a bug" }],
    });
    const query = (await embeddings.embedQuery("open a support ticket", new AbortController().signal))!;
    const hit = await until(async () => {
      const hits = await embeddings.nearest(query, ALL, 1);
      return hits[0]?.refId === added.tools[0]!.id ? hits[0] : undefined;
    }, 5_000);
    const elapsed = Date.now() - started;
    expect(hit.score).toBeGreaterThan(0.5);
    expect(elapsed).toBeLessThan(5_000);

    // disabled: out of scope in the same moment, before any change is heard
    await db.prisma.server.update({ where: { id: added.server.id }, data: { enabled: false } });
    expect((await embeddings.nearest(query, ALL, 5)).map((h) => h.refId)).not.toContain(added.tools[0]!.id);
    expect((await embeddings.nearest(query, { ...ALL, includeDisabled: true }, 5)).map((h) => h.refId)).toContain(added.tools[0]!.id);
    // deleted: gone from the answers at once
    await db.prisma.server.delete({ where: { id: added.server.id } });
    expect((await embeddings.nearest(query, { ...ALL, includeDisabled: true }, 5)).map((h) => h.refId)).not.toContain(added.tools[0]!.id);
  });

  it("re-embeds a document whose content changed, and answers for the new content only", async () => {
    const { weather } = await catalogue();
    const { embeddings } = await start();
    await until(async () => (await vectorCount()) === (await documentCount()));
    const tool = weather.tools[1]!;
    await describeTool(tool.id, "earthquake tsunami warning");
    const query = (await embeddings.embedQuery("earthquake tsunami warning", new AbortController().signal))!;
    await until(async () => (await embeddings.nearest(query, ALL, 1))[0]?.refId === tool.id, 5_000);
    expect(fake.embedded().some((t) => t.includes("earthquake tsunami warning"))).toBe(true);
    const stored = await db.prisma.$queryRawUnsafe<{ content_hash: string }[]>("select content_hash from search_vectors where ref_id = $1::uuid", tool.id);
    expect(stored[0]!.content_hash).toBe(await documentHash(tool.id));
  });

  it("picks up documents written without a change announced, by its poll, and sweeps the vectors of deleted ones", async () => {
    const { embeddings } = await start({ tuning: { ...FAST, writer: { ...FAST.writer, pollIntervalMs: 150, sweepEveryPolls: 1 } } });
    const server = await db.prisma.server.create({ data: { path: "/quiet", name: "Quiet", description: "silent library", proxyPassUrl: "http://127.0.0.1:1/mcp", enabled: true } });
    await until(async () => (await vectorCount()) === 1, 5_000);
    await db.prisma.server.delete({ where: { id: server.id } });
    await until(async () => (await vectorCount()) === 0, 5_000);
    expect(embeddings.stats().vectors).toBe(0);
  });

  it("loads stored vectors on restart without embedding them again; another model re-embeds everything", async () => {
    await catalogue();
    const total = await documentCount();
    const first = await start();
    await until(async () => (await vectorCount()) === total);
    await first.embeddings.close();
    const requests = fake.requests.length;

    const again = await start();
    expect(again.embeddings.stats()).toMatchObject({ vectors: total, dimensions: 64, loaded: true });
    expect(again.said("stored vectors loaded")[0]).toMatchObject({ vectors: total, dimensions: 64 });
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.requests.length).toBe(requests);
    await again.embeddings.close();

    const other = await start({ env: { EMBEDDINGS_MODEL: "fake-words-2", EMBEDDINGS_DIMENSIONS: "32" } });
    await until(async () => (await vectorCount("fake-words-2")) === total);
    expect(fake.requests.at(-1)).toMatchObject({ model: "fake-words-2" });
    const q = (await other.embeddings.embedQuery("calendar event", new AbortController().signal))!;
    expect(q).toHaveLength(32);
    expect((await other.embeddings.nearest(q, ALL, 1))[0]?.kind).toBeDefined();
  });

  it("retries a failing provider with backoff, logging once for the burst, and finishes when it answers", async () => {
    await catalogue();
    fake.mode.failNext = 4;
    const { said } = await start();
    await until(async () => (await vectorCount()) === (await documentCount()));
    expect(said("could not embed search documents")).toHaveLength(1);
    expect(said("embedding search documents failed again")).toHaveLength(3); // debug lines
    expect(said("the embedding provider answers again")).toHaveLength(1);
  });

  it("retries an answer that is not an embeddings answer", async () => {
    await catalogue();
    fake.mode.garbage = true;
    const { said } = await start();
    await until(() => said("could not embed search documents").length === 1);
    expect(said("could not embed search documents")[0]!.err).toContain("malformed");
    fake.mode.garbage = false;
    await until(async () => (await vectorCount()) === (await documentCount()));
  });

  it("shortens a document the model finds too long, and skips one the provider always rejects without holding up the rest", async () => {
    const { weather } = await catalogue();
    await db.prisma.tool.update({ where: { id: weather.tools[0]!.id }, data: { description: "forecast ".repeat(400) } });
    await db.prisma.tool.update({ where: { id: weather.tools[1]!.id }, data: { description: "POISON" } });
    fake.mode.maxInputChars = 1_500;
    fake.mode.rejectContaining = "POISON";
    const { said } = await start();
    const total = await documentCount();
    await until(async () => (await vectorCount()) === total - 1);
    const skipped = said("rejected a search document");
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ kind: "tool", refId: weather.tools[1]!.id });
    expect(fake.embedded().some((t) => t.includes("forecast forecast") && t.length === 1_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(await vectorCount()).toBe(total - 1);
  });

  it("sends the API key as a bearer token, and never logs it", async () => {
    await catalogue();
    const key = "sk-fake-0123456789abcdef";
    fake.mode.apiKey = key;
    const right = await start({ env: { EMBEDDINGS_API_KEY: key } });
    await until(async () => (await vectorCount()) === (await documentCount()));
    expect(fake.requests.every((r) => r.authorization === `Bearer ${key}`)).toBe(true);
    expect(await right.embeddings.embedQuery("weather", new AbortController().signal)).not.toBeNull();
    await right.embeddings.close();

    // A wrong key: refused, said once, retried slowly; the query falls back to lexical
    await db.prisma.$executeRawUnsafe("delete from search_vectors");
    fake.mode.apiKey = "sk-other-key-value-xyz";
    const wrong = await start({ env: { EMBEDDINGS_API_KEY: key } });
    await until(() => wrong.said("could not embed search documents").length === 1);
    expect(wrong.said("could not embed search documents")[0]!.err).toContain("401");
    expect(await wrong.embeddings.embedQuery("weather", new AbortController().signal)).toBeNull();
    const logged = JSON.stringify([...right.lines, ...wrong.lines]);
    expect(logged).not.toContain(key);
    expect(logged).not.toContain("sk-fake");
  });

  it("answers null past EMBEDDINGS_TIMEOUT_MS, logs one line for a burst of failures, skips the provider meanwhile, and recovers", async () => {
    const { embeddings, said } = await start({ env: { EMBEDDINGS_TIMEOUT_MS: "150" } });
    fake.mode.delayMs = 2_000;
    const signal = new AbortController().signal;
    const t0 = Date.now();
    expect(await embeddings.embedQuery("slow query", signal)).toBeNull();
    expect(Date.now() - t0).toBeLessThan(1_000);
    const asked = fake.requests.length;
    for (let i = 0; i < 5; i++) expect(await embeddings.embedQuery(`query ${i}`, signal)).toBeNull();
    expect(fake.requests.length).toBe(asked); // skipped while the provider is failing
    expect(said("could not embed a search query")).toHaveLength(1);
    fake.mode.delayMs = 0;
    const vector = await until(() => embeddings.embedQuery("weather", signal), 5_000);
    expect(Array.from(vector)).toEqual(Array.from(fake.embed("weather")));
    expect(said("could not embed a search query")).toHaveLength(1);
    expect(said("query embeddings answer again")[0]).toMatchObject({ failed: 1 });
  });

  it("answers null, and blames nobody, when the caller cancels", async () => {
    const { embeddings, said } = await start();
    fake.mode.delayMs = 500;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await embeddings.embedQuery("anything", controller.signal)).toBeNull();
    expect(said("could not embed a search query")).toHaveLength(0);
    fake.mode.delayMs = 0;
    expect(await embeddings.embedQuery("anything", new AbortController().signal)).not.toBeNull();
  });

  it("calls the provider through the SSRF guard: a cloud metadata address is never dialled", async () => {
    const { embeddings, said } = await start({ env: { EMBEDDINGS_URL: "http://169.254.169.254/v1" } });
    expect(await embeddings.embedQuery("anything", new AbortController().signal)).toBeNull();
    expect(said("could not embed a search query")[0]!.err).toContain("blocked address 169.254.169.254");
  });

  it("plugged into the search service, finds by meaning what shares no word with the query, only among what the caller may see", async () => {
    const { calendar } = await catalogue();
    await fake.close();
    // A fake that knows two made-up words mean "create" and "event": no thesaurus can.
    fake = await startFakeEmbedder({ dims: 64, concepts: { zorble: "create", quux: "event" } });
    const { embeddings } = await start();
    await until(async () => (await vectorCount()) === (await documentCount()));
    const log = createLogger({ level: "silent" });
    const admin: Grants = { admin: true, rules: [], key: "admin" };
    const lexical = await createSearch({ prisma: db.prisma, log }).search(admin, { query: "zorble quux", types: ["tool"] });
    expect(lexical).toMatchObject({ mode: "lexical-only", hits: [] });
    const hybrid = createSearch({ prisma: db.prisma, log, embeddings });
    const found = await hybrid.search(admin, { query: "zorble quux", types: ["tool"] });
    expect(found.mode).toBe("hybrid");
    expect(found.hits[0]).toMatchObject({ kind: "tool", refId: calendar.tools[0]!.id });
    // a caller who may list only /weather never sees the calendar's tools
    const rule: Rule = { servers: ["/weather"], namespaces: [], permissions: ["list_service"], tools: ["all"] };
    const restricted: Grants = { admin: false, rules: [rule], key: "weather-only" };
    const theirs = await hybrid.search(restricted, { query: "zorble quux", types: ["tool"] });
    expect(theirs.hits.map((h) => h.refId)).not.toContain(calendar.tools[0]!.id);
  });

  it.runIf(onPostgres)("on PostgreSQL one replica writes the vectors and another reads them", async () => {
    const { weather } = await catalogue();
    const total = await documentCount();
    const config = loadConfig({ ...dbEnv, LOG_LEVEL: "silent" });
    const second = await openDatabase(config.database, createLogger(config.log));
    try {
      const a = await start();
      await until(async () => (await vectorCount()) === total);
      const b = await start({ database: second });
      expect(b.embeddings.stats().vectors).toBe(total);
      const requests = fake.requests.length;
      // a write the first replica embeds reaches the second one's index
      await describeTool(weather.tools[1]!.id, "volcano ash cloud");
      const q = (await a.embeddings.embedQuery("volcano ash", new AbortController().signal))!;
      await until(async () => (await b.embeddings.nearest(q, ALL, 1))[0]?.refId === weather.tools[1]!.id, 5_000);
      // the document was embedded once (by one replica), plus the query
      expect(fake.embedded().filter((t) => t.includes("volcano ash cloud"))).toHaveLength(1);
      expect(fake.requests.length).toBe(requests + 2);
      await b.embeddings.close();
      await a.embeddings.close();
    } finally {
      await second.close();
    }
  });
});
