// Pure ranking: the search statement (search_candidates, migration 0011) gives each
// candidate document its place and raw score in every arm that found it; this module turns
// those into one relevance in [0, 1], drops what falls below the floor, lets a server rise
// with its best tool, and cuts the snippet and the matched words the UI highlights.
import { splitWords } from "./words.ts";

export type Arm = "all" | "any" | "syn" | "trgm" | "name" | "vector";
export type Kind = "server" | "tool";

export type Candidate = {
  kind: Kind;
  refId: string;
  serverId: string;
  name: string;
  content: string;
  /** Each arm that found it: its 1-based place there and the arm's raw score. */
  arms: { arm: Arm; rank: number; raw: number }[];
  /** Query words (each counted once, stems included) the document contains. */
  cov: number;
  /** Query words it does not contain but whose expansions it does. */
  scov: number;
  /** Query words it does not contain but its name spells closely (typos). */
  fz: number;
  /** Query words that can match at all (stop words left out). */
  nwords: number;
};

export type RankedHit = {
  kind: Kind;
  refId: string;
  serverId: string;
  score: number;
  /** Filled by describe(), for the hits a page shows only: cutting snippets for every candidate cost more than ranking them. */
  matchContext: string;
  matchedTerms: string[];
  /** The document that gives the snippet (a server found through its tool: the tool's). */
  content: string;
  /** More documents whose matched words count too (a server's own, when its tool scored it higher). */
  alsoContent?: string;
};

/** Reciprocal rank fusion's constant: the usual 60 (Cormack et al.). */
export const RRF_K = 60;
/** Below this a document is not relevant to the query; a query with nothing above it gets no hits. */
export const FLOOR = 0.45;
/** A server found through its tool scores this share of the tool's score. */
export const SERVER_FROM_TOOL = 0.9;
/** Share of the final score that comes from rank fusion (the rest is the best arm's relevance). */
const FUSION_SHARE = 0.2;
const ARM_WEIGHT: Record<Arm, number> = { all: 1, any: 1, syn: 0.6, trgm: 0.8, name: 1, vector: 1 };
export const SNIPPET_MAX = 200;
/** Words a document needs to cover for full coverage of a longer query (when it covers two or more). */
export const LONG_QUERY_WORDS = 4;

/** Relevance in [0, 1] an arm alone gives this candidate. */
export function armRelevance(c: Pick<Candidate, "cov" | "scov" | "fz" | "nwords">, arm: Arm, raw: number): number {
  // A word its name spells closely counts nearly as the word itself. A long query often asks
  // for several things ("pods crashing after deploy, check logs and events"), each answered by
  // a different document: one that covers at least two of its words is measured against
  // LONG_QUERY_WORDS of them, not all.
  const covered = c.cov + 0.8 * c.fz;
  const outOf = c.nwords > LONG_QUERY_WORDS && covered >= 2 ? LONG_QUERY_WORDS : c.nwords;
  const coverage = c.nwords === 0 ? 0 : Math.min(1, covered / outOf);
  // A word matched only through its expansions counts 0.7 of the word itself.
  const synCoverage = c.nwords === 0 ? 0 : Math.min(1, (c.cov + 0.8 * c.fz + 0.7 * c.scov) / c.nwords);
  const strength = clamp01(raw * 4);
  switch (arm) {
    case "all":
      return c.nwords === 0 ? 0 : 0.8 + 0.2 * strength;
    case "any":
      // Half the words, however strongly, is barely relevant: "order a pizza for the team" is not about team orders.
      return coverage * (0.65 + 0.3 * strength);
    case "syn":
      // Its own floor is lower than the words' (0.7 x 0.75, about 0.5): a paraphrase shares no word with its answer.
      return synCoverage * (0.75 + 0.25 * strength);
    case "trgm":
      // A word similarity of 0.5 (the statement's threshold; one typo in a short name) is just above the floor, 1 is the name
      // itself; the other query words must be there too.
      return clamp01(FLOOR + 0.01 + (raw - 0.5) * 1.1) * (c.nwords <= 1 ? 1 : coverage);
    case "name":
      return raw >= 1 ? 1 : 0.85;
    case "vector":
      return clamp01(raw);
  }
}

/** The candidate's relevance and fused score; null when it is below the floor. */
export function scoreOf(c: Candidate, maxArms: number): number | null {
  let best = 0;
  let rrf = 0;
  for (const a of c.arms) {
    best = Math.max(best, armRelevance(c, a.arm, a.raw));
    rrf += ARM_WEIGHT[a.arm] / (RRF_K + a.rank);
  }
  if (best < FLOOR) return null;
  const rrfMax = maxArms / (RRF_K + 1);
  return round(clamp01((1 - FUSION_SHARE) * best + FUSION_SHARE * Math.min(1, rrf / rrfMax)));
}

export type Ranking = { servers: RankedHit[]; tools: RankedHit[]; toolsByServer: Map<string, RankedHit[]> };

