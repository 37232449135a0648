// The edit page: the server-rendered form, validated inline and saved through
// GraphQL (with the upstream credential, which the plain form post cannot carry).
import { WebEditServerDocument, WebUpdateDocument, type UpstreamAuthType } from "../../generated/gql/graphql.ts";
import { request } from "./api.ts";
import { byId } from "./dom.ts";
import { focusFirstProblem, formError, readServerForm, showProblems, wireInlineValidation, wireUpstreamFields } from "./server-form.ts";

export function startEdit(): void {
  const form = byId<HTMLFormElement>("edit-form");
  const path = form.dataset.path ?? "";
  const typeSelect = byId<HTMLSelectElement>("upstream_auth_type");
  let currentAuth: UpstreamAuthType | undefined;
  wireUpstreamFields(form, () => typeSelect.value || currentAuth || "NONE");
  const inline = wireInlineValidation(form, () => readServerForm(form, "edit", currentAuth).problems);

  void request(WebEditServerDocument, { path }).then(({ server }) => {
    if (!server) return;
    currentAuth = server.upstreamAuth.type;
    // Known now: show it, instead of "keep the current setting".
    typeSelect.querySelector('option[value=""]')?.remove();
    typeSelect.value = currentAuth;
    byId<HTMLInputElement>("upstream_auth_header").value = server.upstreamAuth.headerName ?? "";
    typeSelect.dispatchEvent(new Event("change"));
  }).catch((err: unknown) => formError("edit-error", `Could not load the upstream credential setting: ${(err as Error).message}`));

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void (async () => {
      formError("edit-error", null);
      inline.touchAll();
      const { input, problems } = readServerForm(form, "edit", currentAuth);
      showProblems(form, problems);
      if (problems.length > 0) return focusFirstProblem(form);
      const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
      if (submit) submit.disabled = true;
      try {
        const { updateServer: r } = await request(WebUpdateDocument, { path, input });
        if (r.__typename === "UpdateServerSuccess") {
          location.assign("/");
          return;
        }
        if (r.__typename === "ValidationError") showProblems(form, r.fieldErrors);
        else if (r.__typename === "ConflictError") showProblems(form, [{ field: r.field, message: r.message }]);
        else formError("edit-error", r.message);
        focusFirstProblem(form);
      } catch (err) {
        formError("edit-error", err instanceof Error ? err.message : "Saving failed.");
      } finally {
        if (submit) submit.disabled = false;
      }
    })();
  });
}
