// The static part of each page. The client script (client/*.ts) fills in the data.
import { serverFormFields } from "./server-form.ts";

export function dashboardMain(): string {
  return `<div class="page-head">
  <h1>MCP servers</h1>
  <span id="live-state" class="live" data-state="connecting">Connecting…</span>
  <button type="button" id="register-open" class="primary" hidden>Register a server</button>
</div>
<section aria-labelledby="summary-title" class="summary">
  <h2 id="summary-title" class="visually-hidden">Summary</h2>
  <ul id="counts" class="counts" aria-live="polite">
    <li class="count"><span class="n" data-count="total">–</span> servers</li>
    <li class="count healthy"><span class="n" data-count="healthy">–</span> healthy</li>
    <li class="count unhealthy"><span class="n" data-count="unhealthy">–</span> unhealthy</li>
    <li class="count checking"><span class="n" data-count="checking">–</span> checking</li>
    <li class="count unknown"><span class="n" data-count="unknown">–</span> not checked yet</li>
    <li class="count disabled"><span class="n" data-count="disabled">–</span> disabled</li>
  </ul>
</section>
<form id="filters" class="filters" role="search" aria-label="Filter servers">
  <div class="field grow">
    <label for="search">Search</label>
    <input id="search" name="search" type="search" placeholder="Name, path, description, tag, metadata…" autocomplete="off">
  </div>
  <div class="field">
    <label for="filter-tag">Tag</label>
    <input id="filter-tag" name="tag" list="known-tags" autocomplete="off" placeholder="any">
    <datalist id="known-tags"></datalist>
  </div>
  <div class="field">
    <label for="filter-health">Health</label>
    <select id="filter-health" name="health">
      <option value="">Any</option><option value="HEALTHY">Healthy</option><option value="UNHEALTHY">Unhealthy</option>
      <option value="CHECKING">Checking</option><option value="UNKNOWN">Unknown</option><option value="DISABLED">Disabled</option>
    </select>
  </div>
  <div class="field">
    <label for="filter-enabled">Enabled</label>
    <select id="filter-enabled" name="enabled">
      <option value="">Any</option><option value="true">Enabled</option><option value="false">Disabled</option>
    </select>
  </div>
</form>
<p id="list-status" class="list-status" aria-live="polite"></p>
<div id="empty" class="empty" hidden>
  <h2>No servers registered yet</h2>
  <p>Register an MCP server to see its health and tools here, or send <code>POST /register</code> (see the README),
  or use the GraphQL mutation <code>registerServer</code>. A new server starts disabled; switch it on to start health checks.</p>
  <p><button type="button" id="empty-register" class="primary" hidden>Register a server</button></p>
  <h3>Just looking around?</h3>
  <p>Stop the registry and start it with <code>npm run demo</code> (or set <code>DEMO=true</code>): it starts three small
  example MCP servers on this machine (time, weather with canned data, and notes with a streaming tool) and registers
  and enables them, so this page shows healthy servers with tools.</p>
</div>
<ul id="servers" class="cards" aria-label="Servers"></ul>
<nav id="pager" class="pager" aria-label="Pages" hidden>
  <button type="button" id="page-prev">Previous</button>
  <span id="page-info"></span>
  <button type="button" id="page-next">Next</button>
</nav>
<dialog id="connect-dialog" aria-labelledby="connect-dialog-title">
  <h2 id="connect-dialog-title">Connect to <span id="connect-dialog-name"></span></h2>
  <div id="connect-dialog-body"></div>
  <div class="actions"><button type="button" id="connect-dialog-close">Close</button></div>
</dialog>
<dialog id="register-dialog" aria-labelledby="register-title">
  <form id="register-form" method="dialog" novalidate>
    <h2 id="register-title">Register a server</h2>
    <p class="form-error" id="register-error" role="alert" hidden></p>
    ${serverFormFields({}, "register")}
    <div class="actions">
      <button type="submit" class="primary">Register</button>
      <button type="button" id="register-cancel">Cancel</button>
    </div>
  </form>
</dialog>`;
}

export function toolsMain(): string {
  return `<div class="page-head"><h1>Tools</h1></div>
<form id="tool-filters" class="filters" role="search" aria-label="Search tools">
  <div class="field grow">
    <label for="tool-search">Search tools by what they do</label>
    <input id="tool-search" name="search" type="search" autocomplete="off" maxlength="500" placeholder="e.g. schedule a meeting, forecast for a city">
  </div>
  <div class="field">
    <label for="tool-server">Server path</label>
    <input id="tool-server" name="server" autocomplete="off" placeholder="all servers">
  </div>
</form>
<p id="tools-status" class="list-status" aria-live="polite"></p>
<div id="tools"></div>
<button type="button" id="tools-more" hidden>Show more tools</button>`;
}

