// The dashboard: summary counts, search and filters answered by the server one page
// at a time (so 5,000 servers cost one page of DOM), cards whose health badges follow
// the serverEvents subscription, and the register dialog.
import {
  WebCountsDocument,
  WebDashboardDocument,
  WebRefreshDocument,
  WebRegisterDocument,
  WebServerEventsDocument,
  WebToggleDocument,
  WebViewerDocument,
  type HealthState,
  type ServerFilter,
  type WebServerCardFragment,
  type WebServerEventsSubscription,
} from "../../generated/gql/graphql.ts";
import { ApiError, request, subscribe, type LiveState } from "./api.ts";
import { LIMITS } from "../../servers/validate.ts";
import { byId, h, refreshTimes, timeEl, toast } from "./dom.ts";
import { pagePath } from "./server.ts";
import { connectPanel } from "./connect.ts";

const serverPageHref = (path: string) => pagePath("/servers", path);
import { asRegisterInput, focusFirstProblem, formError, readServerForm, showProblems, wireInlineValidation, wireUpstreamFields } from "./server-form.ts";

const PAGE_SIZE = 48;

const HEALTH_LABEL: Record<HealthState, string> = {
  HEALTHY: "Healthy",
  UNHEALTHY: "Unhealthy",
  CHECKING: "Checking",
  UNKNOWN: "Unknown",
  DISABLED: "Disabled",
};

type Card = { server: WebServerCardFragment; el: HTMLLIElement };
type TypedFailure = { __typename: string; message?: string; fieldErrors?: { field: string; message: string }[]; field?: string };

