// GET /edit/{service_path}: the server's fields in a form that posts back to
// POST /edit/{service_path}, so it works without JavaScript too. With it, the web
// UI's client (src/web/client/edit.ts) validates inline, adds the credential and
// saves through GraphQL, showing server errors next to their fields.
import { escapeHtml } from "../web/login-page.ts";
import { pageShell } from "../web/layout.ts";
import { serverFormFields } from "../web/server-form.ts";
import type { serverJson } from "./shapes.ts";

type Server = ReturnType<typeof serverJson>;

export function editPage(server: Server, username = ""): string {
  const action = `/edit/${server.path.split("/").filter((s) => s !== "").map(encodeURIComponent).join("/")}`;
  const main = `<div class="page-head">
  <h1>Edit ${escapeHtml(server.name)}</h1>
  <a href="/">Back to servers</a>
</div>
<p>Path: <code>${escapeHtml(server.path)}</code></p>
<form id="edit-form" class="panel" method="post" action="${escapeHtml(action)}" data-path="${escapeHtml(server.path)}" novalidate>
  <p class="form-error" id="edit-error" role="alert" hidden></p>
  ${serverFormFields({ ...server, transport: server.transport }, "edit")}
  <div class="actions">
    <button type="submit" class="primary">Save</button>
    <a class="button" href="/">Cancel</a>
  </div>
</form>`;
  return pageShell({ title: `Edit ${server.name}`, page: "edit", username, main });
}
