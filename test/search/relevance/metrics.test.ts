// The relevance metrics on cases worked out by hand.
import { describe, expect, it } from "vitest";
import { markdownTable, missedTargets, ndcgAt, recallAt, reciprocalRank, rowOf, summarise, type Outcome, type Row } from "./metrics.ts";

const judged = (grades: Record<string, number>) => new Map(Object.entries(grades));

describe("NDCG@10", () => {
  it.each([
    // gains 2^g - 1 (3 -> 7, 2 -> 3, 1 -> 1), discounts log2(rank + 1)
    ["a perfect ranking", ["a", "c", "d"], { a: 3, c: 2, d: 1 }, 1],
    ["a miss in second place", ["a", "b", "c"], { a: 3, c: 2, d: 1 }, (7 + 3 / 2) / (7 + 3 / Math.log2(3) + 1 / 2)],
    ["the best answer second", ["c", "a"], { a: 3, c: 2 }, (3 + 7 / Math.log2(3)) / (7 + 3 / Math.log2(3))],
    ["nothing relevant ranked", ["x", "y"], { a: 3 }, 0],
    ["an empty ranking", [], { a: 3 }, 0],
    ["the answer below the cut", [..."bcdefghijk"], { a: 3 }, 0],
    ["a grade-0 judgment is no gain", ["z", "a"], { z: 0, a: 1 }, 1 / Math.log2(3)],
  ])("%s", (_name, ranked, grades, expected) => {
    expect(ndcgAt(ranked, judged(grades))).toBeCloseTo(expected, 10);
  });

  it("is NaN when nothing is judged relevant, so the query is left out", () => {
    expect(ndcgAt(["a"], judged({ a: 0 }))).toBeNaN();
  });

  it("cuts at k", () => {
    expect(ndcgAt(["x", "a"], judged({ a: 3 }), 1)).toBe(0);
    expect(ndcgAt(["x", "a"], judged({ a: 3 }), 2)).toBeCloseTo(1 / Math.log2(3), 10);
  });
});

describe("reciprocal rank and Recall@10 count grade 2 and above", () => {
  it.each([
    [["a"], { a: 3 }, 1],
    [["x", "y", "a"], { a: 2 }, 1 / 3],
    [["b", "a"], { b: 1, a: 3 }, 1 / 2],
    [["b"], { b: 1 }, 0],
    [[], { a: 3 }, 0],
  ])("reciprocal rank of %j with %j is %d", (ranked, grades, expected) => {
    expect(reciprocalRank(ranked, judged(grades))).toBeCloseTo(expected, 10);
  });

  it.each([
    [["c", "a"], { a: 3, b: 2, c: 1 }, 1 / 2],
    [["a", "b"], { a: 3, b: 2 }, 1],
    [["x"], { a: 3, b: 2 }, 0],
  ])("recall of %j with %j is %d", (ranked, grades, expected) => {
    expect(recallAt(ranked, judged(grades))).toBeCloseTo(expected, 10);
  });

  it("recall cuts at k and is NaN without a relevant judgment", () => {
    expect(recallAt(["a", "b"], judged({ a: 3, b: 3 }), 1)).toBe(0.5);
    expect(recallAt(["a"], judged({ a: 1 }))).toBeNaN();
  });
});

function outcome(category: Outcome["category"], servers: [string[], Record<string, number>], tools: [string[], Record<string, number>]): Outcome {
  return {
    text: category,
    category,
    servers: { ranked: servers[0], judged: judged(servers[1]) },
    tools: { ranked: tools[0], judged: judged(tools[1]) },
  };
}

