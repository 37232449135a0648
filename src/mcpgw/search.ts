// Which tools answer a natural-language question: the one place search_tools ranks, so
// that a better ranking (the search index) replaces this function and nothing else.
// Today it asks the tools filter (a substring of name or description) once per word of
// the question and ranks tools by how many words they match, names counting double.
import type { McpgwToolFragment } from "../generated/gql/graphql.ts";

/** Words that say nothing about which tool is meant. */
const STOP_WORDS = new Set(
  "a an and any are can could do does for from get give how i in is it me my of on or please show some tell that the this to tool tools use what when where which who with would you".split(" "),
);
const MAX_TERMS = 8;

export type ToolHit = McpgwToolFragment & { score: number };

/** The words of a question worth searching for: lower-case, at least 3 letters, without a plural `s` (not of -ss, -is, -us). */
export function termsOf(query: string): string[] {
  const words = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 3 && !STOP_WORDS.has(w))
    .map((w) => (w.length > 4 && w.endsWith("s") && !/(ss|is|us)$/.test(w) ? w.slice(0, -1) : w));
  return [...new Set(words)].slice(0, MAX_TERMS);
}

/**
 * The best `limit` tools for `query`; `find(term)` lists the tools the caller may see that
 * match one term. Ties go to tools the caller may call, then by server path and name.
 */
export async function rankTools(query: string, limit: number, find: (term: string) => Promise<McpgwToolFragment[]>): Promise<ToolHit[]> {
  const terms = termsOf(query);
  const found = await Promise.all(terms.map(async (term) => ({ term, tools: await find(term) })));
  const hits = new Map<string, ToolHit>();
  for (const { term, tools } of found) {
    for (const tool of tools) {
      const key = `${tool.server.path}\u0000${tool.name}`;
      const hit = hits.get(key) ?? { ...tool, score: 0 };
      hit.score += tool.name.toLowerCase().includes(term) ? 2 : 1;
      hits.set(key, hit);
    }
  }
  return [...hits.values()]
    .sort(
      (a, b) =>
        b.score - a.score ||
        Number(b.callable) - Number(a.callable) ||
        a.server.path.localeCompare(b.server.path) ||
        a.name.localeCompare(b.name),
    )
    .slice(0, limit);
}
