// The tools view: each server's tools with description, annotations and a readable,
// collapsible input schema. With search text, the tools that best fit it by meaning
// (the GraphQL `search` over tools), best first, each with its server, its score and the
// matched words highlighted; without, every tool grouped by server.
import { WebToolSearchDocument, WebToolsDocument, type WebToolFragment } from "../../generated/gql/graphql.ts";
import { request } from "./api.ts";
import { byId, h, timeEl } from "./dom.ts";
import { highlighted, scoreEl } from "./highlight.ts";

const PAGE = 50;
/** The search has no server filter: with a server path, its best hits are filtered here. */
const SEARCH_WITH_SERVER = 100;

const HINTS: [string, string][] = [
  ["readOnlyHint", "read-only"],
  ["destructiveHint", "destructive"],
  ["idempotentHint", "idempotent"],
  ["openWorldHint", "open world"],
];

type Ranked = { score: number; matchContext: string; matchedTerms: string[] };

export function startTools(): void {
  const params = new URLSearchParams(location.search);
  const search = byId<HTMLInputElement>("tool-search");
  const server = byId<HTMLInputElement>("tool-server");
  const out = byId("tools");
  const status = byId("tools-status");
  const more = byId<HTMLButtonElement>("tools-more");
  search.value = params.get("search") ?? "";
  server.value = params.get("server") ?? "";
  let after: string | null = null;
  let controller: AbortController | undefined;
  let lastSection: { path: string; list: HTMLElement } | undefined;
  let ranked: HTMLOListElement | undefined;
  let shown = 0;

  async function load(append: boolean): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    if (!append) {
      after = null;
      shown = 0;
      lastSection = undefined;
      ranked = undefined;
    }
    out.setAttribute("aria-busy", "true");
    try {
      const text = search.value.trim();
      const path = server.value.trim();
      if (text) await loadRanked(text, path, append, mine.signal);
      else await loadAll(path, append, mine.signal);
    } catch (err) {
      if (!mine.signal.aborted) status.textContent = err instanceof Error ? err.message : "Loading failed.";
    } finally {
      if (controller === mine) out.removeAttribute("aria-busy");
    }
  }

  async function loadAll(path: string, append: boolean, signal: AbortSignal): Promise<void> {
    const { tools } = await request(WebToolsDocument, { serverPath: path || null, first: PAGE, after }, signal);
    if (!append) out.replaceChildren();
    for (const { node } of tools.edges) renderGrouped(node);
    shown += tools.edges.length;
    after = tools.pageInfo.endCursor ?? null;
    more.hidden = !tools.pageInfo.hasNextPage;
    status.textContent =
      tools.totalCount === 0 ? "No tools discovered yet. Tools appear once a server is enabled and healthy." : `Showing ${shown} of ${tools.totalCount} tools`;
  }

  async function loadRanked(text: string, path: string, append: boolean, signal: AbortSignal): Promise<void> {
    const onePath = normalized(path);
    const { search: result } = await request(WebToolSearchDocument, { query: text, first: onePath ? SEARCH_WITH_SERVER : PAGE, after: onePath ? null : after }, signal);
    if (!append) {
      ranked = h("ol", { class: "tool-list ranked", "aria-label": "Tools, best match first" });
      out.replaceChildren(ranked);
    }
    const hits = result.hits.flatMap((hit) => (hit.__typename === "ToolSearchHit" && (!onePath || hit.tool.server.path === onePath) ? [{ ...hit, tool: hit.tool }] : []));
    for (const hit of hits) ranked!.append(toolItem(hit.tool, hit));
    shown += hits.length;
    after = result.pageInfo.endCursor ?? null;
    more.hidden = onePath !== null || !result.pageInfo.hasNextPage;
    status.textContent =
      shown === 0
        ? onePath
          ? `No tools of ${onePath} fit this search.`
          : "No tools fit this search. Try other words, or describe the task."
        : onePath
          ? `${shown} tool${shown === 1 ? "" : "s"} of ${onePath} fit this search, best first`
          : `Showing the ${shown} best of ${result.totalTools} matching tools`;
  }

  function renderGrouped(tool: WebToolFragment): void {
    if (lastSection?.path !== tool.server.path) {
      const list = h("ul", { class: "tool-list" });
      const headingId = `srv-${out.children.length}`;
      out.append(
        h(
          "section",
          { class: "tool-server panel", "aria-labelledby": headingId },
          h("h2", { id: headingId }, tool.server.name, " ", h("code", {}, tool.server.path)),
          h("p", { class: "muted" }, tool.server.toolsChangedAt ? timeEl(tool.server.toolsChangedAt, "Tool list last changed ") : "Tool list not changed since it was first read"),
          list,
        ),
      );
      lastSection = { path: tool.server.path, list };
    }
    lastSection.list.append(toolItem(tool));
  }

  function toolItem(tool: WebToolFragment, hit?: Ranked): HTMLLIElement {
    const annotations = (tool.annotations ?? {}) as Record<string, unknown>;
    const chips = HINTS.filter(([key]) => annotations[key] === true).map(([, label]) => h("li", {}, label));
    const titleAnnotation = typeof annotations.title === "string" ? annotations.title : null;
    const schema = (tool.inputSchema ?? {}) as { properties?: Record<string, { type?: unknown; description?: unknown }>; required?: string[] };
    const props = Object.entries(schema.properties ?? {});
    // Ranked hits come from many servers, so each names its own; grouped ones sit under their server's heading.
    const heading = hit ? "h2" : "h3";
    return h(
      "li",
      { class: hit ? "tool panel hit" : "tool" },
      h(
        heading,
        { class: hit ? "hit-title" : null },
        h("code", {}, tool.name),
        tool.title || titleAnnotation ? h("span", { class: "muted" }, ` · ${tool.title ?? titleAnnotation}`) : null,
        hit ? scoreEl(hit.score) : null,
      ),
      hit ? h("p", { class: "path" }, "on ", tool.server.name, " ", h("code", {}, tool.server.path)) : null,
      // A snippet cut from the description is shown as the description itself, highlighted, not twice.
      hit && hit.matchContext && !snippetOf(tool.description, hit.matchContext) ? highlighted("p", { class: "context" }, hit.matchContext, hit.matchedTerms) : null,
      tool.description
        ? hit
          ? highlighted("p", { class: "description pre" }, tool.description, hit.matchedTerms)
          : h("p", { class: "description pre" }, tool.description)
        : h("p", { class: "muted" }, "No description."),
      chips.length > 0 ? h("ul", { class: "tags", "aria-label": "Annotations" }, ...chips) : null,
      h(
        "details",
        {},
        h("summary", {}, `Input schema (${props.length} parameter${props.length === 1 ? "" : "s"})`),
        props.length > 0
          ? h(
              "dl",
              { class: "params" },
              ...props.flatMap(([name, p]) => [
                h("dt", {}, h("code", {}, name), ` ${typeof p.type === "string" ? p.type : "any"}`, schema.required?.includes(name) ? h("span", { class: "req" }, " required") : null),
                h("dd", {}, typeof p.description === "string" ? p.description : ""),
              ]),
            )
          : null,
        h("pre", { class: "mono schema", tabindex: "0", "aria-label": `JSON schema of ${tool.name}` }, JSON.stringify(tool.inputSchema, null, 2)),
      ),
      h("p", { class: "muted small" }, timeEl(tool.updatedAt, "Updated ")),
    );
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  const onInput = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const q = new URLSearchParams();
      if (search.value.trim()) q.set("search", search.value.trim());
      if (server.value.trim()) q.set("server", server.value.trim());
      history.replaceState(null, "", `/tools${q.size > 0 ? `?${q}` : ""}`);
      void load(false);
    }, 150);
  };
  byId("tool-filters").addEventListener("input", onInput);
  byId("tool-filters").addEventListener("submit", (e) => e.preventDefault());
  more.addEventListener("click", () => void load(true));
  void load(false);
}

/** Whether `snippet` (which may start or end with an ellipsis) was cut from `text`. */
function snippetOf(text: string, snippet: string): boolean {
  const core = snippet.replace(/^\s*(?:…|\.\.\.)\s*|\s*(?:…|\.\.\.)\s*$/g, "");
  return core !== "" && text.includes(core);
}

/** A server path as the registry stores it (leading slash, no trailing one); null for none. */
function normalized(path: string): string | null {
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return null;
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}
