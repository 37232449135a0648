// What a browser sees when a page cannot be shown (an unknown or hidden server, a
// path that does not exist, a rate limit): the status and message in plain words,
// inside the usual layout, instead of the API's JSON error body.
import { escapeHtml } from "./login-page.ts";
import type { ErrorPage } from "../http/error-boundary.ts";
import { webAssets } from "./assets.ts";
import { FAVICON } from "./favicon.ts";
import { pageShell } from "./layout.ts";
import { htmlHeaders } from "../http/page-headers.ts";

const TITLES: Record<number, string> = {
  400: "That request was not understood",
  403: "You may not do that",
  404: "Not found",
  413: "That was too large",
  415: "That format is not accepted",
  429: "Too many requests",
};

export const errorPage: ErrorPage = (ctx, status, message) => {
  const title = TITLES[status] ?? (status >= 500 ? "Something went wrong" : "That did not work");
  const main = `<div class="page-head"><h1>${escapeHtml(title)}</h1></div>
<p class="error-message">${escapeHtml(message)}</p>
<p><a href="/">Back to the servers</a></p>`;
  htmlHeaders(ctx);
  ctx.type = "html";
  const viewer = ctx.state.viewer;
  ctx.body = viewer
    ? pageShell({ title, page: "error", username: viewer.identity.username, main })
    : `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} · MCP Gateway Registry</title>
<link rel="icon" href="${FAVICON}">
<link rel="stylesheet" href="${webAssets().url("app.css")}">
<script src="${webAssets().url("theme.js")}"></script>
</head>
<body>
<main id="main">
${main.replace('<a href="/">Back to the servers</a>', '<a href="/login">Sign in</a>')}
</main>
</body>
</html>`;
};