/**
 * Scores every candidate, keeps those above the floor, and gives each server the better of
 * its own score and SERVER_FROM_TOOL x its best tool's (a server only its tools found
 * takes that tool's snippet).
 */
export function rank(candidates: readonly Candidate[], opts: { maxArms: number; wantServers: boolean }): Ranking {
  const tools: RankedHit[] = [];
  const servers = new Map<string, RankedHit>();
  const toolsByServer = new Map<string, RankedHit[]>();
  for (const c of candidates) {
    const score = scoreOf(c, opts.maxArms);
    if (score === null) continue;
    const hit: RankedHit = { kind: c.kind, refId: c.refId, serverId: c.serverId, score, matchContext: "", matchedTerms: [], content: c.content };
    if (c.kind === "server") servers.set(c.serverId, hit);
    else {
      tools.push(hit);
      const list = toolsByServer.get(c.serverId) ?? [];
      list.push(hit);
      toolsByServer.set(c.serverId, list);
    }
  }
  for (const list of toolsByServer.values()) list.sort(byScore);
  if (opts.wantServers) {
    for (const [serverId, list] of toolsByServer) {
      const best = list[0]!;
      // A relevant tool makes its server relevant: never below the floor the tool passed.
      const fromTool = Math.max(FLOOR, round(best.score * SERVER_FROM_TOOL));
      const own = servers.get(serverId);
      if (!own) {
        servers.set(serverId, { ...best, kind: "server", refId: serverId, score: fromTool });
      } else if (fromTool > own.score) {
        servers.set(serverId, { ...own, score: fromTool, alsoContent: best.content });
      }
    }
  }
  return { servers: [...servers.values()].sort(byScore), tools: tools.sort(byScore), toolsByServer };
}

/** The hit with its snippet and matched words (`terms`: the query's words and expansions). */
export function describe<H extends RankedHit>(hit: H, terms: readonly string[]): H {
  const matchedTerms = matchedTermsOf(hit.content, terms);
  const also = hit.alsoContent === undefined ? [] : matchedTermsOf(hit.alsoContent, terms);
  return { ...hit, matchedTerms: union(matchedTerms, also), matchContext: snippetOf(hit.content, matchedTerms) };
}

function byScore(a: RankedHit, b: RankedHit): number {
  return b.score - a.score || a.kind.localeCompare(b.kind) || a.refId.localeCompare(b.refId);
}

/**
 * Whether a document word matches a query term: equal, or sharing a prefix long enough to
 * be the same stem (event/events, schedule/scheduling, meet/meeting; not invoice/invoke).
 */
export function sameWord(word: string, term: string): boolean {
  if (word === term) return true;
  const shorter = Math.min(word.length, term.length);
  if (shorter < 4) return false;
  let common = 0;
  while (common < shorter && word[common] === term[common]) common++;
  return common >= Math.max(4, shorter - 1);
}

// Identifiers stay whole (create_event): the UI highlights the name the reader sees.
const TOKEN = /[\p{L}\p{N}_]+/gu;

/** The document's words (as written in it, first occurrence) that match a query term. */
export function matchedTermsOf(content: string, terms: readonly string[]): string[] {
  const wanted = [...new Set(terms.map((t) => t.toLowerCase()).filter((t) => t !== ""))];
  if (wanted.length === 0) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of content.matchAll(TOKEN)) {
    const token = m[0];
    if (seen.has(token)) continue;
    seen.add(token);
    if (splitWords(token).some((w) => wanted.some((t) => sameWord(w, t)))) out.push(token);
    if (out.length >= 20) break;
  }
  return out;
}

/**
 * Up to SNIPPET_MAX characters of plain text around what matched: the document line with
 * the most matched words (its first line, the name, when nothing matched by word).
 */
export function snippetOf(content: string, matchedTerms: readonly string[]): string {
  const lines = content.split("\n").map((l) => l.replace(/\s+/g, " ").trim()).filter((l) => l !== "");
  if (lines.length === 0) return "";
  if (matchedTerms.length === 0) return cut(lines[0]!, []);
  const tokensOf = (line: string) => new Set(Array.from(line.matchAll(TOKEN), (m) => m[0]));
  let best = 0;
  let bestCount = -1;
  lines.forEach((line, i) => {
    const tokens = tokensOf(line);
    // The first line is the name: a description line that matches as much says more.
    const count = matchedTerms.filter((t) => tokens.has(t)).length - (i === 0 ? 0.5 : 0);
    if (count > bestCount) {
      best = i;
      bestCount = count;
    }
  });
  return cut(lines[best]!, matchedTerms);
}

function cut(line: string, matchedTerms: readonly string[]): string {
  if (line.length <= SNIPPET_MAX) return line;
  const first = matchedTerms.map((t) => line.indexOf(t)).filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? 0;
  const start = Math.max(0, Math.min(first - 40, line.length - (SNIPPET_MAX - 2)));
  const body = line.slice(start, start + SNIPPET_MAX - 2);
  return `${start > 0 ? "…" : ""}${body}${start + body.length < line.length ? "…" : ""}`.slice(0, SNIPPET_MAX);
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
