// Ranking metrics for the relevance suite: pure functions over a ranked list of ids and
// graded judgments (0-3). NDCG@k uses the exponential gain 2^grade - 1 and a log2
// discount; MRR and Recall@k count an id as relevant at grade >= RELEVANT (2), so a
// merely related hit (grade 1) earns NDCG credit but does not count as the answer.
import { CATEGORIES, CATEGORY_LABELS, type Category } from "./queries.ts";

export const RELEVANT = 2;
export const K = 10;

export type Judged = ReadonlyMap<string, number>;

function gain(grade: number): number {
  return 2 ** grade - 1;
}

function dcg(grades: readonly number[], k: number): number {
  let sum = 0;
  for (let i = 0; i < Math.min(k, grades.length); i += 1) sum += gain(grades[i]!) / Math.log2(i + 2);
  return sum;
}

/** NDCG@k of a ranking; NaN when the judgments hold nothing with a grade above 0. */
export function ndcgAt(ranked: readonly string[], judged: Judged, k = K): number {
  const ideal = dcg([...judged.values()].filter((g) => g > 0).sort((a, b) => b - a), k);
  if (ideal === 0) return Number.NaN;
  return dcg(ranked.map((id) => judged.get(id) ?? 0), k) / ideal;
}

/** 1 / rank of the first relevant id (grade >= RELEVANT), 0 when none is ranked. */
export function reciprocalRank(ranked: readonly string[], judged: Judged, minGrade = RELEVANT): number {
  const at = ranked.findIndex((id) => (judged.get(id) ?? 0) >= minGrade);
  return at < 0 ? 0 : 1 / (at + 1);
}

/** Share of the relevant ids (grade >= RELEVANT) in the first k; NaN when none is relevant. */
export function recallAt(ranked: readonly string[], judged: Judged, k = K, minGrade = RELEVANT): number {
  const relevant = [...judged].filter(([, g]) => g >= minGrade).map(([id]) => id);
  if (relevant.length === 0) return Number.NaN;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

/** One query's answer: the server and tool rankings it got, with its judgments. */
export type Outcome = {
  text: string;
  category: Category;
  servers: { ranked: readonly string[]; judged: Judged };
  tools: { ranked: readonly string[]; judged: Judged };
};

export type KindScores = { queries: number; ndcg: number; mrr: number; recall: number };

export type Row = {
  category: Category | "all";
  label: string;
  queries: number;
  server: KindScores | null;
  tool: KindScores | null;
  /** Answerable queries that got no hit at all (servers or tools), over answerable queries; null when there are none. */
  zeroHit: number | null;
  /** No-answer queries that got no hit at all, over no-answer queries; null when there are none. */
  noAnswer: number | null;
};

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function answerable(o: Outcome): boolean {
  return o.servers.judged.size > 0 || o.tools.judged.size > 0;
}

function hits(o: Outcome): number {
  return o.servers.ranked.length + o.tools.ranked.length;
}

function kindScores(outcomes: readonly Outcome[], kind: "servers" | "tools"): KindScores | null {
  const judged = outcomes.map((o) => o[kind]).filter((r) => [...r.judged.values()].some((g) => g > 0));
  if (judged.length === 0) return null;
  return {
    queries: judged.length,
    ndcg: mean(judged.map((r) => ndcgAt(r.ranked, r.judged))),
    mrr: mean(judged.map((r) => reciprocalRank(r.ranked, r.judged))),
    recall: mean(judged.map((r) => recallAt(r.ranked, r.judged)).filter((v) => !Number.isNaN(v))),
  };
}

export function rowOf(category: Row["category"], label: string, outcomes: readonly Outcome[]): Row {
  const withAnswer = outcomes.filter(answerable);
  const without = outcomes.filter((o) => !answerable(o));
  return {
    category,
    label,
    queries: outcomes.length,
    server: kindScores(outcomes, "servers"),
    tool: kindScores(outcomes, "tools"),
    zeroHit: withAnswer.length === 0 ? null : withAnswer.filter((o) => hits(o) === 0).length / withAnswer.length,
    noAnswer: without.length === 0 ? null : without.filter((o) => hits(o) === 0).length / without.length,
  };
}

/** One row per category that has queries, then the row over all of them. */
export function summarise(outcomes: readonly Outcome[]): Row[] {
  const rows: Row[] = [];
  for (const category of CATEGORIES) {
    const own = outcomes.filter((o) => o.category === category);
    if (own.length > 0) rows.push(rowOf(category, CATEGORY_LABELS[category], own));
  }
  rows.push(rowOf("all", "all", outcomes));
  return rows;
}

export type Targets = { ndcg: number; mrr: number; zeroHitMax: number; noAnswerMin: number };

/** The lexical-only targets. */
export const TARGETS: Targets = { ndcg: 0.7, mrr: 0.75, zeroHitMax: 0.08, noAnswerMin: 0.8 };

/** What in the overall row misses the targets, as sentences; empty when every target is met. */
export function missedTargets(overall: Row, targets: Targets = TARGETS): string[] {
  const missed: string[] = [];
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  for (const [kind, scores] of [["server", overall.server], ["tool", overall.tool]] as const) {
    if (!scores) {
      missed.push(`no ${kind} judgments were scored`);
      continue;
    }
    if (!(scores.ndcg >= targets.ndcg)) missed.push(`${kind} NDCG@10 ${scores.ndcg.toFixed(3)} < ${targets.ndcg}`);
    if (!(scores.mrr >= targets.mrr)) missed.push(`${kind} MRR ${scores.mrr.toFixed(3)} < ${targets.mrr}`);
  }
  if (overall.zeroHit === null || !(overall.zeroHit <= targets.zeroHitMax)) {
    missed.push(`zero-hit rate ${overall.zeroHit === null ? "unmeasured" : pct(overall.zeroHit)} > ${pct(targets.zeroHitMax)}`);
  }
  if (overall.noAnswer === null || !(overall.noAnswer >= targets.noAnswerMin)) {
    missed.push(`no-answer rate ${overall.noAnswer === null ? "unmeasured" : pct(overall.noAnswer)} < ${pct(targets.noAnswerMin)}`);
  }
  return missed;
}

/** The rows as a Markdown table (what BENCHMARKS.md and the test's output show). */
export function markdownTable(rows: readonly Row[]): string {
  const n = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "–" : v.toFixed(3));
  const p = (v: number | null) => (v === null ? "–" : `${(v * 100).toFixed(1)} %`);
  const lines = [
    "| category | queries | server NDCG@10 | server MRR | server Recall@10 | tool NDCG@10 | tool MRR | tool Recall@10 | zero-hit | no-answer |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    const label = r.category === "all" ? "**all**" : r.label;
    lines.push(
      `| ${label} | ${r.queries} | ${n(r.server?.ndcg)} | ${n(r.server?.mrr)} | ${n(r.server?.recall)} | ${n(r.tool?.ndcg)} | ${n(r.tool?.mrr)} | ${n(r.tool?.recall)} | ${p(r.zeroHit)} | ${p(r.noAnswer)} |`,
    );
  }
  return lines.join("\n");
}
