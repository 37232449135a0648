// GET /edit/{service_path}: a plain, accessible form pre-filled with the server's
// fields, posting back to POST /edit/{service_path}. The web UI restyles it later.
import { escapeHtml } from "../auth/login-page.ts";
import type { serverJson } from "./shapes.ts";

type Server = ReturnType<typeof serverJson>;

export function editPage(server: Server): string {
  const action = `/edit/${server.path.split("/").filter((s) => s !== "").map(encodeURIComponent).join("/")}`;
  const text = (name: string, label: string, value: string, attrs = "") =>
    `<label for="${name}">${label}</label>
  <input id="${name}" name="${name}" value="${escapeHtml(value)}" ${attrs}>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Edit ${escapeHtml(server.name)} · MCP Gateway Registry</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  main { width: min(36rem, 92vw); margin: 2rem auto; }
  label { display: block; margin-top: .8rem; }
  input, textarea { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }
  input[type=checkbox] { width: auto; }
  button { margin-top: 1.2rem; padding: .6rem 1.2rem; font-size: 1rem; }
  :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
</style>
</head>
<body>
<main>
<h1>Edit ${escapeHtml(server.name)}</h1>
<p>Path: <code>${escapeHtml(server.path)}</code></p>
<form method="post" action="${escapeHtml(action)}">
  ${text("name", "Name", server.name, "required maxlength=\"200\"")}
  <label for="description">Description</label>
  <textarea id="description" name="description" rows="4" maxlength="2000">${escapeHtml(server.description)}</textarea>
  ${text("proxy_pass_url", "Proxy pass URL", server.proxy_pass_url, 'type="url" required')}
  ${text("tags", "Tags (comma-separated)", server.tags.join(","))}
  ${text("num_tools", "Number of tools", String(server.num_tools), 'type="number" min="0"')}
  ${text("num_stars", "Stars (0 to 5)", String(server.num_stars), 'type="number" min="0" max="5"')}
  <input type="hidden" name="is_python" value="false">
  <label><input type="checkbox" id="is_python" name="is_python" value="true"${server.is_python ? " checked" : ""}> Python-based</label>
  ${text("license", "License", server.license)}
  <label for="metadata">Metadata (JSON object)</label>
  <textarea id="metadata" name="metadata" rows="4">${escapeHtml(JSON.stringify(server.metadata, null, 2))}</textarea>
  <button type="submit">Save</button>
  <a href="/">Cancel</a>
</form>
</main>
</body>
</html>`;
}