export function startDashboard(): void {
  const list = byId<HTMLUListElement>("servers");
  const status = byId("list-status");
  const filters = byId<HTMLFormElement>("filters");
  const cards = new Map<string, Card>();
  const cursors: (string | null)[] = [null];
  let pageIndex = 0;
  let hasNext = false;
  let total = 0;
  let inFlight: AbortController | undefined;
  let generation = 0;
  let canRegister = false;
  let emptyShown = false;
  // One "Register a server" button at a time: in the empty state's text while nothing is registered, else in the header.
  const showRegisterButtons = () => {
    byId("register-open").hidden = !canRegister || emptyShown;
    byId("empty-register").hidden = !canRegister;
  };

  const filter = (): ServerFilter => {
    const data = new FormData(filters);
    const out: ServerFilter = {};
    const search = String(data.get("search") ?? "").trim();
    const tag = String(data.get("tag") ?? "").trim();
    const health = String(data.get("health") ?? "");
    const enabled = String(data.get("enabled") ?? "");
    if (search) out.search = search;
    if (tag) out.tags = [tag];
    if (health) out.health = [health as HealthState];
    if (enabled) out.enabled = enabled === "true";
    return out;
  };

  async function load(): Promise<void> {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    const mine = ++generation;
    list.setAttribute("aria-busy", "true");
    try {
      const f = filter();
      const data = await request(
        WebDashboardDocument,
        { filter: f, first: PAGE_SIZE, after: cursors[pageIndex] ?? null },
        controller.signal,
      );
      if (mine !== generation) return; // a newer request owns the list
      const { servers } = data;
      total = servers.totalCount;
      hasNext = servers.pageInfo.hasNextPage;
      cursors[pageIndex + 1] = servers.pageInfo.endCursor ?? null;
      renderList(servers.edges.map((e) => e.node), Object.keys(f).length > 0);
    } catch (err) {
      if (controller.signal.aborted) return;
      status.textContent = err instanceof Error ? err.message : "Loading failed.";
    } finally {
      if (mine === generation) list.removeAttribute("aria-busy");
    }
  }

  function renderList(servers: WebServerCardFragment[], filtered: boolean): void {
    cards.clear();
    const fragment = document.createDocumentFragment();
    const tags = new Set<string>();
    for (const server of servers) {
      const el = h("li", { class: "card", "data-path": server.path });
      const card = { server, el };
      cards.set(server.path, card);
      drawCard(card);
      fragment.append(el);
      server.tags.forEach((t) => tags.add(t));
    }
    list.replaceChildren(fragment);
    const datalist = byId("known-tags");
    datalist.replaceChildren(...[...tags].sort().map((t) => h("option", { value: t })));
    emptyShown = total === 0 && !filtered;
    byId("empty").hidden = !emptyShown;
    showRegisterButtons();
    const first = pageIndex * PAGE_SIZE + 1;
    status.textContent =
      total === 0
        ? filtered
          ? "No servers match these filters."
          : ""
        : `Showing ${first.toLocaleString()}–${(first + servers.length - 1).toLocaleString()} of ${total.toLocaleString()} servers`;
    const pager = byId("pager");
    pager.hidden = total <= PAGE_SIZE;
    byId<HTMLButtonElement>("page-prev").disabled = pageIndex === 0;
    byId<HTMLButtonElement>("page-next").disabled = !hasNext;
    byId("page-info").textContent = `Page ${pageIndex + 1} of ${Math.max(1, Math.ceil(total / PAGE_SIZE))}`;
    performance.mark("dashboard-rendered");
  }

  function drawCard(card: Card): void {
    const s = card.server;
    const id = `server-${s.id.replace(/[^a-zA-Z0-9_-]/g, "")}`;
    const pathParam = encodeURIComponent(s.path);
    const editHref = `/edit/${s.path.split("/").filter(Boolean).map(encodeURIComponent).join("/")}`;
    const actions = h("div", { class: "card-actions" });
    if (s.viewerCan.toggle) {
      const toggle = h("input", { type: "checkbox", role: "switch", id: `${id}-enabled`, class: "switch", checked: s.enabled, "aria-label": `${s.name} enabled` });
      toggle.addEventListener("change", () => void onToggle(card, toggle));
      // The visible word says the state; the accessible name says what the switch controls.
      actions.append(h("label", { class: "switch-label", for: `${id}-enabled` }, toggle, h("span", { class: "switch-state", "aria-hidden": "true" }, s.enabled ? "Enabled" : "Disabled")));
    } else {
      actions.append(h("span", { class: "muted" }, s.enabled ? "Enabled" : "Disabled"));
    }
    if (s.viewerCan.refresh) {
      const refresh = h("button", { type: "button", class: "small", "aria-label": `Refresh ${s.name}`, disabled: !s.enabled }, "Refresh");
      refresh.addEventListener("click", () => void onRefresh(card, refresh));
      actions.append(refresh);
    }
    if (s.viewerCan.modify) actions.append(h("a", { class: "button small", href: editHref, "aria-label": `Edit ${s.name}` }, "Edit"));
    if (s.viewerCan.use) {
      const connect = h("button", { type: "button", class: "small", "aria-label": `Connect to ${s.name}`, "aria-haspopup": "dialog" }, "Connect");
      connect.addEventListener("click", () => openConnect(card.server, connect));
      actions.append(connect);
    }
    card.el.replaceChildren(
      h(
        "article",
        { "aria-labelledby": `${id}-name` },
        h(
          "div",
          { class: "card-head" },
          h("h2", { id: `${id}-name`, class: "card-title" }, h("a", { href: serverPageHref(s.path) }, s.name)),
          h("span", { class: `badge ${s.health.toLowerCase()}`, "data-health": s.health }, HEALTH_LABEL[s.health]),
        ),
        h("p", { class: "path" }, h("code", {}, s.path)),
        s.description ? h("p", { class: "description" }, s.description) : null,
        s.tags.length > 0 ? h("ul", { class: "tags", "aria-label": "Tags" }, ...s.tags.map((t) => h("li", {}, t))) : null,
        starsEl(s.numStars),
        h(
          "p",
          { class: "health-line" },
          h("span", { class: "reason" }, s.health === "UNHEALTHY" ? (s.healthReason ?? "unhealthy") : ""),
          h("span", { class: "checked" }, s.lastCheckedAt ? timeEl(s.lastCheckedAt, "Checked ") : "Not checked yet"),
        ),
        h(
          "p",
          { class: "tools-line" },
          h("a", { href: `/tools?server=${pathParam}`, "aria-label": `${s.numTools} tools of ${s.name}` }, h("span", { class: "num-tools" }, String(s.numTools)), ` tool${s.numTools === 1 ? "" : "s"}`),
          // Before the first check the number is what the registration said, not what the server offers.
          s.lastCheckedAt ? null : h("span", { class: "muted declared" }, " (declared; discovered by the first check)"),
        ),
        actions,
      ),
    );
  }

  // One Connect dialog for every card, filled for the card that opened it.
  const connectDialog = byId<HTMLDialogElement>("connect-dialog");
  let connectOpener: HTMLElement | undefined;
  function openConnect(server: WebServerCardFragment, opener: HTMLElement): void {
    connectOpener = opener;
    byId("connect-dialog-name").textContent = server.name;
    byId("connect-dialog-body").replaceChildren(connectPanel(server, "connect-dialog"));
    connectDialog.showModal();
    byId("connect-dialog-close").focus();
  }
  byId("connect-dialog-close").addEventListener("click", () => connectDialog.close());
  connectDialog.addEventListener("close", () => {
    // A token shown in the dialog is not kept once it is closed.
    byId("connect-dialog-body").replaceChildren();
    if (connectOpener?.isConnected) connectOpener.focus();
  });

  function replaceServer(server: WebServerCardFragment): void {
    const card = cards.get(server.path);
    if (!card) return;
    card.server = server;
    drawCard(card);
  }

  async function onToggle(card: Card, toggle: HTMLInputElement): Promise<void> {
    const enabled = toggle.checked;
    toggle.disabled = true;
    try {
      const { toggleServer: r } = await request(WebToggleDocument, { path: card.server.path, enabled });
      if (r.__typename !== "ToggleServerSuccess") throw new ApiError((r as TypedFailure).message ?? "Not allowed");
      replaceServer(r.server);
      toast(`${r.server.name} is ${enabled ? "enabled; checking its health" : "disabled"}.`);
      cards.get(r.server.path)?.el.querySelector<HTMLElement>('input[role="switch"]')?.focus();
      scheduleCounts();
    } catch (err) {
      toggle.checked = !enabled;
      toggle.disabled = false;
      toast(err instanceof Error ? err.message : "Could not change the server.", "error");
    }
  }

  async function onRefresh(card: Card, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = "Refreshing…";
    try {
      const { refreshServer: r } = await request(WebRefreshDocument, { path: card.server.path });
      if (r.__typename !== "RefreshServerSuccess") throw new ApiError((r as TypedFailure).message ?? "Not allowed");
      replaceServer(r.server);
      toast(`${r.server.name}: ${HEALTH_LABEL[r.server.health].toLowerCase()}, ${r.server.numTools} tools.`);
      cards.get(r.server.path)?.el.querySelector<HTMLElement>('button[aria-label^="Refresh"]')?.focus();
    } catch (err) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.textContent = "Refresh";
      toast(err instanceof Error ? err.message : "Refresh failed.", "error");
    }
  }

  // Summary counts: the whole visible registry, refreshed at most once a second while events flow.
  let countsTimer: ReturnType<typeof setTimeout> | undefined;
  async function loadCounts(): Promise<void> {
    countsTimer = undefined;
    try {
      const { serverCounts } = await request(WebCountsDocument, {});
      for (const [key, n] of Object.entries(serverCounts)) {
        const el = document.querySelector(`[data-count="${key}"]`);
        if (el) el.textContent = (n as number).toLocaleString();
      }
    } catch {
      // The next event or reload tries again; the list shows the error if the server is gone.
    }
  }
  function scheduleCounts(): void {
    countsTimer ??= setTimeout(() => void loadCounts(), 1_000);
  }

  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  function scheduleReload(): void {
    reloadTimer ??= setTimeout(() => {
      reloadTimer = undefined;
      void load();
    }, 500);
  }

  function onEvent({ serverEvents: e }: WebServerEventsSubscription): void {
    if (e.__typename === "HealthUpdate") {
      const card = cards.get(e.path);
      if (card) {
        card.server = { ...card.server, health: e.health, healthReason: e.reason ?? null, lastCheckedAt: e.lastCheckedAt ?? null, numTools: e.numTools, enabled: e.health !== "DISABLED" };
        drawCard(card);
      }
      scheduleCounts();
    } else if (e.__typename === "LifecycleUpdate") {
      // Registered or deleted servers move the pages; an update may change what matches.
      scheduleReload();
      scheduleCounts();
    }
  }

  const liveEl = byId("live-state");
  const showLive = (state: LiveState) => {
    liveEl.dataset.state = state;
    liveEl.textContent = state === "live" ? "Live" : state === "connecting" ? "Connecting…" : "Reconnecting…";
  };

  // Search as you type: every keystroke asks the server; older answers are dropped.
  filters.addEventListener("input", () => {
    pageIndex = 0;
    cursors.length = 1;
    void load();
  });
  filters.addEventListener("submit", (e) => e.preventDefault());
  byId("page-prev").addEventListener("click", () => {
    if (pageIndex > 0) pageIndex -= 1;
    void load().then(() => byId("main").scrollIntoView());
  });
  byId("page-next").addEventListener("click", () => {
    if (hasNext) pageIndex += 1;
    void load().then(() => byId("main").scrollIntoView());
  });

  const deleted = new URLSearchParams(location.search).get("deleted");
  if (deleted) {
    toast(`Deleted ${deleted}.`);
    history.replaceState(null, "", "/");
  }
  subscribe(WebServerEventsDocument, {}, onEvent, showLive);
  setInterval(() => refreshTimes(list), 15_000);
  void load();
  void loadCounts();
  void request(WebViewerDocument, {})
    .then(({ viewer }) => {
      if (!viewer.canRegister) return;
      setUpRegister(() => {
        scheduleReload();
        scheduleCounts();
      });
      canRegister = true;
      showRegisterButtons();
    })
    .catch((err: unknown) => toast(`Could not load your permissions: ${(err as Error).message}`, "error"));
}

