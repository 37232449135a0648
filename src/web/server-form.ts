// The fields of a server, as HTML, for the register dialog and the edit page. Input
// names are the REST form's (proxy_pass_url, num_tools...), so that the edit form
// also works without JavaScript; the client maps them to the GraphQL input.
import { escapeHtml } from "./login-page.ts";
import { LIMITS, TRANSPORTS } from "../servers/validate.ts";

export type ServerFormValues = {
  name: string;
  path: string;
  description: string;
  proxy_pass_url: string;
  tags: string[];
  num_tools: number;
  num_stars: number;
  is_python: boolean;
  license: string;
  metadata: unknown;
  transport: string;
  upstream_timeout_seconds: number | null;
};

const TRANSPORT_LABELS: Record<string, string> = { AUTO: "Auto (Streamable HTTP, then SSE)", STREAMABLE_HTTP: "Streamable HTTP", SSE: "SSE" };

function field(name: string, label: string, control: string, hint?: string): string {
  const hintHtml = hint ? `<p class="hint" id="${name}-hint">${hint}</p>` : "";
  return `<div class="field" data-field="${name}">
  <label for="${name}">${label}</label>
  ${control}
  ${hintHtml}
  <p class="field-error" id="${name}-error" hidden></p>
</div>`;
}

function described(name: string, hint?: string): string {
  return `aria-describedby="${hint ? `${name}-hint ` : ""}${name}-error"`;
}

function input(name: string, label: string, value: string, attrs: string, hint?: string): string {
  return field(name, label, `<input id="${name}" name="${name}" value="${escapeHtml(value)}" ${attrs} ${described(name, hint)}>`, hint);
}

/** `mode: "edit"` adds a "keep the current credential" choice, so an edit never drops it unasked. */
export function serverFormFields(values: Partial<ServerFormValues>, mode: "register" | "edit"): string {
  const v = values;
  const transport = (v.transport ?? "AUTO").toUpperCase();
  const options = TRANSPORTS.map(
    (t) => `<option value="${t}"${t === transport ? " selected" : ""}>${TRANSPORT_LABELS[t] ?? t}</option>`,
  ).join("");
  const metadata = v.metadata === undefined ? "{}" : JSON.stringify(v.metadata, null, 2);
  const keep = mode === "edit" ? `<option value="" selected>Keep the current setting</option>` : "";
  return `<div class="form-grid">
${input("name", "Name", v.name ?? "", `required maxlength="${LIMITS.nameMax}" autocomplete="off"`)}
${input("path", "Path", v.path ?? "", 'required maxlength="128" autocomplete="off" spellcheck="false"', "Letters, digits, '-', '_' and '/', for example /weather.")}
${input("proxy_pass_url", "Proxy pass URL", v.proxy_pass_url ?? "", 'type="url" required spellcheck="false"', "Where the MCP server listens, for example http://localhost:8000/mcp.")}
${field("transport", "Transport", `<select id="transport" name="transport" ${described("transport")}>${options}</select>`)}
${input("upstream_timeout_seconds", "Gateway timeout (seconds)", v.upstream_timeout_seconds == null ? "" : String(v.upstream_timeout_seconds), `type="number" min="1" max="${LIMITS.upstreamTimeoutSecondsMax}" step="1" placeholder="registry default"`, "How long a call through the gateway may wait on this server between progress notifications; empty: the registry's default.")}
${field("description", "Description", `<textarea id="description" name="description" rows="3" maxlength="${LIMITS.descriptionMax}" ${described("description")}>${escapeHtml(v.description ?? "")}</textarea>`)}
${input("tags", "Tags (comma-separated)", (v.tags ?? []).join(","), 'autocomplete="off"', `At most ${LIMITS.tagsMax}; stored lower-case.`)}
${input("num_tools", "Number of tools", String(v.num_tools ?? 0), `type="number" min="0" max="${LIMITS.numToolsMax}" step="1"`)}
${input("num_stars", "Stars", String(v.num_stars ?? 0), 'type="number" min="0" step="1"', `A count of 0 or more; cards show at most ${LIMITS.starsShownMax} stars.`)}
${input("license", "License", v.license ?? "", `maxlength="${LIMITS.licenseMax}"`)}
<div class="field checkbox" data-field="is_python">
  <input type="hidden" name="is_python" value="false">
  <label><input type="checkbox" id="is_python" name="is_python" value="true"${v.is_python ? " checked" : ""}> Python-based</label>
</div>
${field("metadata", "Metadata (JSON object)", `<textarea id="metadata" name="metadata" rows="4" spellcheck="false" class="mono" ${described("metadata", "metadata")}>${escapeHtml(metadata)}</textarea>`, `Team, owner, compliance level… at most ${LIMITS.metadataBytesMax / 1024} KB.`)}
<fieldset class="field upstream" data-field="upstream_auth">
  <legend>Upstream authentication (sent by health checks)</legend>
  <div class="field">
    <label for="upstream_auth_type">Credential</label>
    <select id="upstream_auth_type" name="upstream_auth_type" aria-describedby="upstream_auth-error">
      ${keep}<option value="NONE"${mode === "register" ? " selected" : ""}>None</option>
      <option value="BEARER">Authorization: Bearer token</option>
      <option value="API_KEY">API key header</option>
    </select>
  </div>
  <div class="field" data-needs="API_KEY">
    <label for="upstream_auth_header">Header name</label>
    <input id="upstream_auth_header" name="upstream_auth_header" placeholder="x-api-key" autocomplete="off" spellcheck="false" aria-describedby="upstream_auth-error">
  </div>
  <div class="field" data-needs="BEARER API_KEY">
    <label for="upstream_auth_secret">Secret</label>
    <input id="upstream_auth_secret" name="upstream_auth_secret" type="password" autocomplete="new-password" aria-describedby="upstream_auth_secret-hint upstream_auth-error">
    <p class="hint" id="upstream_auth_secret-hint">Stored encrypted and never shown again.${mode === "edit" ? " Leave empty to keep the stored one." : ""}</p>
  </div>
  <p class="field-error" id="upstream_auth-error" hidden></p>
</fieldset>
</div>`;
}
