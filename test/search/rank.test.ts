// rank.ts as tables: arm relevance, the floor, fusion bounds, a server lifted by its tool,
// matched words and snippets.
import { describe, expect, it } from "vitest";
import {
  armRelevance,
  describe as describeHit,
  FLOOR,
  LONG_QUERY_WORDS,
  matchedTermsOf,
  rank,
  sameWord,
  scoreOf,
  SERVER_FROM_TOOL,
  SNIPPET_MAX,
  snippetOf,
  type Arm,
  type Candidate,
} from "../../src/search/rank.ts";

function candidate(over: Partial<Candidate> = {}): Candidate {
  return {
    kind: "tool",
    refId: "t1",
    serverId: "s1",
    name: "create_event",
    content: "create_event\nCreate a calendar event\nCalendar",
    arms: [],
    cov: 0,
    scov: 0,
    fz: 0,
    nwords: 2,
    ...over,
  };
}

describe("armRelevance", () => {
  it.each<[string, Partial<Candidate>, Arm, number, (v: number) => boolean]>([
    ["every word matched (all)", { cov: 2, nwords: 2 }, "all", 0.1, (v) => v >= 0.8],
    ["half the words (any)", { cov: 1, nwords: 2 }, "any", 0.1, (v) => v < FLOOR],
    ["all words (any)", { cov: 2, nwords: 2 }, "any", 0.1, (v) => v >= 0.7],
    ["expansions only, below the words themselves", { cov: 0, scov: 2, nwords: 2 }, "syn", 0.1, (v) => v < 0.6 && v > 0],
    ["close spelling at the threshold", { nwords: 1 }, "trgm", 0.5, (v) => v >= FLOOR && v < 0.5],
    ["the name itself by trigrams", { nwords: 1 }, "trgm", 1, (v) => v === 1],
    ["a close spelling of one word of two, the other missing", { nwords: 2 }, "trgm", 0.8, (v) => v < FLOOR],
    ["exact name", {}, "name", 1, (v) => v === 1],
    ["name prefix", {}, "name", 0.9, (v) => v === 0.85],
    ["no countable words", { cov: 0, nwords: 0 }, "all", 0.5, (v) => v === 0],
    ["vector clamps", {}, "vector", 1.7, (v) => v === 1],
    ["vector never negative", {}, "vector", -0.3, (v) => v === 0],
    // A long query asking for several things: two or more of its words count against LONG_QUERY_WORDS.
    ["three of six words (any): one part of a long query", { cov: 3, nwords: 6 }, "any", 0.2, (v) => v >= FLOOR],
    ["three of six words, the same as three of four", { cov: 3, nwords: 6 }, "any", 0.2, (v) => v === armRelevance(candidate({ cov: 3, nwords: LONG_QUERY_WORDS }), "any", 0.2)],
    ["one of six words (any) stays below the floor", { cov: 1, nwords: 6 }, "any", 0.4, (v) => v < FLOOR],
    ["two of four words (any) is still half a short query", { cov: 2, nwords: 4 }, "any", 0.2, (v) => v < FLOOR],
  ])("%s", (_label, over, arm, raw, ok) => {
    const v = armRelevance(candidate(over), arm, raw);
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
    expect(ok(v)).toBe(true);
  });
});

describe("scoreOf", () => {
  it("drops a candidate below the floor", () => {
    expect(scoreOf(candidate({ cov: 1, nwords: 3, arms: [{ arm: "any", rank: 1, raw: 0.05 }] }), 5)).toBeNull();
  });
  it("keeps scores in [0, 1] even when every arm puts it first", () => {
    const arms: Candidate["arms"] = (["all", "any", "syn", "trgm", "name"] as const).map((arm) => ({ arm, rank: 1, raw: 1 }));
    const s = scoreOf(candidate({ cov: 2, nwords: 2, arms }), 5)!;
    expect(s).toBeGreaterThan(0.9);
    expect(s).toBeLessThanOrEqual(1);
  });
  it("ranks a candidate more arms agree on above one fewer do (fusion)", () => {
    const one = scoreOf(candidate({ cov: 2, nwords: 2, arms: [{ arm: "all", rank: 1, raw: 0.2 }] }), 5)!;
    const two = scoreOf(candidate({ cov: 2, nwords: 2, arms: [{ arm: "all", rank: 1, raw: 0.2 }, { arm: "any", rank: 1, raw: 0.2 }] }), 5)!;
    expect(two).toBeGreaterThan(one);
  });
});

