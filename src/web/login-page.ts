// The sign-in page: one button per identity provider, and the local admin form
// when it is enabled. Errors are shown in plain words. The sign-in routes (src/auth/routes.ts)
// are handed this renderer, so that auth does not import the web UI.
import type { LoginPageOptions } from "../auth/routes.ts";
import { webAssets } from "./assets.ts";
import { FAVICON } from "./favicon.ts";

/** The web UI's stylesheet and theme script; without them (a failed build) the page still works, unstyled. */
function assetLinks(): string {
  try {
    const assets = webAssets();
    return `<link rel="stylesheet" href="${assets.url("app.css")}">\n<script src="${assets.url("theme.js")}"></script>`;
  } catch {
    return "";
  }
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function loginPage(opts: LoginPageOptions): string {
  const next = opts.next && opts.next !== "/" ? `?next=${encodeURIComponent(opts.next)}` : "";
  const buttons = opts.providers
    .map((p) => `<a class="button provider" href="/auth/${escapeHtml(p.id)}${next}">Sign in with ${escapeHtml(p.displayName)}</a>`)
    .join("\n");
  const local = opts.localLogin
    ? `<form method="post" action="/login" aria-label="Sign in as local administrator">
  <input type="hidden" name="next" value="${escapeHtml(opts.next ?? "/")}">
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" required value="${escapeHtml(opts.username ?? "")}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit" class="primary">Sign in</button>
</form>`
    : "";
  const firstRun = opts.initialAdmin
    ? `<section class="first-run" aria-labelledby="first-run-title">
  <h2 id="first-run-title">First sign-in</h2>
  <p>No sign-in method is configured, so the registry made a local administrator. Sign in as
  <strong>${escapeHtml(opts.initialAdmin)}</strong> with the password printed in the terminal where it started, on the line
  starting <code>Initial admin password for "${escapeHtml(opts.initialAdmin)}"</code> (shown once; only its hash is stored).</p>
  <p>Lost it? Stop the registry and run <code>npm run admin:reset-password</code>, which prints a new one.
  To let people sign in with your identity provider instead, set <code>OIDC_PROVIDERS</code> (or a fixed
  <code>ADMIN_USERNAME</code> and <code>ADMIN_PASSWORD</code>) and restart; the generated administrator then stops working.</p>
</section>`
    : "";
  const nothing =
    !opts.localLogin && opts.providers.length === 0
      ? `<p>No sign-in method is configured. Set <code>OIDC_PROVIDERS</code> or <code>ADMIN_USERNAME</code> and <code>ADMIN_PASSWORD</code>.</p>`
      : "";
  const head = assetLinks();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · MCP Gateway Registry</title>
<link rel="icon" href="${FAVICON}">
${head}
</head>
<body class="login">
<main>
<h1>MCP Gateway Registry</h1>
${opts.error ? `<p role="alert" id="error" class="form-error">${escapeHtml(opts.error)}</p>` : ""}
${opts.notice ? `<p role="status" id="notice" class="notice">${escapeHtml(opts.notice)}</p>` : ""}
${buttons}
${buttons && local ? "<hr>" : ""}
${firstRun}
${local}
${nothing}
</main>
</body>
</html>`;
}
