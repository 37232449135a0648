// The GraphQL response cache under a flood of big, distinct-looking queries: renaming an
// operation does not make another entry, the cache never holds more than
// GRAPHQL_RESPONSE_CACHE_MAX_BYTES, a result above an eighth of that is not stored, and
// the heap grows by no more than that bound. The bound is set low (4 MiB) so that a few
// dozen distinct results exceed it and the suite stays quick; the default (32 MiB) works
// the same way.
import { runInNewContext } from "node:vm";
import v8 from "node:v8";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeFeed } from "../../src/db/changes.ts";
import { ResultCache } from "../../src/graphql/response-cache.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";

const SERVERS = 500;
const MiB = 1024 * 1024;
const MAX_BYTES = 4 * MiB;
/**
 * Heap the test may see grow besides the result cache: the other bounded caches (parsed
 * documents, key shapes) and what the collector leaves behind. Without a byte bound the
 * same floods hold 1,000 results of ~250 KB, or 30 of ~2 MB.
 */
const SLACK = 24 * MiB;

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Heap in use after a full collection. */
function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { GRAPHQL_RESPONSE_CACHE_MAX_BYTES: String(MAX_BYTES) } });
  expect(app.config.graphql.responseCacheMaxBytes).toBe(MAX_BYTES);
  await app.db.prisma.server.createMany({
    data: Array.from({ length: SERVERS }, (_, i) => ({
      path: `/flood/s${String(i).padStart(4, "0")}`,
      name: `Server ${i}`,
      description: `Server number ${i}, with a description of ordinary length.`,
      proxyPassUrl: `http://127.0.0.1:9/s/${i}/mcp`,
      tags: ["flood", `group-${i % 50}`],
      metadata: { team: `team-${i % 20}`, region: "eu-west-1" },
      searchText: `server ${i}`,
    })),
  });
  app.db.changes.publish({ entity: "server" });
});
afterAll(() => stopApp(app));

/** A page of all servers: ~100 KB of JSON. */
const page = (name: string, alias = "servers") =>
  `query ${name} { ${alias}: servers(first: ${SERVERS}) { totalCount edges { node { path name description tags metadata } } } }`;
/** The same page with fewer fields (~22 KB of JSON), so that 2,000 of them are quick to serve. */
const lightPage = (name: string) => `query ${name} { servers(first: ${SERVERS}) { totalCount edges { node { path name } } } }`;

type Answer = { data?: { servers?: { totalCount: number } }; errors?: unknown[] };

