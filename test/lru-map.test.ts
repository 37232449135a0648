// The one bounded map behind the in-memory caches and counters: evicts the least
// recently used entry past either bound, never stores what is over the per-entry bound
// or already stale, and expires entries by TTL.
import { describe, expect, it } from "vitest";
import { LruMap } from "../src/lru-map.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("LruMap", () => {
  it("drops the least recently used entry past maxEntries; get refreshes, peek does not", () => {
    const m = new LruMap<string, number>({ maxEntries: 2 });
    m.set("a", 1);
    m.set("b", 2);
    expect(m.get("a")).toBe(1); // a is now the most recent
    m.set("c", 3); // b goes
    expect([m.peek("a"), m.peek("b"), m.peek("c")]).toEqual([1, undefined, 3]);
    expect(m.peek("a")).toBe(1); // does not make a the most recent: c is
    m.set("d", 4); // a goes (c was used after a by set)
    expect([m.peek("a"), m.peek("c"), m.peek("d")]).toEqual([undefined, 3, 4]);
    expect(m.size).toBe(2);
  });

  it("bounds the bytes held, and stores nothing over the per-entry bound", () => {
    const m = new LruMap<string, string>({ maxEntries: 100, maxBytes: 100, maxEntryBytes: 50, sizeOf: (v, k) => v.length + k.length });
    m.set("a", "x".repeat(39)); // 40
    m.set("b", "x".repeat(39)); // 80
    expect(m.bytes).toBe(80);
    m.set("c", "x".repeat(39)); // 120 > 100: a goes
    expect([m.peek("a"), m.peek("b")?.length, m.peek("c")?.length]).toEqual([undefined, 39, 39]);
    expect(m.bytes).toBe(80);
    m.set("b", "x".repeat(60)); // over the per-entry bound: not stored, and the old value is gone
    expect(m.peek("b")).toBeUndefined();
    expect(m.peek("c")?.length).toBe(39);
  });

  it("does not store an entry whose size cannot be taken, and refuses maxBytes without sizeOf", () => {
    const m = new LruMap<string, object>({
      maxEntries: 10,
      maxBytes: 1_000,
      sizeOf: (v) => JSON.stringify(v).length,
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    m.set("cyclic", cyclic);
    expect(m.peek("cyclic")).toBeUndefined();
    m.set("plain", { a: 1 });
    expect(m.peek("plain")).toEqual({ a: 1 });
    expect(() => new LruMap({ maxEntries: 1, maxBytes: 10 })).toThrow("maxBytes needs sizeOf");
  });

  it("expires entries by the map's TTL or the entry's own; a TTL of 0 or less stores nothing", async () => {
    const m = new LruMap<string, number>({ maxEntries: 10, ttlMs: 40 });
    m.set("default", 1);
    m.set("long", 2, 60_000);
    m.set("stale", 3, 0);
    m.set("negative", 4, -5);
    expect([m.get("default"), m.get("long"), m.get("stale"), m.get("negative")]).toEqual([1, 2, undefined, undefined]);
    m.set("long", 5, 0); // an already-stale value drops what the key held
    expect(m.get("long")).toBeUndefined();
    m.set("long", 6, 60_000);
    await sleep(150);
    expect(m.get("default")).toBeUndefined();
    expect(m.get("long")).toBe(6);
  });

  it("clears everything", () => {
    const m = new LruMap<string, string>({ maxEntries: 10, maxBytes: 100, sizeOf: (v) => v.length });
    m.set("a", "aaaa");
    m.clear();
    expect([m.size, m.bytes, m.get("a")]).toEqual([0, 0, undefined]);
  });

  it("keeps the entry bound under a byte bound, without allocating slots for entries it does not hold", () => {
    const small = new LruMap<string, number>({ maxEntries: 4, maxBytes: 1_000, sizeOf: () => 1 });
    for (let i = 0; i < 10; i++) small.set(`k${i}`, i);
    expect(small.size).toBe(4);
    expect([small.get("k9"), small.get("k0")]).toEqual([9, undefined]);

    // Ten maps of 100,000 entries each (the rate limiter's size) would preallocate about 40 MB.
    const before = process.memoryUsage();
    const maps = Array.from({ length: 10 }, () => new LruMap<string, number>({ maxEntries: 100_000, maxBytes: 16 * 1024 * 1024, sizeOf: (_v, k) => k.length + 64 }));
    const after = process.memoryUsage();
    const grown = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
    expect(maps).toHaveLength(10);
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  });
});