function setUpRegister(onRegistered: () => void): void {
  const open = byId<HTMLButtonElement>("register-open");
  const dialog = byId<HTMLDialogElement>("register-dialog");
  const form = byId<HTMLFormElement>("register-form");
  const emptyOpen = byId<HTMLButtonElement>("empty-register");
  let opener = open;
  wireUpstreamFields(form, () => form.querySelector<HTMLSelectElement>("#upstream_auth_type")?.value ?? "NONE");
  const inline = wireInlineValidation(form, () => readServerForm(form, "register").problems);
  for (const button of [open, emptyOpen]) {
    button.addEventListener("click", () => {
      opener = button;
      dialog.showModal();
      form.querySelector<HTMLInputElement>("#name")?.focus();
    });
  }
  byId("register-cancel").addEventListener("click", () => dialog.close());
  // The empty state's button is gone once a server is registered: then focus the header's.
  dialog.addEventListener("close", () => (opener.offsetParent === null ? open : opener).focus());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void (async () => {
      formError("register-error", null);
      inline.touchAll();
      const { input, problems } = readServerForm(form, "register");
      showProblems(form, problems);
      if (problems.length > 0) return focusFirstProblem(form);
      const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
      if (submit) submit.disabled = true;
      try {
        const { registerServer: r } = await request(WebRegisterDocument, { input: asRegisterInput(input) });
        if (r.__typename === "RegisterServerSuccess") {
          dialog.close();
          form.reset();
          showProblems(form, []);
          toast(`Registered ${r.server.path}. It starts disabled: switch it on to check its health.`);
          onRegistered();
          return;
        }
        const failure = r as TypedFailure;
        if (failure.fieldErrors) showProblems(form, failure.fieldErrors);
        else if (failure.__typename === "ConflictError") showProblems(form, [{ field: failure.field ?? "path", message: failure.message ?? "is taken" }]);
        else formError("register-error", failure.message ?? "The server refused the registration.");
        focusFirstProblem(form);
      } catch (err) {
        formError("register-error", err instanceof Error ? err.message : "Registration failed.");
      } finally {
        if (submit) submit.disabled = false;
      }
    })();
  });
}

/** The rating as stars: any count is accepted, and more than the cap shows as a full row. */
function starsEl(numStars: number): HTMLElement {
  const shown = Math.min(Math.max(numStars, 0), LIMITS.starsShownMax);
  return h(
    "p",
    { class: "stars", role: "img", "aria-label": `${numStars} star${numStars === 1 ? "" : "s"}`, "data-stars": String(shown) },
    "★".repeat(shown) + "☆".repeat(LIMITS.starsShownMax - shown),
  );
}
