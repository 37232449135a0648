// Small DOM helpers: elements built with textContent (never innerHTML with data), times, and a status toast.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "number" ? String(child) : child);
  }
  return el;
}

/** The element with this id; a missing one is a bug in the page, so say which. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

const UNITS: [number, string][] = [
  [86_400_000, "day"],
  [3_600_000, "hour"],
  [60_000, "minute"],
  [1_000, "second"],
];

/** "just now", "5 minutes ago", "in 2 days" ("never" for null). */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const diff = new Date(iso).getTime() - now;
  const abs = Math.abs(diff);
  if (abs < 5_000) return "just now";
  const [ms, unit] = UNITS.find(([size]) => abs >= size) ?? UNITS[UNITS.length - 1]!;
  const n = Math.round(abs / ms);
  const words = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return diff < 0 ? `${words} ago` : `in ${words}`;
}

/** A <time> that refreshTimes() keeps current. */
export function timeEl(iso: string | null | undefined, prefix = ""): HTMLTimeElement {
  const el = h("time", iso ? { datetime: iso, title: new Date(iso).toLocaleString() } : {});
  el.dataset.prefix = prefix;
  el.textContent = `${prefix}${relativeTime(iso)}`;
  return el;
}

export function refreshTimes(root: ParentNode = document): void {
  const now = Date.now();
  root.querySelectorAll<HTMLTimeElement>("time[datetime]").forEach((el) => {
    el.textContent = `${el.dataset.prefix ?? ""}${relativeTime(el.dateTime, now)}`;
  });
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** Announces a result politely (role=status) and shows it for a few seconds. */
export function toast(message: string, kind: "info" | "error" = "info"): void {
  const el = byId("toast");
  el.textContent = message;
  el.dataset.kind = kind;
  el.classList.add("show");
  document.body.classList.add("toast-open");
  // After the caller has moved focus where it belongs (actions re-render what they changed).
  requestAnimationFrame(() => keepClearOf(el));
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.classList.remove("show");
    document.body.classList.remove("toast-open");
  }, 5_000);
}

/**
 * The toast sits at the bottom of the window; the panel the user is working in
 * (around the focused element) is scrolled up so that the toast never covers it.
 * The page reserves room at its end (body.toast-open), so there is always room to scroll.
 */
function keepClearOf(toastEl: HTMLElement): void {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || active === document.body) return;
  if (active.closest("dialog")) return; // a modal dialog is drawn above the toast
  const panel = active.closest<HTMLElement>(".panel, .card, .token-result, section") ?? active;
  const toastTop = window.innerHeight - toastEl.offsetHeight - 16;
  const rect = panel.getBoundingClientRect();
  const overlap = rect.bottom - toastTop + 8;
  if (overlap <= 0) return;
  // Never scroll the panel's top out of view to clear its bottom: then clear the focused element only.
  const by = rect.top - overlap >= 0 ? overlap : Math.max(0, active.getBoundingClientRect().bottom - toastTop + 8);
  if (by > 0) window.scrollBy({ top: by, behavior: "instant" as ScrollBehavior });
}

export function pageData<T>(): T | undefined {
  const el = document.getElementById("page-data");
  return el?.textContent ? (JSON.parse(el.textContent) as T) : undefined;
}
