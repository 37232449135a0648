// Query expansion, with the real WordNet files: a query's own words at weight 1, what
// they imply (stems, the domain thesaurus, WordNet synonyms) below, stop words dropped,
// and any input, however hostile, answered quickly without throwing.
import { execFile } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createExpander,
  type Expander,
  type ExpansionTerm,
  loadExpander,
  MAX_TERMS,
  MAX_WORDS,
  queryWords,
} from "../../src/search/expand.ts";
import { buildThesaurus, THESAURUS_SOURCE } from "../../src/search/thesaurus.ts";
import { baseForms, loadWordNet, normaliseLemma, type WordNetSynonyms } from "../../src/search/wordnet.ts";

let expander: Expander;
let wordnet: WordNetSynonyms;

beforeAll(async () => {
  expander = await loadExpander();
  wordnet = await loadWordNet({ maxSynonyms: 6, maxSenses: 4 });
});

const words = (query: string) => expander.expand(query).terms.map((t) => t.word);
const term = (query: string, word: string): ExpansionTerm | undefined =>
  expander.expand(query).terms.find((t) => t.word === word);

describe("expand: what a query implies", () => {
  it.each([
    // [query, words that must be among the terms]
    ["schedule a meeting", ["schedule", "meeting", "calendar", "event", "appointment", "create event"]],
    ["k8s pods", ["k8s", "pods", "kubernetes", "pod", "container"]],
    ["open a ticket", ["open", "ticket", "issue", "create"]],
    ["file a bug", ["bug", "issue", "defect"]],
    ["list my repos", ["list", "repos", "repository", "repo"]],
    ["review pull requests", ["pull request", "pr", "merge request"]],
    ["query the db", ["db", "database", "sql"]],
    ["page whoever is on call", ["page", "alert", "incident", "oncall"]],
    ["deploy to production", ["deploy", "release", "rollout", "prod"]],
    ["send a msg to the team", ["msg", "message", "send", "post"]],
    ["auth token expired", ["auth", "authentication", "token", "credentials"]],
    ["what's the weather tomorrow", ["weather", "forecast"]],
    ["upcoming meetings", ["meetings", "meeting", "calendar", "event"]],
    ["list open PRs", ["prs", "pr", "pull request"]],
    ["rotate API keys", ["api", "keys", "key", "token", "secret"]],
    ["createEvent", ["create", "event", "schedule", "appointment"]],
    ["credit card charges", ["charge card", "charge", "payment"]],
  ])("%s", (query, expected) => {
    expect(words(query)).toEqual(expect.arrayContaining(expected));
  });

  it("weighs the query's own words 1, stems and thesaurus terms below, WordNet synonyms lower still", () => {
    expect(term("schedule a meeting", "meeting")).toMatchObject({ weight: 1, source: "query", of: "meeting" });
    expect(term("upcoming meetings", "meeting")).toMatchObject({ source: "stem", of: "meetings" });
    expect(term("k8s pods", "kubernetes")).toMatchObject({ source: "thesaurus", of: "k8s" });
    const kubernetes = term("k8s pods", "kubernetes")!.weight;
    expect(kubernetes).toBeGreaterThanOrEqual(0.6);
    expect(kubernetes).toBeLessThanOrEqual(0.8);
    const synonym = term("schedule a meeting", "get together");
    expect(synonym).toMatchObject({ source: "wordnet", of: "meeting" });
    expect(synonym!.weight).toBeGreaterThanOrEqual(0.4);
    expect(synonym!.weight).toBeLessThanOrEqual(0.5);
    expect(term("pull requests", "pr")).toMatchObject({ source: "thesaurus", of: "pull requests" });
  });

  it("keeps each word once, with its highest weight, every weight in (0, 1], best first", () => {
    for (const query of ["schedule a meeting", "issue ticket bug", "delete the database backup", "createEvent calendar event"]) {
      const terms = expander.expand(query).terms;
      expect(terms.length).toBeGreaterThan(0);
      expect(new Set(terms.map((t) => t.word)).size).toBe(terms.length);
      for (const t of terms) {
        expect(t.weight).toBeGreaterThan(0);
        expect(t.weight).toBeLessThanOrEqual(1);
        expect(t.word).toBe(t.word.toLowerCase());
        expect(t.word.trim()).toBe(t.word);
      }
      expect(terms.map((t) => t.weight)).toEqual([...terms.map((t) => t.weight)].sort((a, b) => b - a));
    }
    // What the query implies is plain ASCII words, safe to put in a tsquery as they are.
    for (const query of ["Schedule a Meeting!", "k8s pods", "café crème brûlée", "📅 会议 calendar", "pull-requests"]) {
      for (const t of expander.expand(query).terms.filter((t) => t.source !== "query")) {
        expect(t.word).toMatch(/^[a-z0-9]+( [a-z0-9]+){0,2}$/);
      }
    }
    // "ticket" is both a query word and the thesaurus's word for "issue": the query wins.
    expect(term("issue ticket", "ticket")).toMatchObject({ weight: 1, source: "query" });
  });

  it("drops stop words: a query of nothing else expands to nothing", () => {
    for (const query of ["the of and", "what is it", "", "   ", "?!?", "to be or not to be"]) {
      expect(expander.expand(query).terms).toEqual([]);
    }
    expect(queryWords("Show me the Slack channels")).toEqual(["show", "slack", "channels"]);
  });

  it("splits the names people paste: snake_case, camelCase, kebab-case, dotted", () => {
    expect(queryWords("create_event getUserProfile list-repos repo.search HTTPServer")).toEqual([
      "create",
      "event",
      "get",
      "user",
      "profile",
      "list",
      "repos",
      "repo",
      "search",
      "http",
      "server",
    ]);
    expect(queryWords("k8s s3 oauth2 oauth2Token EC2")).toEqual(["k8s", "s3", "oauth2", "token", "ec2"]);
  });

  it("leaves WordNet out for short words the thesaurus knows (their WordNet senses are other things)", () => {
    expect(words("list open PRs")).not.toContain("puerto rico");
    expect(words("k8s pods")).not.toContain("seedpod");
    expect(words("file a bug")).not.toContain("badger");
    expect(words("read the logs")).not.toContain("logarithm");
  });

  it("does not fix typos (the trigram arm does)", () => {
    expect(words("calender")).not.toContain("calendar");
  });
});

