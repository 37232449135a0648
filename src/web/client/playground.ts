// The tool playground of the server page: pick a tool, fill a form generated from its input
// schema, call it through the gateway at /{path}/mcp (signed in with the page's session) and
// see the result or the JSON-RPC error.
import { byId, h } from "./dom.ts";
import { McpCall, type CallOutcome } from "./mcp-call.ts";
import { argumentsOf, fieldsOf, type Field, type RawValue } from "./schema-form.ts";

export type PlaygroundTool = { name: string; title?: string | null; description: string; inputSchema: unknown };

export function startPlayground(path: string, tools: readonly PlaygroundTool[]): void {
  const form = byId<HTMLFormElement>("playground-form");
  const select = byId<HTMLSelectElement>("playground-tool");
  const description = byId("playground-tool-description");
  const fieldsEl = byId("playground-fields");
  const result = byId("playground-result");
  const output = byId("playground-output");
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  let fields: Field[] = [];

  const previous = select.value;
  select.replaceChildren(...tools.map((t) => h("option", { value: t.name }, t.title ? `${t.name} · ${t.title}` : t.name)));
  if (tools.some((t) => t.name === previous)) select.value = previous;

  const current = () => tools.find((t) => t.name === select.value);

  function drawFields(): void {
    const tool = current();
    description.textContent = tool?.description || "No description.";
    fields = fieldsOf(tool?.inputSchema);
    fieldsEl.replaceChildren(
      ...(fields.length === 0 ? [h("p", { class: "muted" }, "This tool takes no arguments.")] : fields.map((f, i) => fieldEl(f, i))),
    );
  }

  select.addEventListener("change", drawFields);
  drawFields();

  form.onsubmit = (e) => {
    e.preventDefault();
    const tool = current();
    if (!tool) return;
    fieldsEl.querySelectorAll<HTMLElement>(".field-error").forEach((el) => {
      el.hidden = true;
      el.textContent = "";
    });
    const values = new Map<string, RawValue>();
    fields.forEach((f, i) => {
      const control = byId<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(`playground-field-${i}`);
      values.set(f.name, control instanceof HTMLInputElement && control.type === "checkbox" ? control.checked : control.value);
    });
    const args = argumentsOf(fields, values);
    if (!args.ok) {
      for (const p of args.problems) {
        const i = fields.findIndex((f) => f.name === p.field);
        const el = byId(`playground-field-${i}-error`);
        el.textContent = `${p.field} ${p.message}`;
        el.hidden = false;
      }
      byId(`playground-field-${fields.findIndex((f) => f.name === args.problems[0]!.field)}`).focus();
      return;
    }
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    result.dataset.state = "calling";
    output.textContent = `Calling ${tool.name}…`;
    result.hidden = false;
    void new McpCall(`${path}/mcp`)
      .callTool(tool.name, args.arguments)
      .catch((err: unknown): CallOutcome => ({ kind: "http-error", status: 0, message: err instanceof Error ? err.message : String(err) }))
      .then((outcome) => {
        show(outcome);
        submit.disabled = false;
        submit.removeAttribute("aria-busy");
      });
  };

  function show(outcome: CallOutcome): void {
    const title = byId("playground-result-title");
    if (outcome.kind === "result") {
      const isError = (outcome.result as { isError?: unknown } | null)?.isError === true;
      result.dataset.state = isError ? "tool-error" : "ok";
      title.textContent = isError ? "The tool reported an error" : "Result";
      output.textContent = JSON.stringify(outcome.result, null, 2);
    } else if (outcome.kind === "rpc-error") {
      result.dataset.state = "rpc-error";
      title.textContent = `JSON-RPC error ${outcome.error.code}`;
      output.textContent = JSON.stringify(outcome.error, null, 2);
    } else {
      result.dataset.state = "http-error";
      title.textContent = outcome.status ? `The gateway answered HTTP ${outcome.status}` : "The gateway could not be reached";
      output.textContent = outcome.message;
    }
  }
}

function fieldEl(f: Field, i: number): HTMLElement {
  const id = `playground-field-${i}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [f.description ? hintId : "", errorId].filter(Boolean).join(" ");
  const common = { id, name: f.name, "aria-describedby": describedBy, required: f.required, "aria-required": f.required ? "true" : null };
  let control: HTMLElement;
  const defaultText = f.default === undefined ? "" : typeof f.default === "string" ? f.default : JSON.stringify(f.default);
  switch (f.kind) {
    case "boolean":
      control = h("input", { ...common, type: "checkbox", checked: f.default === true });
      break;
    case "number":
    case "integer":
      control = h("input", { ...common, type: "number", step: f.kind === "integer" ? "1" : "any", value: defaultText || null });
      break;
    case "enum":
      control = h(
        "select",
        common,
        f.required ? null : h("option", { value: "" }, "(leave out)"),
        ...(f.options ?? []).map((o) => h("option", { value: JSON.stringify(o), selected: o === f.default }, typeof o === "string" ? o : JSON.stringify(o))),
      );
      break;
    case "string-list":
      control = h("textarea", { ...common, rows: 3 }, Array.isArray(f.default) ? f.default.join("\n") : "");
      break;
    case "json":
      control = h("textarea", { ...common, rows: 4, class: "mono", spellcheck: "false" }, defaultText);
      break;
    default:
      control = h("input", { ...common, type: "text", autocomplete: "off", value: defaultText || null });
  }
  const kindHint = f.kind === "string-list" ? " (one per line)" : f.kind === "json" ? " (JSON)" : "";
  const label = h("label", { for: id }, h("code", {}, f.name), kindHint, f.required ? h("span", { class: "required" }, " (required)") : null);
  return h(
    "div",
    { class: f.kind === "boolean" ? "field checkbox" : "field", "data-kind": f.kind },
    ...(f.kind === "boolean" ? [control, label] : [label, control]),
    f.description ? h("p", { class: "hint muted", id: hintId }, f.description) : null,
    h("p", { class: "field-error", id: errorId, hidden: true }),
  );
}
