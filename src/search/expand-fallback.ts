// Until src/search/expand.ts (WordNet, the domain thesaurus, stemming) is merged, the search
// runs with this expander: the query's own words and nothing else. The types are the
// contract's (CONTRACT-16), so the real expander drops in where this one is created.
import { splitWords } from "./words.ts";

export type ExpansionTerm = { word: string; weight: number; source: "query" | "stem" | "thesaurus" | "wordnet"; of: string };
export type Expansion = { terms: ExpansionTerm[] };
export type Expander = { expand(query: string): Expansion };

/** The query's words, each weight 1, expanded into nothing. */
export function fallbackExpander(): Expander {
  return {
    expand: (query) => ({ terms: [...new Set(splitWords(query))].map((word) => ({ word, weight: 1, source: "query" as const, of: word })) }),
  };
}