export function searchMain(): string {
  return `<div class="page-head"><h1>Search</h1><span id="search-mode" class="muted small"></span></div>
<form id="search-form" class="filters" role="search" aria-label="Search servers and tools">
  <div class="field grow">
    <label for="search-query">Search servers and tools</label>
    <input id="search-query" name="q" type="search" autocomplete="off" maxlength="500" aria-describedby="search-hint"
      placeholder="e.g. schedule a meeting, weather forecast, open a ticket">
    <p id="search-hint" class="hint">Best matches first. Press ↓ to move to the results, ↑ and ↓ between them, Escape to come back.</p>
  </div>
  <div class="field checkbox"><label><input type="checkbox" id="search-disabled" name="disabled" value="1"> Include disabled servers</label></div>
  <button type="submit" class="primary">Search</button>
</form>
<p id="search-status" class="list-status" aria-live="polite"></p>
<p id="search-error" class="form-error" role="alert" hidden></p>
<div id="search-empty" class="empty" hidden><p id="search-empty-text"></p></div>
<ol id="search-results" class="hits" aria-label="Results, best match first"></ol>
<button type="button" id="search-more" hidden>Show more results</button>`;
}

export function activityMain(): string {
  return `<div class="page-head"><h1>Activity</h1></div>
<p>What was changed, and every tool called through the gateway: everyone's for admins, your own for anyone else.</p>
<form id="activity-filters" class="filters" role="search" aria-label="Filter activity">
  <div class="field">
    <label for="activity-actor">Who (user name or subject)</label>
    <input id="activity-actor" name="actor" autocomplete="off" maxlength="256">
  </div>
  <div class="field">
    <label for="activity-server">Server path</label>
    <input id="activity-server" name="server" autocomplete="off" maxlength="256" placeholder="all servers">
  </div>
  <div class="field">
    <label for="activity-action">Action</label>
    <input id="activity-action" name="action" autocomplete="off" maxlength="256" list="activity-actions" placeholder="all actions">
    <datalist id="activity-actions">${AUDIT_ACTIONS.map((a) => `<option value="${a}"></option>`).join("")}</datalist>
  </div>
</form>
<p id="activity-status" class="list-status" aria-live="polite"></p>
<div class="table-wrap">
  <table id="activity-table">
    <caption class="visually-hidden">Audit events, newest first</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Server</th><th scope="col">Outcome</th><th scope="col">Latency</th></tr></thead>
    <tbody></tbody>
  </table>
</div>
<button type="button" id="activity-more" hidden>Show more</button>`;
}

const AUDIT_ACTIONS = [
  "server.register",
  "server.update",
  "server.toggle",
  "server.delete",
  "token.generate",
  "token.revoke",
  "policy.replace",
  "registry.publish",
  "registry.edit",
  "registry.status",
  "auth.sign_in",
  "auth.sign_out",
  "auth.sign_in_failed",
  "gateway.tools_call",
];

export function tokensMain(maxTtlSeconds: number, defaultTtlSeconds: number): string {
  const lifetimes = [
    [900, "15 minutes"],
    [3_600, "1 hour"],
    [8 * 3_600, "8 hours"],
    [86_400, "1 day"],
    [7 * 86_400, "7 days"],
    [30 * 86_400, "30 days"],
  ] as const;
  const options = lifetimes
    .filter(([s]) => s <= maxTtlSeconds)
    .map(([s, label]) => `<option value="${s}"${s === defaultTtlSeconds ? " selected" : ""}>${label}</option>`)
    .join("");
  return `<div class="page-head"><h1>Registry tokens</h1></div>
<section class="panel" aria-labelledby="generate-title">
  <h2 id="generate-title">Generate JWT Token</h2>
  <p>A bearer token for the registry's APIs, limited to the scopes you choose. It is shown once.</p>
  <form id="token-form" novalidate>
    <fieldset class="field" aria-describedby="scopes-error">
      <legend>Scopes</legend>
      <div id="scope-list" class="scopes"></div>
      <p class="field-error" id="scopes-error" hidden></p>
    </fieldset>
    <div class="field">
      <label for="lifetime">Lifetime</label>
      <select id="lifetime" name="lifetime" aria-describedby="expiresInSeconds-error">${options}</select>
      <p class="field-error" id="expiresInSeconds-error" hidden></p>
    </div>
    <div class="field">
      <label for="token-description">Description</label>
      <input id="token-description" name="description" maxlength="200" placeholder="What it is for" aria-describedby="description-error">
      <p class="field-error" id="description-error" hidden></p>
    </div>
    <div class="actions"><button type="submit" class="primary">Generate token</button></div>
  </form>
  <div id="token-result" class="token-result" hidden tabindex="-1" aria-labelledby="token-result-title">
    <h3 id="token-result-title">Your new token</h3>
    <p class="warning">Copy or download it now: it will not be shown again.</p>
    <label for="token-value">Access token</label>
    <textarea id="token-value" class="mono" rows="4" readonly></textarea>
    <div class="actions">
      <button type="button" id="token-copy">Copy token</button>
      <button type="button" id="token-download">Download token file</button>
    </div>
    <h4 id="token-usage-title">Use it</h4>
    <pre id="token-usage" class="mono schema" tabindex="0" aria-labelledby="token-usage-title"></pre>
  </div>
</section>
<section class="panel" aria-labelledby="list-title">
  <h2 id="list-title" tabindex="-1">Your tokens</h2>
  <div class="table-wrap">
    <table id="token-table">
      <caption class="visually-hidden">Tokens you generated, newest first</caption>
      <thead><tr><th scope="col">Description</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
  <p id="tokens-empty" hidden>You have no tokens yet.</p>
</section>
<dialog id="revoke-dialog" aria-labelledby="revoke-title">
  <form id="revoke-form" method="dialog">
    <h2 id="revoke-title">Revoke token <span id="revoke-name"></span>?</h2>
    <p>Anything using it stops working at once. This cannot be undone.</p>
    <div class="actions">
      <button type="submit" class="danger" id="revoke-confirm">Revoke token</button>
      <button type="button" id="revoke-cancel">Cancel</button>
    </div>
  </form>
</dialog>`;
}