describe("expand: hostile input", () => {
  it.each([
    ["a megabyte of one word", "x".repeat(1_000_000)],
    ["10,000 words", Array.from({ length: 10_000 }, (_, i) => `word${i}`).join(" ")],
    ["10,000 stop words then one word", `${"the ".repeat(10_000)}calendar`],
    ["NUL bytes", "cal\u0000endar \u0000 meeting\u0000"],
    ["lone surrogates", "\ud800 meeting \udfff \ud83d"],
    ["control and format characters", "\u0001\u0002\u202e\u200b meeting \ufeff"],
    ["combining marks only", "\u0301\u0301\u0301"],
    ["emoji and CJK", "📅 会议 schedule"],
    ["a thousand repeats of one phrase", "pull request ".repeat(1_000)],
  ])("%s: no throw, bounded", (_name, query) => {
    const started = performance.now();
    const expansion = expander.expand(query);
    expect(performance.now() - started).toBeLessThan(250);
    expect(expansion.terms.length).toBeLessThanOrEqual(MAX_TERMS);
    expect(expansion.terms.filter((t) => t.source === "query").length).toBeLessThanOrEqual(MAX_WORDS);
    for (const t of expansion.terms) {
      expect(t.word.includes("\u0000")).toBe(false);
      expect(t.word).not.toMatch(/\p{Cs}/u); // no lone surrogate
      expect(t.weight).toBeGreaterThan(0);
      expect(t.weight).toBeLessThanOrEqual(1);
    }
  });

  it("keeps the first 32 words of a long query", () => {
    const terms = expander.expand(Array.from({ length: 100 }, (_, i) => `w${i}`).join(" ")).terms;
    expect(terms.filter((t) => t.source === "query").map((t) => t.word)).toEqual(Array.from({ length: 32 }, (_, i) => `w${i}`));
  });

  it("answers a non-string without throwing", () => {
    const hostile = { toString: () => { throw new Error("no"); } };
    expect(expander.expand(hostile as unknown as string).terms).toEqual([]);
  });
});