describe("summaries", () => {
  const outcomes = [
    outcome("exact", [["/a"], { "/a": 3 }], [["/a#t"], { "/a#t": 3 }]),
    outcome("exact", [["/x", "/a"], { "/a": 3 }], [[], { "/a#t": 3 }]),
    // A metadata query judges servers only: it counts for servers, not for tools.
    outcome("metadata", [[], { "/a": 3 }], [["/a#t"], {}]),
    outcome("none", [[], {}], [[], {}]),
    outcome("none", [["/a"], {}], [[], {}]),
  ];

  it("averages each kind over the queries that judge it, and counts zero hits and empty no-answer results", () => {
    const rows = summarise(outcomes);
    expect(rows.map((r) => r.category)).toEqual(["exact", "metadata", "none", "all"]);
    const exact = rows[0]!;
    expect(exact.server).toEqual({ queries: 2, ndcg: (1 + 1 / Math.log2(3)) / 2, mrr: 0.75, recall: 1 });
    expect(exact.tool).toEqual({ queries: 2, ndcg: 0.5, mrr: 0.5, recall: 0.5 });
    expect(exact.zeroHit).toBe(0);
    expect(exact.noAnswer).toBeNull();
    expect(rows[1]!.tool).toBeNull();
    expect(rows[1]!.zeroHit).toBe(0); // its tool hit counts as a hit
    expect(rows[2]).toMatchObject({ server: null, tool: null, zeroHit: null, noAnswer: 0.5 });
    const all = rows[3]!;
    expect(all.queries).toBe(5);
    expect(all.server?.queries).toBe(3);
    expect(all.server?.mrr).toBeCloseTo((1 + 0.5 + 0) / 3, 10);
    expect(all.tool?.queries).toBe(2);
    expect(all.noAnswer).toBe(0.5);
  });

  it("counts an answerable query with no hit of either kind as a zero hit", () => {
    const row = rowOf("task", "task", [outcome("task", [[], { "/a": 3 }], [[], { "/a#t": 3 }]), outcome("task", [["/a"], { "/a": 3 }], [[], {}])]);
    expect(row.zeroHit).toBe(0.5);
  });

  const scores = (ndcg: number, mrr: number) => ({ queries: 1, ndcg, mrr, recall: 1 });
  const overall = (over: Partial<Row>): Row => ({
    category: "all",
    label: "all",
    queries: 10,
    server: scores(0.8, 0.8),
    tool: scores(0.8, 0.8),
    zeroHit: 0.05,
    noAnswer: 0.9,
    ...over,
  });

  it.each([
    ["every target met", overall({}), []],
    ["exactly at the targets", overall({ server: scores(0.7, 0.75), tool: scores(0.7, 0.75), zeroHit: 0.08, noAnswer: 0.8 }), []],
    ["server NDCG low", overall({ server: scores(0.69, 0.8) }), ["server NDCG@10 0.690 < 0.7"]],
    ["tool MRR low", overall({ tool: scores(0.8, 0.7) }), ["tool MRR 0.700 < 0.75"]],
    ["NaN never passes", overall({ tool: scores(Number.NaN, 0.8) }), ["tool NDCG@10 NaN < 0.7"]],
    ["too many zero hits", overall({ zeroHit: 0.1 }), ["zero-hit rate 10.0 % > 8.0 %"]],
    ["no-answer queries answered", overall({ noAnswer: 0.5 }), ["no-answer rate 50.0 % < 80.0 %"]],
    ["nothing measured", overall({ server: null, zeroHit: null, noAnswer: null }), [
      "no server judgments were scored",
      "zero-hit rate unmeasured > 8.0 %",
      "no-answer rate unmeasured < 80.0 %",
    ]],
  ])("targets: %s", (_name, row, expected) => {
    expect(missedTargets(row)).toEqual(expected);
  });

  it("prints a Markdown table with a dash for what a category does not measure", () => {
    const table = markdownTable(summarise(outcomes)).split("\n");
    expect(table[0]).toMatch(/^\| category \| queries \| server NDCG@10 /);
    expect(table).toHaveLength(2 + 4);
    expect(table[4]).toBe("| no answer | 2 | – | – | – | – | – | – | – | 50.0 % |");
    expect(table[5]).toMatch(/^\| \*\*all\*\* \| 5 \| /);
  });
});
