// The HTML around every page of the web UI: head (hashed assets, theme before
// first paint), header with navigation, theme switch and sign-out, and a <main>
// that the page fills. Pages are static HTML that the client script brings to life.
import { escapeHtml } from "./login-page.ts";
import { webAssets } from "./assets.ts";
import { FAVICON } from "./favicon.ts";

export type PageName = "dashboard" | "server" | "tools" | "search" | "tokens" | "activity" | "edit" | "error";

const NAV: { page: PageName; href: string; label: string }[] = [
  { page: "dashboard", href: "/", label: "Servers" },
  { page: "tools", href: "/tools", label: "Tools" },
  { page: "tokens", href: "/tokens", label: "Tokens" },
  { page: "activity", href: "/activity", label: "Activity" },
];

// Works without the script (a plain GET); the search page has its own, larger box.
const SEARCH_BOX = `<form class="topbar-search" role="search" action="/search" method="get" aria-label="Search servers and tools">
    <label for="site-search" class="visually-hidden">Search servers and tools</label>
    <input id="site-search" name="q" type="search" maxlength="500" autocomplete="off" placeholder="Search servers and tools…">
  </form>`;

export function pageShell(opts: {
  title: string;
  page: PageName;
  username: string;
  main: string;
  /** Values the client reads at start (JSON, never executed). */
  data?: unknown;
}): string {
  const assets = webAssets();
  const nav = NAV.map(
    (n) => `<li><a href="${n.href}"${n.page === opts.page ? ' aria-current="page"' : ""}>${n.label}</a></li>`,
  ).join("");
  const data =
    opts.data === undefined
      ? ""
      : // JSON inside <script> is safe once "<" cannot close the element.
        `<script type="application/json" id="page-data">${JSON.stringify(opts.data).replace(/</g, "\\u003c")}</script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(opts.title)} · MCP Gateway Registry</title>
<link rel="icon" href="${FAVICON}">
<link rel="stylesheet" href="${assets.url("app.css")}">
<script src="${assets.url("theme.js")}"></script>
<script src="${assets.url("app.js")}" defer></script>
</head>
<body data-page="${opts.page}">
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="/">MCP Gateway Registry</a>
  <nav aria-label="Main"><ul>${nav}</ul></nav>
${opts.page === "search" ? "" : SEARCH_BOX}
  <div class="topbar-end">
    <button type="button" class="ghost" id="theme-toggle" aria-label="Colour theme: system">Theme: system</button>
    <span class="who" title="Signed in">${escapeHtml(opts.username)}</span>
    <form method="post" action="/logout"><button type="submit" class="ghost">Sign out</button></form>
  </div>
</header>
<main id="main" tabindex="-1">
${opts.main}
</main>
<div id="toast" class="toast" role="status" aria-live="polite"></div>
${data}
</body>
</html>`;
}