/** The server page: filled in by client/server.ts from one `server(path)` query. */
export function serverMain(): string {
  return `<div class="page-head">
  <h1 id="server-title">Server</h1>
  <span id="server-badge" class="badge unknown" data-health="UNKNOWN">Loading…</span>
  <div class="page-actions" id="server-actions"></div>
</div>
<p id="server-status" class="list-status" aria-live="polite"></p>
<div id="server-body" class="server-grid" hidden>
  <section class="panel" aria-labelledby="info-title">
    <h2 id="info-title">About</h2>
    <p id="server-description" class="pre"></p>
    <dl id="server-info" class="facts"></dl>
  </section>
  <section class="panel" id="connect-panel" aria-labelledby="connect-title" hidden>
    <h2 id="connect-title">Connect</h2>
    <p>MCP clients reach this server through the gateway, signed in with your registry credentials.</p>
    <div id="connect-body"></div>
  </section>
  <section class="panel" aria-labelledby="history-title">
    <h2 id="history-title">Health history</h2>
    <p id="history-summary" class="muted"></p>
    <div id="history-chart" class="chart"></div>
    <details>
      <summary>Checks as a table</summary>
      <div class="table-wrap">
        <table id="history-table">
          <caption class="visually-hidden">Health checks, newest first</caption>
          <thead><tr><th scope="col">Checked</th><th scope="col">Status</th><th scope="col">Latency</th><th scope="col">Reason</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
    </details>
  </section>
  <section class="panel" aria-labelledby="capabilities-title">
    <h2 id="capabilities-title">Capabilities</h2>
    <dl id="server-capabilities" class="facts"></dl>
  </section>
  <section class="panel" aria-labelledby="server-tools-title">
    <h2 id="server-tools-title">Tools</h2>
    <p id="server-tools-summary" class="muted"></p>
    <ul id="server-tools" class="tool-list compact"></ul>
  </section>
  <section class="panel" id="playground-panel" aria-labelledby="playground-title" hidden>
    <h2 id="playground-title">Try a tool</h2>
    <p class="muted">Calls the tool through the gateway as you, as an MCP client would.</p>
    <form id="playground-form" novalidate>
      <div class="field">
        <label for="playground-tool">Tool</label>
        <select id="playground-tool" aria-describedby="playground-tool-description"></select>
      </div>
      <p id="playground-tool-description" class="pre muted"></p>
      <div id="playground-fields"></div>
      <div class="actions"><button type="submit" class="primary">Call tool</button></div>
    </form>
    <div id="playground-result" class="playground-result" hidden aria-live="polite">
      <h3 id="playground-result-title">Result</h3>
      <pre id="playground-output" class="mono schema" tabindex="0" aria-labelledby="playground-result-title"></pre>
    </div>
  </section>
  <section class="panel" aria-labelledby="changes-title">
    <h2 id="changes-title">Tool list changes</h2>
    <ul id="tool-changes" class="changes"></ul>
  </section>
</div>
<dialog id="delete-dialog" aria-labelledby="delete-title">
  <form id="delete-form" method="dialog" novalidate>
    <h2 id="delete-title">Delete this server?</h2>
    <p>This removes the server, its tools and its health history. It cannot be undone.</p>
    <div class="field">
      <label for="delete-confirm">Type <code id="delete-path"></code> to confirm</label>
      <input id="delete-confirm" name="confirm" autocomplete="off" spellcheck="false" aria-describedby="delete-confirm-error">
      <p class="field-error" id="delete-confirm-error" hidden></p>
    </div>
    <div class="actions">
      <button type="submit" class="danger" id="delete-submit" disabled>Delete server</button>
      <button type="button" id="delete-cancel">Cancel</button>
    </div>
  </form>
</dialog>`;
}
