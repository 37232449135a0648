// The server page (/servers/{path}): what the server is, its health over time as a
// chart (status per check and latency), its capabilities, its tools and the history
// of its tool list, and delete behind a typed confirmation. Health events for this
// server reload the page's data, so the chart grows while the page is open.
import {
  WebDeleteServerDocument,
  WebServerEventsDocument,
  WebServerPageDocument,
  type HealthState,
  type WebServerPageQuery,
} from "../../generated/gql/graphql.ts";
import { transportsFor } from "../../servers/transport.ts";
import { request, subscribe } from "./api.ts";
import { byId, h, pageData, timeEl, toast } from "./dom.ts";
import { connectPanel } from "./connect.ts";
import { startPlayground } from "./playground.ts";

type Server = NonNullable<WebServerPageQuery["server"]>;
type Check = Server["healthHistory"][number];

const HISTORY = 100;
const CHANGES = 50;
const SVG = "http://www.w3.org/2000/svg";

const HEALTH_LABEL: Record<HealthState, string> = {
  HEALTHY: "Healthy",
  UNHEALTHY: "Unhealthy",
  CHECKING: "Checking",
  UNKNOWN: "Unknown",
  DISABLED: "Disabled",
};

/** The UI's address of a server path: each segment encoded, slashes kept. */
export function pagePath(prefix: string, path: string): string {
  return `${prefix}/${path.split("/").filter(Boolean).map(encodeURIComponent).join("/")}`;
}

