// The search capability: ranked search over the documents migration 0011 keeps (one per
// server and per tool, rewritten by triggers in the transaction of every write). One
// statement per search (search_candidates) runs every lexical arm, each capped and
// index-driven, with the caller's visibility in every arm's WHERE, so a restricted caller's
// candidates only ever are their own servers and tools. rank.ts fuses the arms; the optional
// embedding arm joins them when configured and answers in time.
import type { Logger } from "pino";
import { serverPathsAllowed, type Grants } from "../auth/policy.ts";
import { ValidationError } from "../errors.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { fallbackExpander, type Expander } from "./expand-fallback.ts";
import { describe, rank, type Arm, type Candidate, type Kind, type RankedHit } from "./rank.ts";
import { splitWords } from "./words.ts";

export const QUERY_MAX_CHARS = 500;
export const FIRST_DEFAULT = 10;
export const FIRST_MAX = 100;
/** Each arm's candidates; deeper pages raise it, up to CAP_MAX. */
const CAP = 50;
const CAP_MAX = 200;
/** At most this many distinct query words take part (a pasted paragraph is not a query). */
const WORDS_MAX = 24;
/** How many of a server's matching tools its hit carries. */
const MATCHING_TOOLS_MAX = 5;
const EMBED_TIMEOUT_MS = 1_000;
/** Words that say when, never what: a tool's document does not contain them, so they only dilute a query's coverage. */
const TIME_WORDS: ReadonlySet<string> = new Set([
  "today", "tonight", "tomorrow", "yesterday", "now",
  "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
]);

/** The embedding provider as the contract (CONTRACT-16) gives it; absent or disabled means lexical only. */
export type SearchEmbeddings = {
  enabled: boolean;
  embedQuery(text: string, signal: AbortSignal): Promise<Float32Array | null>;
  nearest(
    vector: Float32Array,
    scope: { kinds: Kind[]; serverIds: string[] | null; includeDisabled: boolean },
    k: number,
  ): Promise<{ kind: Kind; refId: string; score: number }[]>;
};

export type SearchDeps = {
  prisma: PrismaClient;
  log: Logger;
  /**
   * The query expander, or a loader of one: a loader runs at the first search (WordNet takes
   * about a second and 20 MB), so a process that never searches never pays for it.
   */
  expander?: Expander | (() => Promise<Expander>);
  embeddings?: SearchEmbeddings;
  embedTimeoutMs?: number;
};

export type SearchRequest = {
  query: string;
  types?: readonly Kind[] | null;
  first?: number | null;
  after?: string | null;
  tags?: readonly string[] | null;
  includeDisabled?: boolean | null;
};

export type ToolHit = RankedHit & { kind: "tool" };
export type ServerHit = RankedHit & { kind: "server"; matchingTools: ToolHit[] };
export type SearchHit = ServerHit | ToolHit;

export type SearchResult = {
  mode: "hybrid" | "lexical-only";
  totalServers: number;
  totalTools: number;
  hits: SearchHit[];
  hasNextPage: boolean;
  endCursor: string | null;
};

export type SearchService = {
  search(grants: Grants, request: SearchRequest): Promise<SearchResult>;
  /** Ids of the servers (or tools) relevant to `text`, best first: what the list filters' `search` adds to substring matches. */
  matchingIds(grants: Grants, text: string, kind: Kind): Promise<string[]>;
};