describe("expand: speed", () => {
  it("expands a query in well under a millisecond (p99 over 2,000 varied queries)", () => {
    const vocabulary = [
      "schedule", "meeting", "tomorrow", "k8s", "pods", "open", "ticket", "deploy", "release", "database", "backup",
      "send", "message", "channel", "weather", "forecast", "invoice", "refund", "customer", "pull", "requests",
      "review", "alert", "incident", "logs", "metrics", "dashboard", "employee", "payroll", "map", "directions",
    ];
    const queries = Array.from({ length: 2_000 }, (_, i) => {
      const n = 1 + (i % 6);
      return Array.from({ length: n }, (_, j) => vocabulary[(i * 7 + j * 13) % vocabulary.length]).join(" ") + ` q${i}`;
    });
    for (const q of queries.slice(0, 200)) expander.expand(q); // warm the JIT
    // Each query is timed three times and keeps its fastest run: a slow query is slow every time,
    // while a preemption or GC pause from other test files on a shared CI machine hits one run.
    const times = queries.map((q) => {
      let best = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 3; run += 1) {
        const started = performance.now();
        expander.expand(q);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    });
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length * 0.5)]!;
    const p99 = times[Math.floor(times.length * 0.99)]!;
    // The target is 0.5 ms p99; the bound leaves room for a machine shared with other work.
    console.info(`expand: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`); // eslint-disable-line no-console -- the measured figure
    expect(p99).toBeLessThan(2);
  });
});

// Run in a child with the server's own heap flags (package.json "start"), after a full
// collection, so the figure is what loading leaves resident, not what it passed through.
const MEASURE = `
const { loadExpander } = await import("./src/search/expand.ts");
gc();
const before = process.memoryUsage.rss();
const started = performance.now();
const cpu = process.cpuUsage();
const expander = await loadExpander();
const loadMs = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
const peak = process.memoryUsage.rss();
gc();
await new Promise((resolve) => setTimeout(resolve, 50));
gc();
expander.expand("schedule a meeting");
console.log(JSON.stringify({ loadMs, cpuMs: (user + system) / 1000, addedMb: (process.memoryUsage.rss() - before) / 2 ** 20, peakMb: (peak - before) / 2 ** 20 }));
`;

describe("loadExpander", () => {
  it("loading keeps the resident memory it adds within 30 MB (server heap flags)", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--expose-gc", "--max-old-space-size=256", "--max-semi-space-size=4", "--import", "tsx", "--input-type=module", "-e", MEASURE],
      { cwd: path.join(import.meta.dirname, "../.."), timeout: 60_000 },
    );
    const { loadMs, cpuMs, addedMb, peakMb } = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, number>;
    console.info(`loadExpander: ${loadMs!.toFixed(0)} ms (${cpuMs!.toFixed(0)} ms CPU), +${addedMb!.toFixed(1)} MB RSS kept (+${peakMb!.toFixed(1)} MB at the peak)`); // eslint-disable-line no-console -- the measured figure
    expect(addedMb).toBeLessThanOrEqual(30);
  }, 90_000);

  it("loads once: every call gets the same expander", async () => {
    expect(await loadExpander()).toBe(expander);
  });

  it("without WordNet still expands through stems and the thesaurus", () => {
    const bare = createExpander(null);
    const terms = bare.expand("schedule meetings").terms;
    expect(terms.map((t) => t.word)).toEqual(expect.arrayContaining(["calendar", "meet"]));
    expect(terms.some((t) => t.source === "wordnet")).toBe(false);
  });

  it("a missing WordNet directory is a clear error", async () => {
    await expect(loadWordNet({ maxSynonyms: 6, maxSenses: 4, dir: path.join(os.tmpdir(), "no-such-wordnet") })).rejects.toThrow(
      /ENOENT/,
    );
  });
});