export function startServerPage(): void {
  const path = pageData<{ path: string }>()?.path ?? "";
  const status = byId("server-status");
  let server: Server | undefined;
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;

  async function load(): Promise<void> {
    try {
      const data = await request(WebServerPageDocument, { path, history: HISTORY, changes: CHANGES });
      if (!data.server) {
        byId("server-title").textContent = "Server not found";
        byId("server-badge").hidden = true;
        byId("server-body").hidden = true;
        status.textContent = `No server is registered at ${path}, or you may not see it.`;
        return;
      }
      server = data.server;
      render(server);
    } catch (err) {
      status.textContent = err instanceof Error ? err.message : "Loading failed.";
    }
  }

  function render(s: Server): void {
    document.title = `${s.name} · MCP Gateway Registry`;
    byId("server-title").textContent = s.name;
    const badge = byId("server-badge");
    badge.className = `badge ${s.health.toLowerCase()}`;
    badge.dataset.health = s.health;
    badge.textContent = HEALTH_LABEL[s.health];
    status.textContent = s.health === "UNHEALTHY" && s.healthReason ? `Unhealthy: ${s.healthReason}` : "";
    renderActions(s);
    byId("server-description").textContent = s.description || "No description.";
    renderFacts(byId("server-info"), [
      ["Path", h("code", {}, s.path)],
      ["Enabled", s.enabled ? "Yes" : "No"],
      ["Transport", transportText(s)],
      ["Upstream URL", h("code", { class: "break" }, s.proxyPassUrl)],
      ["Upstream credential", s.upstreamAuth.type === "NONE" ? "None" : s.upstreamAuth.type === "BEARER" ? "Bearer token (stored encrypted)" : `API key in ${s.upstreamAuth.headerName ?? "a header"} (stored encrypted)`],
      ["Version", s.version || "–"],
      ["License", s.license || "–"],
      ["Tags", s.tags.length > 0 ? h("ul", { class: "tags", "aria-label": "Tags" }, ...s.tags.map((t) => h("li", {}, t))) : "–"],
      ["Last checked", s.lastCheckedAt ? timeEl(s.lastCheckedAt) : "Not checked yet"],
      ["Registered", timeEl(s.createdAt)],
      ["Updated", timeEl(s.updatedAt)],
      ...metadataFacts(s.metadata),
    ]);
    renderHistory(s.healthHistory);
    renderCapabilities(s.serverInfo);
    renderTools(s);
    renderConnect(s);
    renderChanges(s.toolChanges);
    byId("server-body").hidden = false;
  }

  function renderActions(s: Server): void {
    const actions = byId("server-actions");
    const items: Node[] = [];
    items.push(h("a", { class: "button small", href: `/tools?server=${encodeURIComponent(s.path)}` }, "Tools page"));
    if (s.viewerCan.modify) {
      items.push(h("a", { class: "button small", href: pagePath("/edit", s.path), "aria-label": `Edit ${s.name}` }, "Edit"));
      const del = h("button", { type: "button", class: "small danger", id: "delete-open" }, "Delete");
      del.addEventListener("click", () => openDelete(s));
      items.push(del);
    }
    actions.replaceChildren(...items);
  }

  function renderFacts(list: HTMLElement, facts: [string, Node | string][]): void {
    list.replaceChildren(...facts.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  }

  function renderHistory(checks: Check[]): void {
    const summary = byId("history-summary");
    const chart = byId("history-chart");
    const body = byId("history-table").querySelector("tbody")!;
    if (checks.length === 0) {
      summary.textContent = "No checks yet. Checks run while the server is enabled.";
      chart.replaceChildren();
      body.replaceChildren();
      return;
    }
    const healthy = checks.filter((c) => c.status === "HEALTHY").length;
    const latencies = checks.map((c) => c.latencyMs).filter((n): n is number => typeof n === "number");
    const median = latencies.length > 0 ? [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length / 2)]! : null;
    summary.textContent = `Last ${checks.length} check${checks.length === 1 ? "" : "s"}: ${healthy} healthy (${Math.round((healthy / checks.length) * 100)} %)${median !== null ? `, median latency ${median} ms` : ""}.`;
    chart.replaceChildren(historyChart([...checks].reverse()));
    body.replaceChildren(
      ...checks.map((c) =>
        h(
          "tr",
          {},
          h("td", {}, timeEl(c.checkedAt)),
          h("td", {}, h("span", { class: `badge ${c.status.toLowerCase()}` }, HEALTH_LABEL[c.status])),
          h("td", {}, c.latencyMs === null || c.latencyMs === undefined ? "–" : `${c.latencyMs} ms`),
          h("td", {}, c.reason ?? ""),
        ),
      ),
    );
  }

  function renderCapabilities(info: unknown): void {
    const list = byId("server-capabilities");
    const i = (info ?? {}) as { name?: unknown; version?: unknown; protocolVersion?: unknown; capabilities?: Record<string, unknown>; instructions?: unknown };
    if (!info) {
      list.replaceChildren(h("dt", {}, "Not known yet"), h("dd", {}, "The server reports them when a health check connects to it."));
      return;
    }
    const caps = i.capabilities && typeof i.capabilities === "object" ? Object.keys(i.capabilities) : [];
    renderFacts(list, [
      ["Reports itself as", `${typeof i.name === "string" ? i.name : "?"} ${typeof i.version === "string" ? i.version : ""}`.trim()],
      ["Protocol version", typeof i.protocolVersion === "string" ? i.protocolVersion : "–"],
      ["Capabilities", caps.length > 0 ? h("ul", { class: "tags", "aria-label": "Capabilities" }, ...caps.map((c) => h("li", {}, c))) : "none"],
      ...(typeof i.instructions === "string" && i.instructions ? ([["Instructions", h("span", { class: "pre" }, i.instructions)]] as [string, Node][]) : []),
    ]);
  }

  function renderTools(s: Server): void {
    const summary = byId("server-tools-summary");
    summary.replaceChildren(
      s.tools.length === 0
        ? s.lastCheckedAt
          ? "No tools discovered."
          : "Tools are discovered by the first health check."
        : `${s.tools.length} tool${s.tools.length === 1 ? "" : "s"}`,
      s.toolsChangedAt ? h("span", {}, " · ", timeEl(s.toolsChangedAt, "list changed ")) : "",
    );
    byId("server-tools").replaceChildren(
      ...s.tools.map((t) =>
        h(
          "li",
          { class: "tool" },
          h("h3", {}, h("code", {}, t.name), t.title ? h("span", { class: "muted" }, ` · ${t.title}`) : null),
          t.description ? h("p", { class: "description pre" }, t.description) : h("p", { class: "muted" }, "No description."),
        ),
      ),
    );
  }

  // Drawn once per gateway URL and tool list, so that a health event reloading the page's
  // data keeps a token just shown and the arguments being typed.
  let connectKey = "";
  let playgroundKey = "";
  function renderConnect(s: Server): void {
    byId("connect-panel").hidden = !s.viewerCan.use;
    byId("playground-panel").hidden = !s.viewerCan.use || s.tools.length === 0;
    if (!s.viewerCan.use) return;
    if (connectKey !== s.gatewayUrl) {
      connectKey = s.gatewayUrl;
      byId("connect-body").replaceChildren(connectPanel(s, "connect"));
    }
    const tools = JSON.stringify(s.tools.map((t) => [t.name, t.inputSchema]));
    if (s.tools.length > 0 && playgroundKey !== tools) {
      playgroundKey = tools;
      startPlayground(s.path, s.tools);
    }
  }

  function renderChanges(changes: Server["toolChanges"]): void {
    const list = byId("tool-changes");
    if (changes.length === 0) {
      list.replaceChildren(h("li", { class: "muted" }, "No changes recorded."));
      return;
    }
    const verb = { ADDED: "added", CHANGED: "changed", REMOVED: "removed" } as const;
    list.replaceChildren(
      ...changes.map((c) =>
        h("li", { "data-kind": c.kind }, h("span", { class: `change ${c.kind.toLowerCase()}` }, verb[c.kind]), " ", h("code", {}, c.toolName), " ", h("span", { class: "muted" }, timeEl(c.changedAt))),
      ),
    );
  }

  // Delete: the path must be typed exactly, as a deliberate act rather than a slip.
  const dialog = byId<HTMLDialogElement>("delete-dialog");
  const form = byId<HTMLFormElement>("delete-form");
  const confirmInput = byId<HTMLInputElement>("delete-confirm");
  const submit = byId<HTMLButtonElement>("delete-submit");
  const confirmError = byId("delete-confirm-error");
  function openDelete(s: Server): void {
    byId("delete-path").textContent = s.path;
    confirmInput.value = "";
    submit.disabled = true;
    confirmError.hidden = true;
    dialog.showModal();
    confirmInput.focus();
  }
  confirmInput.addEventListener("input", () => {
    submit.disabled = confirmInput.value.trim() !== server?.path;
  });
  byId("delete-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => document.getElementById("delete-open")?.focus());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!server || confirmInput.value.trim() !== server.path) return;
    const target = server;
    submit.disabled = true;
    void (async () => {
      try {
        const { deleteServer: r } = await request(WebDeleteServerDocument, { path: target.path });
        if (r.__typename !== "DeleteServerSuccess") throw new Error(r.message);
        location.assign(`/?deleted=${encodeURIComponent(target.path)}`);
      } catch (err) {
        submit.disabled = false;
        confirmError.textContent = err instanceof Error ? err.message : "Deleting failed.";
        confirmError.hidden = false;
      }
    })();
  });

  subscribe(WebServerEventsDocument, {}, ({ serverEvents: e }) => {
    if (e.path !== path) return;
    if (e.__typename === "LifecycleUpdate" && e.change === "DELETED") {
      toast(`${path} was deleted.`, "error");
      byId("server-body").hidden = true;
      status.textContent = `${path} was deleted.`;
      return;
    }
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => void load(), 300);
  });
  void load();
}