async function send(body: Record<string, unknown>): Promise<Response> {
  const res = await fetch(`${app.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${app.adminToken}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res;
}

const post = async (body: Record<string, unknown>) => (await (await send(body)).json()) as Answer;

/**
 * Sends `count` queries, `concurrency` at a time, and samples the cache's bytes after
 * each; returns the most bytes seen.
 */
async function flood(count: number, query: (i: number) => string, concurrency = 8): Promise<number> {
  let next = 0;
  let most = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      // The client is this process too: check the answer's start instead of parsing it.
      const text = await (await send({ query: query(i) })).text();
      expect(text.slice(0, 8)).toBe('{"data":');
      most = Math.max(most, app.graphql.cache!.bytes);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return most;
}

describe("the response cache under a flood of big queries", () => {
  it("2,000 servers(first: 500) queries under distinct operation names share one entry, and memory stays bounded", async () => {
    const first = await post({ query: lightPage("Warm") });
    expect(first.data?.servers?.totalCount).toBe(SERVERS);
    const before = heapUsed();
    const most = await flood(2_000, (i) => lightPage(`Flood${i}`));
    expect(app.graphql.cache!.size).toBe(1);
    expect(most).toBeLessThanOrEqual(MAX_BYTES);
    expect(heapUsed() - before).toBeLessThan(MAX_BYTES + SLACK);
  }, 300_000);

  it("results that really differ fill the cache up to its byte bound and no further", async () => {
    app.graphql.cache!.clear();
    const before = heapUsed();
    // Aliases change the result, so each of these is its own entry.
    const most = await flood(40, (i) => page("Aliased", `a${i}`));
    const cache = app.graphql.cache!;
    expect(cache.size).toBeGreaterThan(1);
    expect(cache.size).toBeLessThan(40);
    expect(most).toBeLessThanOrEqual(MAX_BYTES);
    expect(heapUsed() - before).toBeLessThan(MAX_BYTES + SLACK);
  }, 300_000);

  it("does not store a result above an eighth of the bound: large metadata floods nothing", async () => {
    // 500 servers with 2 KB of metadata each: a page is over 1 MB of JSON.
    await app.db.prisma.server.updateMany({ data: { metadata: { notes: "x".repeat(2_000) } } });
    app.db.changes.publish({ entity: "server" });
    const before = heapUsed();
    await flood(30, (i) => page(`Large${i}`, `l${i}`), 4);
    expect(app.graphql.cache!.size).toBe(0);
    expect(heapUsed() - before).toBeLessThan(SLACK);
  }, 300_000);
});

describe("parsed documents under a flood of big queries", () => {
  it("200 distinct documents of ~2,000 tokens each hold a bounded heap", async () => {
    const before = heapUsed();
    const fields = Array.from({ length: 640 }, (_, j) => `f${j}: __typename`).join(" ");
    await flood(200, (i) => `query Big { first${i}: __typename ${fields} }`, 4);
    // Parsed documents at most 16 MiB, results at most MAX_BYTES, key shapes at most 4 MiB.
    expect(heapUsed() - before).toBeLessThan(16 * MiB + MAX_BYTES + 4 * MiB + SLACK);
  }, 300_000);
});

describe("response cache keys", () => {
  it("ignore what cannot change the result, and keep what can", async () => {
    await app.db.prisma.server.updateMany({ data: { metadata: {} } });
    app.db.changes.publish({ entity: "server" });
    const cache = app.graphql.cache!;
    const doc = "query A($first: Int, $filter: ServerFilter) { servers(first: $first, filter: $filter) { totalCount } }";
    const same: Array<Record<string, unknown>> = [
      { query: doc, variables: { first: 5, filter: { enabled: false, search: "server" } } },
      { query: doc.replace("query A", "query B"), variables: { first: 5, filter: { enabled: false, search: "server" } } },
      { query: doc.replace("query A", "# a comment\nquery   C"), variables: { filter: { search: "server", enabled: false }, first: 5 } },
      { query: `${doc} query Other { __typename }`, operationName: "A", variables: { first: 5, filter: { enabled: false, search: "server" }, unused: 1 } },
    ];
    for (const body of same) expect((await post(body)).errors).toBeUndefined();
    expect(cache.size).toBe(1);
    const differ: Array<Record<string, unknown>> = [
      { query: doc, variables: { first: 6, filter: { enabled: false, search: "server" } } },
      { query: doc, variables: { first: 5 } },
      { query: doc.replace("totalCount", "total: totalCount"), variables: { first: 5 } },
    ];
    for (const body of differ) expect((await post(body)).errors).toBeUndefined();
    expect(cache.size).toBe(4);
  });
});

describe("the result cache's storage rules", () => {
  it("refuses results above the per-entry cap and results computed across a change", () => {
    const feed = new ChangeFeed();
    const cache = new ResultCache({ changes: feed, ttlMs: 60_000, maxBytes: 1 * MiB });
    const small = { data: { n: "x".repeat(1_000) } };
    const big = { data: { n: "x".repeat(100_000) } };
    cache.set(`${cache.generation}:small`, small, [], 60_000);
    cache.set(`${cache.generation}:big`, big, [], 60_000);
    expect(cache.get(`${cache.generation}:small`)).toBe(small);
    expect(cache.get(`${cache.generation}:big`)).toBeUndefined();
    const stale = `${cache.generation}:stale`;
    feed.publish({ entity: "server" });
    cache.set(stale, small, [], 60_000);
    expect(cache.get(stale)).toBeUndefined();
    expect(cache.size).toBe(0);
    for (let i = 0; i < 100; i += 1) cache.set(`${cache.generation}:${i}`, { data: { n: "y".repeat(20_000) } }, [], 60_000);
    expect(cache.bytes).toBeLessThanOrEqual(1 * MiB);
    expect(cache.size).toBeGreaterThan(5);
    cache.close();
  });
});