type Row = {
  kind: Kind;
  ref_id: string;
  server_id: string;
  name: string;
  content: string;
  arms: Arm[];
  ranks: number[];
  scores: number[];
  cov: number;
  scov: number;
  fz: number;
  nwords: number;
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why the query cannot be searched, or null. Checked before anything runs. */
export function queryProblem(query: string): string | null {
  if (query.includes("\u0000")) return "must not contain NUL bytes";
  if (LONE_SURROGATE.test(query)) return "must be valid Unicode (it has a lone surrogate)";
  if (query.length > QUERY_MAX_CHARS) return `must be at most ${QUERY_MAX_CHARS} characters`;
  if (query.trim() === "") return "must not be empty";
  return null;
}

function checkRequest(request: SearchRequest): { first: number; offset: number; types: Kind[] } {
  const problems: { field: string; message: string }[] = [];
  const queryIssue = queryProblem(request.query);
  if (queryIssue) problems.push({ field: "query", message: queryIssue });
  const first = request.first ?? FIRST_DEFAULT;
  if (!Number.isInteger(first) || first < 0 || first > FIRST_MAX) problems.push({ field: "first", message: `must be between 0 and ${FIRST_MAX}` });
  let offset = 0;
  if (request.after != null) {
    const decoded = decodeCursor(request.after);
    if (decoded === null) problems.push({ field: "after", message: "is not a cursor this search returned" });
    else offset = decoded;
  }
  for (const tag of request.tags ?? []) {
    const issue = queryProblem(tag);
    if (issue) problems.push({ field: "filter.tags", message: issue });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  const types: Kind[] = request.types && request.types.length > 0 ? [...new Set(request.types)] : ["server", "tool"];
  return { first, offset, types };
}

export function encodeCursor(offset: number): string {
  return Buffer.from(`search:${offset}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): number | null {
  if (cursor.length > 40) return null;
  const m = /^search:(\d{1,6})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return m ? Number(m[1]) : null;
}

/** The statement's parameters for a query: its words, their expansions, the name arms' text. */
export function statementTerms(query: string, expander: Expander): {
  words: string[];
  synWords: string[];
  synonyms: string[];
  nameQuery: string;
  highlight: string[];
} {
  // When something should happen ("tonight", "on thursday") is an argument of the tool, not
  // what it does: such words are left out unless the query has nothing else.
  const split = splitWords(query);
  const withoutTimes = split.filter((w) => !TIME_WORDS.has(w));
  const all = withoutTimes.length > 0 ? withoutTimes : split;
  const words = [...new Set(all)].slice(0, WORDS_MAX);
  const byWord = new Map<string, Set<string>>(words.map((w) => [w, new Set<string>()]));
  const synonyms = new Set<string>();
  for (const term of expander.expand(query).terms) {
    if (term.source === "query") continue;
    // A multi-word expansion ("pull request") must match as all of its words.
    const parts = splitWords(term.word);
    if (parts.length === 0) continue;
    const expression = parts.length === 1 ? parts[0]! : `(${parts.join(" & ")})`;
    if (words.includes(expression)) continue;
    synonyms.add(expression);
    // WordNet's senses are too loose to vouch for a word (give: yield, afford...): they find candidates
    // and rank them, but only stems and the domain thesaurus count toward covering the query.
    if (term.source === "wordnet") continue;
    for (const of of splitWords(term.of)) byWord.get(of)?.add(expression);
  }
  const synList = [...synonyms].slice(0, WORDS_MAX * 4);
  const kept = new Set(synList);
  return {
    words,
    synWords: words.map((w) => [...byWord.get(w)!].filter((s) => kept.has(s)).join(" | ")),
    synonyms: synList,
    nameQuery: all.slice(0, WORDS_MAX).join(" "),
    highlight: [...words, ...synList.flatMap((s) => splitWords(s))],
  };
}

export function createSearch(deps: SearchDeps): SearchService {
  const given = deps.expander ?? fallbackExpander();
  let loaded: Promise<Expander> | undefined;
  const expanderOnce = (): Promise<Expander> => {
    if (typeof given !== "function") return Promise.resolve(given);
    loaded ??= given().catch((err: unknown) => {
      // Expansion is an arm, not the search: without WordNet, the query's own words still rank.
      deps.log.error({ err: (err as Error).message }, "query expansion is unavailable; searching the query's own words");
      return fallbackExpander();
    });
    return loaded;
  };

  async function candidates(
    grants: Grants,
    query: string,
    opts: { kinds: Kind[]; includeDisabled: boolean; tags: string[] | null; cap: number },
  ): Promise<{ rows: Candidate[]; terms: ReturnType<typeof statementTerms>; vector: boolean }> {
    const terms = statementTerms(query, await expanderOnce());
    const allowed = serverPathsAllowed(grants);
    if (allowed && allowed.exact.length === 0 && allowed.prefixes.length === 0) return { rows: [], terms, vector: false };
    const embedded = deps.embeddings?.enabled ? embedQuery(deps.embeddings, query) : null;
    const rows = await deps.prisma.$queryRawUnsafe<Row[]>(
      `select kind, ref_id::text as ref_id, server_id::text as server_id, name, content, arms, ranks, scores, cov, scov, fz, nwords
       from search_candidates($1, $2, $3, $4::text[], $5::text[], $6, $7, $8::text[], $9, $10::text[], $11::text[], $12::text[], $13)`,
      terms.words.join(" & "),
      terms.words.join(" | "),
      terms.synonyms.join(" | "),
      terms.words,
      terms.synWords,
      terms.nameQuery,
      terms.words.length <= 4 && terms.nameQuery.length >= 3,
      opts.kinds,
      opts.includeDisabled,
      allowed?.exact ?? null,
      allowed?.prefixes ?? [],
      opts.tags,
      opts.cap,
    );
    const out: Candidate[] = rows.map((r) => ({
      kind: r.kind,
      refId: r.ref_id,
      serverId: r.server_id,
      name: r.name,
      content: r.content,
      arms: r.arms.map((arm, i) => ({ arm, rank: r.ranks[i]!, raw: r.scores[i]! })),
      cov: r.cov,
      scov: r.scov,
      fz: r.fz,
      nwords: r.nwords,
    }));
    const vector = embedded ? await vectorCandidates(grants, await embedded, out, opts) : false;
    return { rows: out, terms, vector };
  }

  async function embedQuery(embeddings: SearchEmbeddings, query: string): Promise<Float32Array | null> {
    const signal = AbortSignal.timeout(deps.embedTimeoutMs ?? EMBED_TIMEOUT_MS);
    try {
      return await embeddings.embedQuery(query, signal);
    } catch (err) {
      deps.log.warn({ err }, "query embedding failed; searching lexically");
      return null;
    }
  }

  /** Adds the embedding arm's hits to `rows` (loading documents the lexical arms did not find); false when it did not run. */
  async function vectorCandidates(
    grants: Grants,
    vector: Float32Array | null,
    rows: Candidate[],
    opts: { kinds: Kind[]; includeDisabled: boolean; tags: string[] | null; cap: number },
  ): Promise<boolean> {
    if (!vector || !deps.embeddings) return false;
    const allowed = serverPathsAllowed(grants);
    const serverIds = allowed
      ? (
          await deps.prisma.$queryRawUnsafe<{ id: string }[]>(
            "select id::text as id from servers where path = any($1::text[]) or path like any($2::text[])",
            allowed.exact,
            allowed.prefixes,
          )
        ).map((r) => r.id)
      : null;
    const near = await deps.embeddings.nearest(vector, { kinds: opts.kinds, serverIds, includeDisabled: opts.includeDisabled }, opts.cap);
    const byKey = new Map(rows.map((r) => [`${r.kind}:${r.refId}`, r]));
    const missing = near.filter((n) => !byKey.has(`${n.kind}:${n.refId}`));
    if (missing.length > 0) {
      // The same visibility again: the provider's scope is a hint, this WHERE is the rule.
      const docs = await deps.prisma.$queryRawUnsafe<{ kind: Kind; ref_id: string; server_id: string; name: string; content: string }[]>(
        `select d.kind, d.ref_id::text as ref_id, d.server_id::text as server_id, d.name, d.content
         from search_documents d
         where d.ref_id = any($1::uuid[]) and d.kind = any($2::text[]) and ($3 or d.enabled)
           and ($4::text[] is null or d.path = any($4::text[]) or d.path like any($5::text[]))
           and ($6::text[] is null or exists (select 1 from servers s where s.id = d.server_id and s.tags @> $6::text[]))`,
        missing.map((m) => m.refId),
        opts.kinds,
        opts.includeDisabled,
        allowed?.exact ?? null,
        allowed?.prefixes ?? [],
        opts.tags,
      );
      for (const d of docs) {
        const c: Candidate = { kind: d.kind, refId: d.ref_id, serverId: d.server_id, name: d.name, content: d.content, arms: [], cov: 0, scov: 0, fz: 0, nwords: 0 };
        rows.push(c);
        byKey.set(`${c.kind}:${c.refId}`, c);
      }
    }
    near.forEach((n, i) => byKey.get(`${n.kind}:${n.refId}`)?.arms.push({ arm: "vector", rank: i + 1, raw: n.score }));
    return true;
  }

  return {
    async search(grants, request) {
      const { first, offset, types } = checkRequest(request);
      const tags = request.tags?.map((t) => t.trim().toLowerCase()).filter((t) => t !== "") ?? [];
      const wantServers = types.includes("server");
      const { rows, terms, vector } = await candidates(grants, request.query, {
        // Tools are searched for server hits too: a server rises with its best tool.
        kinds: ["server", "tool"],
        includeDisabled: request.includeDisabled === true,
        tags: tags.length > 0 ? tags : null,
        cap: Math.min(CAP_MAX, Math.max(CAP, offset + first)),
      });
      const ranking = rank(rows, { maxArms: vector ? 6 : 5, wantServers });
      const toolHits = types.includes("tool") ? (ranking.tools as ToolHit[]) : [];
      const serverHits: ServerHit[] = wantServers
        ? ranking.servers.map((s) => ({
            ...s,
            kind: "server",
            matchingTools: ((ranking.toolsByServer.get(s.serverId) ?? []) as ToolHit[]).slice(0, MATCHING_TOOLS_MAX),
          }))
        : [];
      const merged: SearchHit[] = [...serverHits, ...toolHits].sort((a, b) => b.score - a.score || (a.kind === b.kind ? 0 : a.kind === "server" ? -1 : 1));
      const page = merged.slice(offset, offset + first).map((h): SearchHit =>
        h.kind === "tool"
          ? describe(h, terms.highlight)
          : { ...describe(h, terms.highlight), matchingTools: h.matchingTools.map((m) => describe(m, terms.highlight)) },
      );
      const hasNextPage = offset + first < merged.length;
      return {
        mode: vector ? "hybrid" : "lexical-only",
        totalServers: serverHits.length,
        totalTools: toolHits.length,
        hits: page,
        hasNextPage,
        endCursor: page.length > 0 ? encodeCursor(offset + page.length) : null,
      };
    },

    async matchingIds(grants, text, kind) {
      // A filter's text that cannot be searched matches nothing here; the substring match still applies.
      if (queryProblem(text) !== null) return [];
      const { rows } = await candidates(grants, text, { kinds: ["server", "tool"], includeDisabled: true, tags: null, cap: CAP_MAX });
      // A filter narrows a list: every word must match (stems count), or the name must start with the text.
      // Close spellings and partial coverage are for ranked search, where order shows how good a hit is.
      const strict = rows.filter((r) => (r.nwords > 0 && r.cov === r.nwords) || r.arms.some((a) => a.arm === "name"));
      const ranking = rank(strict, { maxArms: 5, wantServers: kind === "server" });
      return (kind === "server" ? ranking.servers.map((s) => s.serverId) : ranking.tools.map((t) => t.refId));
    },
  };
}