/** The transports the gateway uses for this server, in the order it tries them. */
function transportText(s: Pick<Server, "transport" | "proxyPassUrl">): string {
  const names = transportsFor(s.proxyPassUrl, s.transport).map((t) => (t === "SSE" ? "SSE" : "Streamable HTTP"));
  return s.transport === "AUTO" ? `${names.join(", then ")} (chosen from the URL)` : names.join("");
}

function metadataFacts(metadata: unknown): [string, Node | string][] {
  if (!metadata || typeof metadata !== "object") return [];
  const entries = Object.entries(metadata as Record<string, unknown>);
  if (entries.length === 0) return [];
  return [["Metadata", h("pre", { class: "mono schema", tabindex: "0", "aria-label": "Metadata" }, JSON.stringify(metadata, null, 2))]];
}

/**
 * Status per check as a strip of coloured bars (their height is the latency, on a
 * scale shared by the whole strip) with a time axis; each bar has a title for mouse
 * users, and the table beside it carries the same data for everyone else.
 */
function historyChart(checks: Check[]): SVGSVGElement {
  const width = 640;
  const height = 160;
  const pad = { left: 44, right: 8, top: 10, bottom: 24 };
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const maxLatency = Math.max(1, ...checks.map((c) => c.latencyMs ?? 0));
  const slot = innerW / Math.max(checks.length, 1);
  const barW = Math.max(2, Math.min(18, slot * 0.8));
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "history-svg");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Health of the last ${checks.length} checks, oldest on the left; bar height is latency (up to ${maxLatency} ms).`);
  const el = (name: string, attrs: Record<string, string | number>, text?: string) => {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  el("line", { x1: pad.left, y1: pad.top + innerH, x2: width - pad.right, y2: pad.top + innerH, class: "axis" });
  el("text", { x: pad.left - 6, y: pad.top + 8, "text-anchor": "end", class: "tick" }, `${maxLatency} ms`);
  el("text", { x: pad.left - 6, y: pad.top + innerH, "text-anchor": "end", class: "tick" }, "0");
  checks.forEach((c, i) => {
    const latency = c.latencyMs ?? 0;
    // Failed checks without a latency still get a visible bar.
    const barH = c.latencyMs === null || c.latencyMs === undefined ? innerH * 0.15 : Math.max(3, (latency / maxLatency) * innerH);
    const x = pad.left + i * slot + (slot - barW) / 2;
    const bar = el("rect", { x: x.toFixed(1), y: (pad.top + innerH - barH).toFixed(1), width: barW.toFixed(1), height: barH.toFixed(1), rx: 1.5, class: `bar ${c.status.toLowerCase()}`, "data-status": c.status });
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${new Date(c.checkedAt).toLocaleString()}: ${HEALTH_LABEL[c.status]}${c.latencyMs !== null && c.latencyMs !== undefined ? `, ${c.latencyMs} ms` : ""}${c.reason ? ` (${c.reason})` : ""}`;
    bar.append(title);
  });
  const first = checks[0];
  const last = checks[checks.length - 1];
  if (first) el("text", { x: pad.left, y: height - 6, class: "tick" }, new Date(first.checkedAt).toLocaleTimeString());
  if (last && checks.length > 1) el("text", { x: width - pad.right, y: height - 6, "text-anchor": "end", class: "tick" }, new Date(last.checkedAt).toLocaleTimeString());
  return svg;
}