describe("rank", () => {
  const tool = candidate({ cov: 2, nwords: 2, arms: [{ arm: "all", rank: 1, raw: 0.3 }] });
  it("lifts a server its tool found to SERVER_FROM_TOOL of the tool's score", () => {
    const r = rank([tool], { maxArms: 5, wantServers: true });
    expect(r.tools).toHaveLength(1);
    expect(r.servers).toHaveLength(1);
    expect(r.servers[0]!.serverId).toBe("s1");
    expect(r.servers[0]!.score).toBeCloseTo(Math.max(FLOOR, r.tools[0]!.score * SERVER_FROM_TOOL), 3);
  });
  it("keeps a server's own score when it is better", () => {
    const server = candidate({ kind: "server", refId: "s1", name: "Calendar", content: "Calendar\n/calendar", cov: 2, nwords: 2, arms: [{ arm: "name", rank: 1, raw: 1 }, { arm: "all", rank: 1, raw: 1 }] });
    const r = rank([tool, server], { maxArms: 5, wantServers: true });
    expect(r.servers[0]!.score).toBeGreaterThan(r.tools[0]!.score * SERVER_FROM_TOOL);
  });
  it("returns nothing when nothing passes the floor", () => {
    const weak = candidate({ cov: 1, nwords: 4, arms: [{ arm: "any", rank: 1, raw: 0.01 }] });
    expect(rank([weak], { maxArms: 5, wantServers: true })).toMatchObject({ servers: [], tools: [] });
  });
  it("describes a hit (snippet and matched words) only when asked", () => {
    const r = rank([tool], { maxArms: 5, wantServers: true });
    expect(r.tools[0]!.matchedTerms).toEqual([]);
    const d = describeHit(r.tools[0]!, ["create", "event"]);
    expect(d.matchedTerms).toEqual(["create_event", "Create", "event"]);
    expect(d.matchContext).toBe("Create a calendar event");
  });
  it("orders best first", () => {
    const better = candidate({ refId: "t2", cov: 2, nwords: 2, arms: [{ arm: "all", rank: 1, raw: 0.9 }, { arm: "name", rank: 1, raw: 1 }] });
    const r = rank([tool, better], { maxArms: 5, wantServers: false });
    expect(r.tools.map((t) => t.refId)).toEqual(["t2", "t1"]);
    expect(r.servers).toEqual([]);
  });
});

describe("sameWord", () => {
  it.each([
    ["event", "event", true],
    ["events", "event", true],
    ["scheduling", "schedule", true],
    ["meeting", "meet", true],
    ["cat", "car", false],
    ["weather", "whether", false],
    ["invoice", "invoke", false],
  ])("%s ~ %s: %s", (word, term, same) => {
    expect(sameWord(word, term)).toBe(same);
  });
});

describe("matchedTermsOf", () => {
  it.each<[string, string[], string[]]>([
    ["create_event\nCreate a calendar event", ["create", "event"], ["create_event", "Create", "event"]],
    ["listAttendees\nWho is invited", ["attendees"], ["listAttendees"]],
    ["Weather\nForecasts", ["forecast"], ["Forecasts"]],
    ["Weather", [], []],
    ["<b>bold</b> text", ["bold"], ["bold"]],
  ])("%j with %j", (content, terms, expected) => {
    expect(matchedTermsOf(content, terms)).toEqual(expected);
  });
});

describe("snippetOf", () => {
  it("takes the line that matched most, as plain text", () => {
    expect(snippetOf("create_event\nCreate a calendar event with attendees\nCalendar", ["Create", "event", "attendees"])).toBe(
      "Create a calendar event with attendees",
    );
  });
  it("falls back to the name line", () => {
    expect(snippetOf("Weather\n/weather", [])).toBe("Weather");
  });
  it(`cuts long lines to ${SNIPPET_MAX} characters around the first match`, () => {
    const line = `${"lorem ipsum ".repeat(40)}needle ${"dolor sit ".repeat(40)}`;
    const s = snippetOf(`name\n${line}`, ["needle"]);
    expect(s.length).toBeLessThanOrEqual(SNIPPET_MAX);
    expect(s).toContain("needle");
    expect(s.startsWith("…")).toBe(true);
  });
  it("is empty for an empty document", () => {
    expect(snippetOf("", ["x"])).toBe("");
  });
});
