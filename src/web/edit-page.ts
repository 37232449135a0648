// GET /edit/{service_path}: the server's fields in a form that posts back to
// POST /edit/{service_path}, so it works without JavaScript too. With it, the web
// UI's client (src/web/client/edit.ts) validates inline, adds the credential and
// saves through GraphQL, showing server errors next to their fields. The REST route
// (src/rest/gateway-api.ts) reads the server as the caller and hands it here.
import type { Context } from "koa";
import { escapeHtml } from "../auth/login-page.ts";
import { htmlHeaders } from "../http/page-headers.ts";
import type { AppState } from "../http/state.ts";
import { pageShell } from "./layout.ts";
import { serverFormFields, type ServerFormValues } from "./server-form.ts";

/** Answers with the edit page of a server the caller may see (the route has read it as the caller). */
export function sendEditPage(ctx: Context & { state: AppState }, server: ServerFormValues): void {
  ctx.type = "html";
  htmlHeaders(ctx);
  ctx.body = editPage(server, ctx.state.viewer?.identity.username);
}

export function editPage(server: ServerFormValues, username = ""): string {
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
