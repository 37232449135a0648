// The tokens page ("Generate JWT Token"): a registry token with chosen scopes and
// lifetime, shown once, copied or downloaded in the registry API document's token
// file format; and the caller's tokens, which can be revoked.
import { WebGenerateTokenDocument, WebRevokeTokenDocument, WebTokensDocument, type WebTokensQuery } from "../../generated/gql/graphql.ts";
import { tokenFile, tokenFileName, type TokenFileContext } from "../../auth/token-file.ts";
import { request } from "./api.ts";
import { byId, h, pageData, timeEl, toast } from "./dom.ts";

export function startTokens(): void {
  const context: TokenFileContext = {
    ...(pageData<TokenFileContext>() ?? { keycloakUrl: null, realm: null, clientId: null }),
    // The address this browser reached the registry at, which is the one to use from here.
    registryUrl: location.origin,
  };
  const form = byId<HTMLFormElement>("token-form");
  const result = byId("token-result");
  const value = byId<HTMLTextAreaElement>("token-value");
  let file: ReturnType<typeof tokenFile> | undefined;

  async function load(): Promise<void> {
    const data = await request(WebTokensDocument, {});
    const scopeList = byId("scope-list");
    if (scopeList.childElementCount === 0) {
      scopeList.append(
        ...data.viewer.scopes.map((scope) =>
          // Least privilege: only reading is chosen to start with; every other scope is a deliberate choice.
          h("label", { class: "scope" }, h("input", { type: "checkbox", name: "scope", value: scope, checked: scope === "list_service" }), ` ${scope}`),
        ),
      );
    }
    renderTable(data.tokens);
  }

  function renderTable(tokens: WebTokensQuery["tokens"]): void {
    const body = byId("token-table").querySelector("tbody");
    if (!body) return;
    byId("tokens-empty").hidden = tokens.length > 0;
    body.replaceChildren(
      ...tokens.map((t) => {
        const label = t.description || t.jti.slice(0, 8);
        const state = t.revokedAt ? "Revoked" : t.active ? "Active" : "Expired";
        const revoke = t.active
          ? h("button", { type: "button", class: "small danger", "aria-label": `Revoke token ${label}` }, "Revoke")
          : null;
        revoke?.addEventListener("click", () => confirmRevoke(t.jti, label, revoke));
        return h(
          "tr",
          { "data-jti": t.jti },
          h("td", { "data-label": "Description" }, t.description || h("span", { class: "muted" }, `(no description) ${t.jti.slice(0, 8)}`)),
          h("td", { "data-label": "Scopes" }, t.scopes.join(", ")),
          h("td", { "data-label": "Created" }, timeEl(t.createdAt)),
          h("td", { "data-label": "Expires" }, timeEl(t.expiresAt)),
          h("td", { "data-label": "Status" }, h("span", { class: `badge ${state.toLowerCase()}` }, state)),
          h("td", { "data-label": "" }, revoke),
        );
      }),
    );
  }

  // Revoking cannot be undone and breaks whatever uses the token: ask first.
  const revokeDialog = byId<HTMLDialogElement>("revoke-dialog");
  let pendingRevoke: { jti: string; label: string; button: HTMLButtonElement } | undefined;
  function confirmRevoke(jti: string, label: string, button: HTMLButtonElement): void {
    pendingRevoke = { jti, label, button };
    byId("revoke-name").textContent = label;
    revokeDialog.showModal();
    byId("revoke-cancel").focus();
  }
  byId("revoke-cancel").addEventListener("click", () => revokeDialog.close());
  byId<HTMLFormElement>("revoke-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const pending = pendingRevoke;
    pendingRevoke = undefined;
    revokeDialog.close();
    if (pending) void onRevoke(pending.jti, pending.label, pending.button);
  });
  revokeDialog.addEventListener("close", () => {
    if (pendingRevoke?.button.isConnected) pendingRevoke.button.focus();
    pendingRevoke = undefined;
  });

  async function onRevoke(jti: string, label: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const { revokeToken: r } = await request(WebRevokeTokenDocument, { jti });
      if (r.__typename !== "RevokeTokenSuccess") throw new Error(r.message);
      toast(`Token ${label} revoked. It stops working at once.`);
      await load();
      byId("list-title").focus();
    } catch (err) {
      button.disabled = false;
      toast(err instanceof Error ? err.message : "Revoking failed.", "error");
    }
  }

  const fieldError = (id: string, message: string | null) => {
    const el = byId(`${id}-error`);
    el.textContent = message ?? "";
    el.hidden = message === null;
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void (async () => {
      const scopes = [...form.querySelectorAll<HTMLInputElement>('input[name="scope"]:checked')].map((i) => i.value);
      ["scopes", "expiresInSeconds", "description"].forEach((f) => fieldError(f, null));
      if (scopes.length === 0) return fieldError("scopes", "Choose at least one scope.");
      const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
      if (submit) submit.disabled = true;
      try {
        const { generateToken: r } = await request(WebGenerateTokenDocument, {
          input: {
            scopes,
            expiresInSeconds: Number(byId<HTMLSelectElement>("lifetime").value),
            description: byId<HTMLInputElement>("token-description").value,
          },
        });
        if (r.__typename !== "GenerateTokenSuccess") {
          for (const p of r.fieldErrors) {
            const label = p.field === "expiresInSeconds" ? "Lifetime" : p.field === "scopes" ? "Scopes" : "Description";
            fieldError(p.field, `${label} ${p.message}`);
          }
          return;
        }
        file = tokenFile(r.generated, context);
        value.value = r.generated.accessToken;
        byId("token-usage").textContent = usageSnippets(context.registryUrl, tokenFileName(new Date()));
        result.hidden = false;
        result.focus();
        toast("Token generated. Copy or download it now: it is shown only once.");
        await load();
      } catch (err) {
        toast(err instanceof Error ? err.message : "Generating failed.", "error");
      } finally {
        if (submit) submit.disabled = false;
      }
    })();
  });

  byId("token-copy").addEventListener("click", () => {
    void navigator.clipboard.writeText(value.value).then(
      () => toast("Token copied to the clipboard."),
      () => {
        value.select();
        toast("Copying was blocked by the browser: the token is selected, press Ctrl+C.", "error");
      },
    );
  });

  byId("token-download").addEventListener("click", () => {
    if (!file) return;
    const blob = new Blob([`${JSON.stringify(file, null, 2)}\n`], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: tokenFileName(new Date()) });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });

  void load().catch((err: unknown) => toast(err instanceof Error ? err.message : "Loading failed.", "error"));
}

/** How to use the new token from a shell, with the downloaded token file (the token itself is not repeated here). */
export function usageSnippets(registryUrl: string, fileName: string): string {
  return [
    "# Read the token from the downloaded file (or paste it):",
    `export MCP_REGISTRY_TOKEN="$(jq -r .tokens.access_token ${fileName})"`,
    "",
    "# GraphQL: who am I, and what may I do?",
    `curl -s ${registryUrl}/graphql -H "Authorization: Bearer $MCP_REGISTRY_TOKEN" \\`,
    `  -H 'content-type: application/json' -d '{"query":"{ viewer { username scopes } }"}'`,
    "",
    "# REST: every server you may list",
    `curl -s ${registryUrl}/api/server_details/all -H "Authorization: Bearer $MCP_REGISTRY_TOKEN"`,
    "",
    "# The official MCP Registry API",
    `curl -s "${registryUrl}/v0.1/servers?limit=10" -H "Authorization: Bearer $MCP_REGISTRY_TOKEN"`,
  ].join("\n");
}
