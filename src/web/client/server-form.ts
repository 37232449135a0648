// The register dialog's and the edit page's form: reads it into the GraphQL input,
// checks it with the API's own rules (the same modules the server runs), and shows
// errors, the browser's or the server's, next to their fields.
import type { RegisterServerInput, Transport, UpdateServerInput, UpstreamAuthType } from "../../generated/gql/graphql.ts";
import { checkUpstreamAuth } from "../../servers/upstream-auth.ts";
import { validateFields, validateRegistration, type ServerInput } from "../../servers/validate.ts";
import { byId } from "./dom.ts";

/** GraphQL field → the form control's id. */
const FIELD_IDS: Record<string, string> = {
  name: "name",
  path: "path",
  proxyPassUrl: "proxy_pass_url",
  description: "description",
  tags: "tags",
  numTools: "num_tools",
  numStars: "num_stars",
  isPython: "is_python",
  license: "license",
  metadata: "metadata",
  transport: "transport",
  upstreamTimeoutSeconds: "upstream_timeout_seconds",
  upstreamAuth: "upstream_auth",
};

export type FieldProblem = { field: string; message: string };

export type FormRead = { input: UpdateServerInput; problems: FieldProblem[] };

function value(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name);
  if (el instanceof HTMLInputElement && el.type === "checkbox") return el.checked ? "true" : "false";
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement ? el.value : "";
}

function wholeNumber(text: string): number | undefined | null {
  const t = text.trim();
  if (t === "") return undefined;
  return /^-?\d{1,9}$/.test(t) ? Number(t) : null;
}

/**
 * The form as GraphQL input, with the problems the API would report. `currentAuth` is
 * the stored credential type on the edit page: the secret may then be left empty.
 */
export function readServerForm(form: HTMLFormElement, mode: "register" | "edit", currentAuth?: UpstreamAuthType): FormRead {
  const problems: FieldProblem[] = [];
  const input: UpdateServerInput = {
    name: value(form, "name"),
    path: value(form, "path"),
    proxyPassUrl: value(form, "proxy_pass_url"),
    description: value(form, "description"),
    tags: value(form, "tags")
      .split(",")
      .filter((t) => t.trim() !== ""),
    license: value(form, "license"),
    isPython: value(form, "is_python") === "true",
    transport: value(form, "transport") as Transport,
  };
  for (const [field, id] of [
    ["numTools", "num_tools"],
    ["numStars", "num_stars"],
  ] as const) {
    const n = wholeNumber(value(form, id));
    if (n === null) problems.push({ field, message: "must be a whole number" });
    else if (n !== undefined) input[field] = n;
  }
  // Empty: the registry's default (on the edit page, null puts a server back on it).
  const timeout = wholeNumber(value(form, "upstream_timeout_seconds"));
  if (timeout === null) problems.push({ field: "upstreamTimeoutSeconds", message: "must be a whole number of seconds" });
  else if (timeout !== undefined) input.upstreamTimeoutSeconds = timeout;
  else if (mode === "edit") input.upstreamTimeoutSeconds = null;
  const metadataText = value(form, "metadata").trim();
  if (metadataText !== "") {
    try {
      input.metadata = JSON.parse(metadataText) as unknown;
    } catch {
      problems.push({ field: "metadata", message: "must be a JSON object" });
    }
  }
  const checked = mode === "register" ? validateRegistration(input as ServerInput) : validateFields(input as ServerInput);
  if (!checked.ok) problems.push(...checked.errors.filter((e) => !problems.some((p) => p.field === e.field)));

  const authType = value(form, "upstream_auth_type");
  if (authType !== "") {
    const type = authType as UpstreamAuthType;
    const auth = { type, headerName: value(form, "upstream_auth_header"), secret: value(form, "upstream_auth_secret") };
    const result = checkUpstreamAuth(auth, currentAuth === type && type !== "NONE");
    if (!result.ok) problems.push({ field: "upstreamAuth", message: result.message });
    input.upstreamAuth = {
      type,
      ...(type === "API_KEY" ? { headerName: auth.headerName } : {}),
      ...(auth.secret !== "" ? { secret: auth.secret } : {}),
    };
  }
  return { input, problems };
}

export function asRegisterInput(input: UpdateServerInput): RegisterServerInput {
  return input as RegisterServerInput;
}

function labelOf(form: HTMLFormElement, id: string): string {
  if (id === "upstream_auth") return "Upstream authentication:";
  return form.querySelector(`label[for="${id}"]`)?.textContent?.replace(/\s*\(.*\)$/, "") ?? id;
}

/** Shows each problem under its field (only `only` fields, when given) and clears the others. */
export function showProblems(form: HTMLFormElement, problems: FieldProblem[], only?: Set<string>): void {
  for (const id of new Set(Object.values(FIELD_IDS))) {
    if (only && !only.has(id)) continue;
    const error = form.querySelector<HTMLElement>(`#${id}-error`);
    if (!error) continue;
    const problem = problems.find((p) => (FIELD_IDS[p.field] ?? p.field) === id);
    const control = id === "upstream_auth" ? form.querySelector<HTMLElement>("#upstream_auth_type") : form.querySelector<HTMLElement>(`#${id}`);
    if (problem) {
      // The API's field messages read on from the field's name; whole sentences stand alone.
      error.textContent = /^[a-z]/.test(problem.message) ? `${labelOf(form, id)} ${problem.message}` : problem.message;
      error.hidden = false;
      control?.setAttribute("aria-invalid", "true");
    } else {
      error.textContent = "";
      error.hidden = true;
      control?.removeAttribute("aria-invalid");
    }
  }
}

/** Moves focus to the first field with a problem, so keyboard and screen-reader users land on it. */
export function focusFirstProblem(form: HTMLFormElement): void {
  form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

/** Shows only the credential fields the chosen type needs. */
export function wireUpstreamFields(form: HTMLFormElement, currentType: () => string): void {
  const sync = () => {
    const type = currentType();
    form.querySelectorAll<HTMLElement>("[data-needs]").forEach((el) => {
      el.hidden = !(el.dataset.needs ?? "").split(" ").includes(type);
    });
  };
  form.querySelector("#upstream_auth_type")?.addEventListener("change", sync);
  sync();
}

/** Validates as the user goes: a field is checked once it has been left, then on every change. */
export function wireInlineValidation(form: HTMLFormElement, check: () => FieldProblem[]): { touchAll(): void } {
  const touched = new Set<string>();
  const run = () => showProblems(form, check(), touched);
  const idOf = (target: EventTarget | null) => {
    if (!(target instanceof HTMLElement)) return undefined;
    const id = target.id.startsWith("upstream_auth") ? "upstream_auth" : target.id;
    return Object.values(FIELD_IDS).includes(id) ? id : undefined;
  };
  form.addEventListener("focusout", (e) => {
    const id = idOf(e.target);
    if (id) {
      touched.add(id);
      run();
    }
  });
  form.addEventListener("input", (e) => {
    const id = idOf(e.target);
    if (id && touched.has(id)) run();
  });
  return {
    touchAll() {
      Object.values(FIELD_IDS).forEach((id) => touched.add(id));
    },
  };
}

export function formError(id: string, message: string | null): void {
  const el = byId(id);
  el.textContent = message ?? "";
  el.hidden = message === null;
}
