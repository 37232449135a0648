// The search page: one box over servers and tools, answered by the GraphQL `search` as the
// user types. Hits come best first, each with its kind, its server, its score and the
// snippet that matched with the matched words marked. ↓ and ↑ move between results.
import { WebSearchDocument, type WebSearchQuery } from "../../generated/gql/graphql.ts";
import { request } from "./api.ts";
import { byId, h } from "./dom.ts";
import { highlighted, scoreEl } from "./highlight.ts";
import { pagePath } from "./server.ts";

type Hit = WebSearchQuery["search"]["hits"][number];

const PAGE = 20;
/** The GraphQL `search` refuses longer queries. */
const QUERY_MAX = 500;
const MATCHING_TOOLS_SHOWN = 3;

export function startSearch(): void {
  const form = byId<HTMLFormElement>("search-form");
  const input = byId<HTMLInputElement>("search-query");
  const disabled = byId<HTMLInputElement>("search-disabled");
  const results = byId<HTMLOListElement>("search-results");
  const status = byId("search-status");
  const errorBox = byId("search-error");
  const empty = byId("search-empty");
  const emptyText = byId("search-empty-text");
  const mode = byId("search-mode");
  const more = byId<HTMLButtonElement>("search-more");
  const params = new URLSearchParams(location.search);
  input.value = (params.get("q") ?? "").slice(0, QUERY_MAX);
  disabled.checked = params.get("disabled") === "1";

  let controller: AbortController | undefined;
  let after: string | null = null;
  let shown = 0;

  function showEmpty(message: string): void {
    results.replaceChildren();
    emptyText.textContent = message;
    empty.hidden = false;
    more.hidden = true;
  }

  async function load(append: boolean): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    const text = input.value.trim();
    errorBox.hidden = true;
    if (!append) {
      after = null;
      shown = 0;
    }
    if (text === "") {
      mode.textContent = "";
      status.textContent = "";
      showEmpty("Describe what you want to do, or type a server or tool name. Results are ranked by how well they fit.");
      return;
    }
    results.setAttribute("aria-busy", "true");
    try {
      const { search } = await request(WebSearchDocument, { query: text, first: PAGE, after, includeDisabled: disabled.checked }, mine.signal);
      if (!append) results.replaceChildren();
      for (const hit of search.hits) results.append(hitItem(hit));
      shown += search.hits.length;
      after = search.pageInfo.endCursor ?? null;
      more.hidden = !search.pageInfo.hasNextPage;
      mode.textContent = search.mode === "HYBRID" ? "Ranked by words and meaning (embeddings)" : "Ranked by words, synonyms and names";
      if (shown === 0) {
        status.textContent = "No results.";
        showEmpty(`Nothing relevant to “${text}”. Try other words, fewer words, or describe the task${disabled.checked ? "" : "; disabled servers are left out unless you include them"}.`);
        return;
      }
      empty.hidden = true;
      status.textContent = `${plural(search.totalServers, "server")} and ${plural(search.totalTools, "tool")} match; showing the best ${shown}.`;
    } catch (err) {
      if (mine.signal.aborted) return;
      results.replaceChildren();
      empty.hidden = true;
      more.hidden = true;
      status.textContent = "";
      errorBox.textContent = `Search failed: ${err instanceof Error ? err.message : "unknown error"}`;
      errorBox.hidden = false;
    } finally {
      if (controller === mine) results.removeAttribute("aria-busy");
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (delay: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const q = new URLSearchParams();
      if (input.value.trim()) q.set("q", input.value.trim());
      if (disabled.checked) q.set("disabled", "1");
      history.replaceState(null, "", `/search${q.size > 0 ? `?${q}` : ""}`);
      void load(false);
    }, delay);
  };
  form.addEventListener("input", () => schedule(200));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    schedule(0);
  });
  more.addEventListener("click", () => void load(true));

  // ↓ from the box goes to the first result; ↓ and ↑ move between results; Escape goes back to the box.
  const links = () => [...results.querySelectorAll<HTMLAnchorElement>("a.hit-link")];
  input.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowDown") return;
    const first = links()[0];
    if (!first) return;
    e.preventDefault();
    first.focus();
  });
  results.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp" && e.key !== "Escape") return;
    const all = links();
    const at = all.indexOf(document.activeElement as HTMLAnchorElement);
    if (at === -1) return;
    e.preventDefault();
    if (e.key === "Escape") return input.focus();
    const next = e.key === "ArrowDown" ? at + 1 : at - 1;
    if (next < 0) input.focus();
    else all[Math.min(next, all.length - 1)]!.focus();
  });

  if (input.value.trim()) void load(false);
  else showEmpty("Describe what you want to do, or type a server or tool name. Results are ranked by how well they fit.");
}

function hitItem(hit: Hit): HTMLLIElement {
  if (hit.__typename === "ServerSearchHit") {
    const { server } = hit;
    const tools = hit.matchingTools.slice(0, MATCHING_TOOLS_SHOWN);
    return h(
      "li",
      { class: "hit panel", "data-kind": "server" },
      h(
        "div",
        { class: "hit-head" },
        h("span", { class: "badge kind" }, "Server"),
        h("h2", { class: "hit-title" }, h("a", { class: "hit-link", href: pagePath("/servers", server.path) }, server.name)),
        scoreEl(hit.score),
      ),
      h("p", { class: "path" }, h("code", {}, server.path), server.enabled ? null : h("span", { class: "badge disabled" }, "disabled")),
      hit.matchContext ? highlighted("p", { class: "context" }, hit.matchContext, hit.matchedTerms) : null,
      tools.length > 0
        ? h(
            "ul",
            { class: "matching-tools", "aria-label": `Matching tools of ${server.name}` },
            ...tools.map((t) =>
              h(
                "li",
                {},
                h("code", {}, t.tool.name),
                " ",
                scoreEl(t.score),
                t.matchContext ? highlighted("span", { class: "context" }, ` ${t.matchContext}`, t.matchedTerms) : null,
              ),
            ),
          )
        : null,
    );
  }
  if (hit.__typename === "ToolSearchHit") {
    return h(
      "li",
      { class: "hit panel", "data-kind": "tool" },
      h(
        "div",
        { class: "hit-head" },
        h("span", { class: "badge kind" }, "Tool"),
        h(
          "h2",
          { class: "hit-title" },
          h("a", { class: "hit-link", href: pagePath("/servers", hit.server.path) }, h("code", {}, hit.tool.name)),
          hit.tool.title ? h("span", { class: "muted" }, ` · ${hit.tool.title}`) : null,
        ),
        scoreEl(hit.score),
      ),
      h("p", { class: "path" }, "on ", hit.server.name, " ", h("code", {}, hit.server.path), hit.server.enabled ? null : h("span", { class: "badge disabled" }, "disabled")),
      hit.matchContext ? highlighted("p", { class: "context" }, hit.matchContext, hit.matchedTerms) : null,
    );
  }
  // A kind this page does not know yet (the interface may grow): its snippet still shows.
  const other: { score: number; matchContext: string; matchedTerms: string[] } = hit;
  return h("li", { class: "hit panel" }, highlighted("p", { class: "context" }, other.matchContext, other.matchedTerms), scoreEl(other.score));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
