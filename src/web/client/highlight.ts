// Marks the words a search matched inside a snippet, as DOM nodes: the snippet and the
// terms are data, so they become text nodes and <mark> elements, never markup.
import { h } from "./dom.ts";

export type Part = { text: string; mark: boolean };

/** Terms past this many add nothing a reader can see, and cost a longer pattern. */
const MAX_TERMS = 32;

/**
 * `text` cut into marked and unmarked runs: a term is marked where a word starts with it
 * (case-insensitive), so "forecast" marks the start of "Forecasts" but not "preforecast".
 * Longer terms win where two start at the same place.
 */
export function markedParts(text: string, terms: readonly string[]): Part[] {
  const words = [...new Set(terms.map((t) => t.trim().toLowerCase()).filter((t) => t !== ""))]
    .sort((a, b) => b.length - a.length)
    .slice(0, MAX_TERMS);
  if (words.length === 0 || text === "") return text === "" ? [] : [{ text, mark: false }];
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(escapeRegExp).join("|")})`, "giu");
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    if (start > last) parts.push({ text: text.slice(last, start), mark: false });
    parts.push({ text: match[0], mark: true });
    last = start + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), mark: false });
  return parts;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A <p> (or another element) holding `text` with the matched terms in <mark>. */
export function highlighted<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string>, text: string, terms: readonly string[]): HTMLElementTagNameMap[K] {
  return h(tag, attrs, ...markedParts(text, terms).map((p) => (p.mark ? h("mark", {}, p.text) : p.text)));
}

/** A relevance score in [0, 1] as two decimals, with words for screen readers. */
export function scoreEl(score: number): HTMLElement {
  const shown = Math.max(0, Math.min(1, score)).toFixed(2);
  return h("span", { class: "score", title: "Relevance, from 0 to 1" }, h("span", { class: "visually-hidden" }, "relevance "), shown);
}
