// The sign-in page: one button per identity provider, and the local admin form
// when it is enabled. Errors are shown in plain words.
import type { OidcProviderConfig } from "../config.ts";
import { FAVICON } from "../web/favicon.ts";

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function loginPage(opts: {
  providers: OidcProviderConfig[];
  localLogin: boolean;
  error?: string;
  notice?: string;
  next?: string;
  username?: string;
}): string {
  const next = opts.next && opts.next !== "/" ? `?next=${encodeURIComponent(opts.next)}` : "";
  const buttons = opts.providers
    .map((p) => `<a class="button" href="/auth/${escapeHtml(p.id)}${next}">Sign in with ${escapeHtml(p.displayName)}</a>`)
    .join("\n");
  const local = opts.localLogin
    ? `<form method="post" action="/login" aria-label="Sign in as local administrator">
  <input type="hidden" name="next" value="${escapeHtml(opts.next ?? "/")}">
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" required value="${escapeHtml(opts.username ?? "")}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>`
    : "";
  const nothing =
    !opts.localLogin && opts.providers.length === 0
      ? `<p>No sign-in method is configured. Set <code>OIDC_PROVIDERS</code> or <code>ADMIN_USERNAME</code> and <code>ADMIN_PASSWORD</code>.</p>`
      : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · MCP Gateway Registry</title>
<link rel="icon" href="${FAVICON}">
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { display: grid; place-items: center; min-height: 100vh; margin: 0; background: Canvas; color: CanvasText; }
  main { width: min(24rem, 90vw); }
  h1 { font-size: 1.4rem; }
  .button, button { display: block; width: 100%; box-sizing: border-box; padding: .7rem; margin: .5rem 0; border-radius: .4rem;
    border: 1px solid #888; background: #2563eb; color: white; text-align: center; text-decoration: none; font-size: 1rem; cursor: pointer; }
  label { display: block; margin-top: .8rem; }
  input { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; }
  :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  [role=alert] { border: 1px solid #dc2626; color: #dc2626; padding: .6rem; border-radius: .4rem; }
  [role=status] { border: 1px solid #16a34a; padding: .6rem; border-radius: .4rem; }
  hr { margin: 1.5rem 0; }
</style>
</head>
<body>
<main>
<h1>MCP Gateway Registry</h1>
${opts.error ? `<p role="alert" id="error">${escapeHtml(opts.error)}</p>` : ""}
${opts.notice ? `<p role="status" id="notice">${escapeHtml(opts.notice)}</p>` : ""}
${buttons}
${buttons && local ? "<hr>" : ""}
${local}
${nothing}
</main>
</body>
</html>`;
}
