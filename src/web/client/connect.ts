// The Connect panel of a server (on its card, in a dialog, and on its page): the gateway
// URL, each MCP client's configuration to copy, and a button that creates a registry token
// limited to use_service on this one server, shown once. Shown only to viewers who may use
// the server (viewerCan.use); the gateway checks again on every request.
import { WebConnectTokenDocument } from "../../generated/gql/graphql.ts";
import { request } from "./api.ts";
import { clientConfigs, exportLine } from "./connect-config.ts";
import { h, toast } from "./dom.ts";

export type ConnectTarget = { path: string; name: string; gatewayUrl: string };

/** Copies text, or when the browser refuses, selects it so that Ctrl+C does. */
export function copyText(text: string, what: string, select?: HTMLElement): void {
  void navigator.clipboard.writeText(text).then(
    () => toast(`${what} copied to the clipboard.`),
    () => {
      if (select instanceof HTMLTextAreaElement || select instanceof HTMLInputElement) select.select();
      else if (select) window.getSelection()?.selectAllChildren(select);
      toast(`Copying was blocked by the browser: ${what.toLowerCase()} is selected, press Ctrl+C.`, "error");
    },
  );
}

function copyButton(text: () => string, what: string, label: string, select?: () => HTMLElement | undefined): HTMLButtonElement {
  const button = h("button", { type: "button", class: "small", "aria-label": label }, "Copy");
  button.addEventListener("click", () => copyText(text(), what, select?.()));
  return button;
}

/** The panel's content; `prefix` keeps its ids unique on the page. */
export function connectPanel(target: ConnectTarget, prefix: string): HTMLElement {
  const urlId = `${prefix}-url`;
  const url = h("code", { id: urlId, class: "break" }, target.gatewayUrl);
  const configs = clientConfigs(target.path, target.gatewayUrl).map((c) => {
    const titleId = `${prefix}-${c.id}-title`;
    const pre = h("pre", { class: "mono schema", tabindex: "0", "aria-labelledby": titleId, "data-config": c.id }, c.text);
    return h(
      "section",
      { class: "connect-client", "aria-labelledby": titleId },
      h("div", { class: "connect-head" }, h("h3", { id: titleId }, c.title), copyButton(() => c.text, `The ${c.title} configuration`, `Copy the ${c.title} configuration`, () => pre)),
      h("p", { class: "muted" }, c.where),
      pre,
    );
  });
  return h(
    "div",
    { class: "connect" },
    h(
      "p",
      { class: "connect-url" },
      h("span", { id: `${prefix}-url-label` }, "Gateway URL (Streamable HTTP): "),
      url,
      " ",
      copyButton(() => target.gatewayUrl, "The gateway URL", "Copy the gateway URL", () => url),
    ),
    tokenArea(target, prefix),
    ...configs,
  );
}

function tokenArea(target: ConnectTarget, prefix: string): HTMLElement {
  const create = h("button", { type: "button", class: "primary", id: `${prefix}-token-create` }, "Create a token for this server");
  const result = h("div", { class: "token-result", hidden: true, tabindex: "-1", "aria-labelledby": `${prefix}-token-title` });
  const area = h(
    "div",
    { class: "connect-token" },
    h("p", {}, `A registry token that may only call ${target.path} through the gateway (use_service on this server, nothing else). It is shown once.`),
    h("div", { class: "actions" }, create),
    result,
  );
  create.addEventListener("click", () => {
    create.disabled = true;
    void (async () => {
      try {
        const { generateToken: r } = await request(WebConnectTokenDocument, {
          input: { scopes: ["use_service"], servers: [target.path], description: `Connect ${target.path}` },
        });
        if (r.__typename !== "GenerateTokenSuccess") throw new Error(r.message);
        showToken(result, prefix, target, r.generated.accessToken, r.generated.token.expiresAt);
        result.focus();
      } catch (err) {
        toast(err instanceof Error ? err.message : "Creating the token failed.", "error");
      } finally {
        create.disabled = false;
      }
    })();
  });
  return area;
}

function showToken(result: HTMLElement, prefix: string, target: ConnectTarget, token: string, expiresAt: string): void {
  const valueId = `${prefix}-token-value`;
  const value = h("textarea", { id: valueId, class: "mono", rows: 3, readonly: true }, token);
  const line = exportLine(token);
  const exportPre = h("pre", { class: "mono schema", tabindex: "0", "aria-labelledby": `${prefix}-token-export-title`, "data-export": "" }, line);
  result.replaceChildren(
    h("h3", { id: `${prefix}-token-title` }, `Your token for ${target.path}`),
    h("p", { class: "warning" }, `Copy it now: it will not be shown again. It expires ${new Date(expiresAt).toLocaleString()}.`),
    h("label", { for: valueId }, "Token"),
    value,
    h("div", { class: "actions" }, copyButton(() => token, "The token", "Copy the token", () => value)),
    h("h4", { id: `${prefix}-token-export-title` }, "Make it available to the configurations below"),
    exportPre,
    h("div", { class: "actions" }, copyButton(() => line, "The export line", "Copy the export line", () => exportPre)),
  );
  result.hidden = false;
}
