// The tools view: each server's tools with description, annotations and a readable,
// collapsible input schema, and a search over names and descriptions of all servers.
import { WebToolsDocument, type WebToolsQuery } from "../../generated/gql/graphql.ts";
import { request } from "./api.ts";
import { byId, h, timeEl } from "./dom.ts";

type Tool = WebToolsQuery["tools"]["edges"][number]["node"];

const PAGE = 50;

const HINTS: [string, string][] = [
  ["readOnlyHint", "read-only"],
  ["destructiveHint", "destructive"],
  ["idempotentHint", "idempotent"],
  ["openWorldHint", "open world"],
];

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
  let shown = 0;

  async function load(append: boolean): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    if (!append) {
      after = null;
      shown = 0;
      lastSection = undefined;
    }
    out.setAttribute("aria-busy", "true");
    try {
      const { tools } = await request(
        WebToolsDocument,
        { serverPath: server.value.trim() || null, search: search.value.trim() || null, first: PAGE, after },
        mine.signal,
      );
      if (!append) out.replaceChildren();
      for (const { node } of tools.edges) renderTool(node);
      shown += tools.edges.length;
      after = tools.pageInfo.endCursor ?? null;
      more.hidden = !tools.pageInfo.hasNextPage;
      status.textContent =
        tools.totalCount === 0
          ? search.value.trim()
            ? "No tools match this search."
            : "No tools discovered yet. Tools appear once a server is enabled and healthy."
          : `Showing ${shown} of ${tools.totalCount} tools`;
    } catch (err) {
      if (!mine.signal.aborted) status.textContent = err instanceof Error ? err.message : "Loading failed.";
    } finally {
      if (controller === mine) out.removeAttribute("aria-busy");
    }
  }

  function renderTool(tool: Tool): void {
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
    const annotations = (tool.annotations ?? {}) as Record<string, unknown>;
    const chips = HINTS.filter(([key]) => annotations[key] === true).map(([, label]) => h("li", {}, label));
    const titleAnnotation = typeof annotations.title === "string" ? annotations.title : null;
    const schema = (tool.inputSchema ?? {}) as { properties?: Record<string, { type?: unknown; description?: unknown }>; required?: string[] };
    const props = Object.entries(schema.properties ?? {});
    lastSection.list.append(
      h(
        "li",
        { class: "tool" },
        h("h3", {}, h("code", {}, tool.name), tool.title || titleAnnotation ? h("span", { class: "muted" }, ` · ${tool.title ?? titleAnnotation}`) : null),
        tool.description ? h("p", { class: "description pre" }, tool.description) : h("p", { class: "muted" }, "No description."),
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
      ),
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
    }, 120);
  };
  byId("tool-filters").addEventListener("input", onInput);
  byId("tool-filters").addEventListener("submit", (e) => e.preventDefault());
  more.addEventListener("click", () => void load(true));
  void load(false);
}