describe("WordNet index", () => {
  it("gives synonyms from the most frequent senses first, capped", () => {
    expect(wordnet.synonyms("meeting").slice(0, 2)).toEqual(["group meeting", "get together"]);
    expect(wordnet.synonyms("invoice")).toEqual(expect.arrayContaining(["bill"]));
    expect(wordnet.synonyms("credit card")).toEqual(expect.arrayContaining(["charge card"]));
    for (const lemma of ["take", "get", "run", "set", "break"]) expect(wordnet.synonyms(lemma).length).toBeLessThanOrEqual(6);
    expect(wordnet.synonyms("no such lemma")).toEqual([]);
    expect(wordnet.synonyms("")).toEqual([]);
    expect(wordnet.synonyms("__proto__")).toEqual([]);
  });

  it("is compact: tens of thousands of lemmas, each synonym a plain one- or two-word term", () => {
    expect(wordnet.stats.lemmas).toBeGreaterThan(50_000);
    for (const lemma of ["meeting", "schedule", "book", "send", "weather", "delete"]) {
      for (const s of wordnet.synonyms(lemma)) expect(s).toMatch(/^[a-z0-9]+( [a-z0-9]+)?$/);
    }
  });

  it.each([
    ["group_meeting", "group meeting"],
    ["ready_to_hand(p)", null],
    ["outback(a)", "outback"],
    ["Kubernetes", "kubernetes"],
    ["e-mail", "e mail"],
    ["rock_'n'_roll", null],
    ["a_b_c", null],
    [".22-caliber", null],
  ])("normaliseLemma(%j) = %j", (raw, expected) => {
    expect(normaliseLemma(raw)).toBe(expected);
  });

  it.each([
    ["meetings", ["meeting"]],
    ["scheduled", ["schedule", "schedul"]],
    ["scheduling", ["schedule", "schedul"]],
    ["batches", ["batche", "batch"]],
    ["queries", ["query", "querie", "queri"]],
    ["engineer", []],
    ["is", []],
  ])("baseForms(%j) includes %j", (word, expected) => {
    expect(baseForms(word)).toEqual(expect.arrayContaining(expected));
    if (expected.length === 0) expect(baseForms(word)).toEqual([]);
  });
});

describe("thesaurus", () => {
  it("has at least 80 entries, each a clean lower-case term of up to three words, keys of one or two", () => {
    const { same, related } = THESAURUS_SOURCE;
    expect(same.length + related.length).toBeGreaterThanOrEqual(80);
    for (const key of related.map(([key]) => key)) expect(key).toMatch(/^[a-z0-9]+( [a-z0-9]+)?$/);
    for (const term of [...same.flat(), ...related.flatMap(([, terms]) => terms)]) {
      expect(term).toMatch(/^[a-z0-9]+( [a-z0-9]+){0,2}$/);
    }
  });

  it("works both ways and keeps the best weight of a pair", () => {
    const t = buildThesaurus();
    const weightOf = (from: string, to: string) => t.get(from)?.find((e) => e.word === to)?.weight;
    expect(weightOf("ticket", "issue")).toBe(0.8);
    expect(weightOf("issue", "ticket")).toBe(0.8);
    expect(weightOf("meeting", "calendar")).toBe(0.6);
    expect(weightOf("calendar", "meeting")).toBe(0.6);
    for (const entries of t.values()) for (const e of entries) expect(e.weight).toBeGreaterThanOrEqual(0.6);
  });
});
