// The Activity page: the audit log as the viewer may see it (admins everyone's, others
// their own), newest first, filtered by actor, server and action, in pages of 50.
import { WebActivityDocument, type AuditEventFilter, type WebActivityQuery } from "../../generated/gql/graphql.ts";
import { ApiError, request } from "./api.ts";
import { byId, h, timeEl } from "./dom.ts";

type Row = WebActivityQuery["auditEvents"]["edges"][number]["node"];
const PAGE = 50;

export function startActivity(): void {
  const form = byId<HTMLFormElement>("activity-filters");
  const body = byId("activity-table").querySelector("tbody")!;
  const status = byId("activity-status");
  const more = byId<HTMLButtonElement>("activity-more");
  let after: string | null = null;
  let generation = 0;

  const filterOf = (): AuditEventFilter => {
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value.trim() || undefined;
    const filter: AuditEventFilter = {};
    const actor = value("actor");
    const serverPath = value("server");
    const action = value("action");
    if (actor) filter.actor = actor;
    if (serverPath) filter.serverPath = serverPath;
    if (action) filter.action = action;
    return filter;
  };

  async function load(reset: boolean): Promise<void> {
    const mine = ++generation;
    if (reset) after = null;
    status.textContent = "Loading…";
    try {
      const data = await request(WebActivityDocument, { first: PAGE, after, filter: filterOf() });
      if (mine !== generation) return;
      const rows = data.auditEvents.edges.map((e) => row(e.node));
      if (reset) body.replaceChildren(...rows);
      else body.append(...rows);
      after = data.auditEvents.pageInfo.endCursor ?? null;
      more.hidden = !data.auditEvents.pageInfo.hasNextPage;
      const shown = body.childElementCount;
      status.textContent = shown === 0 ? "No activity matches." : `${shown} event${shown === 1 ? "" : "s"} shown, newest first.`;
    } catch (err) {
      if (mine !== generation) return;
      status.textContent = err instanceof ApiError ? err.message : "Could not load the activity.";
    }
  }

  let timer: number | undefined;
  form.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void load(true), 250);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    window.clearTimeout(timer);
    void load(true);
  });
  more.addEventListener("click", () => void load(false));
  void load(true);
}

function row(e: Row): HTMLTableRowElement {
  const what = e.tool ? `${e.action} ${e.tool}` : e.action;
  return h(
    "tr",
    { "data-sequence": e.sequence },
    h("td", { "data-label": "When" }, timeEl(e.at)),
    h("td", { "data-label": "Who" }, e.actorName, e.authMethod ? h("span", { class: "muted" }, ` (${e.authMethod})`) : null),
    h("td", { "data-label": "Action" }, what),
    h("td", { "data-label": "Server" }, e.serverPath ?? ""),
    h("td", { "data-label": "Outcome" }, h("span", { class: `badge ${e.outcome === "ok" ? "active" : "revoked"}` }, e.outcome)),
    h("td", { "data-label": "Latency" }, e.latencyMs == null ? "" : `${e.latencyMs} ms`),
  );
}
