// A form from a tool's input schema (JSON Schema), and the tool call's arguments from the
// form's values. Pure: fields are described here and drawn by playground.ts. Strings,
// numbers, integers, booleans, enums and arrays of strings get their own controls;
// anything else is typed as JSON.

export type FieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "string-list" | "json";

export type Field = {
  name: string;
  kind: FieldKind;
  required: boolean;
  description: string;
  /** For enum: the allowed values (strings, numbers, booleans or null). */
  options?: readonly unknown[];
  /** Default from the schema, if any. */
  default?: unknown;
};

type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

/** The schema's type, when it names exactly one (`["string", "null"]` counts as string). */
function typeOf(schema: Schema): string | undefined {
  const t = schema.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) {
    const named = t.filter((x) => x !== "null");
    return named.length === 1 && typeof named[0] === "string" ? named[0] : undefined;
  }
  return undefined;
}

export function kindOf(schema: unknown): Pick<Field, "kind" | "options"> {
  if (!isObject(schema)) return { kind: "json" };
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every((v) => v === null || ["string", "number", "boolean"].includes(typeof v))) {
    return { kind: "enum", options: schema.enum };
  }
  const type = typeOf(schema);
  if (type === "string") return { kind: "string" };
  if (type === "number") return { kind: "number" };
  if (type === "integer") return { kind: "integer" };
  if (type === "boolean") return { kind: "boolean" };
  if (type === "array" && isObject(schema.items) && typeOf(schema.items) === "string" && !Array.isArray(schema.items.enum)) return { kind: "string-list" };
  return { kind: "json" };
}

/** The fields of an object schema's properties, required ones first, each in schema order. */
export function fieldsOf(inputSchema: unknown): Field[] {
  if (!isObject(inputSchema) || !isObject(inputSchema.properties)) return [];
  const required = new Set(Array.isArray(inputSchema.required) ? inputSchema.required.filter((r): r is string => typeof r === "string") : []);
  const fields = Object.entries(inputSchema.properties).map(([name, schema]): Field => ({
    name,
    ...kindOf(schema),
    required: required.has(name),
    description: isObject(schema) && typeof schema.description === "string" ? schema.description : "",
    ...(isObject(schema) && "default" in schema ? { default: schema.default } : {}),
  }));
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)];
}

/** A form value as read from its control: text, or a checkbox's state. */
export type RawValue = string | boolean;

export type ArgumentsResult = { ok: true; arguments: Record<string, unknown> } | { ok: false; problems: { field: string; message: string }[] };

/**
 * The tool call's arguments: an empty optional field is left out, a required one is a
 * problem; numbers, JSON and enum values are converted back to what the schema says.
 */
export function argumentsOf(fields: readonly Field[], values: ReadonlyMap<string, RawValue>): ArgumentsResult {
  const args: Record<string, unknown> = {};
  const problems: { field: string; message: string }[] = [];
  for (const field of fields) {
    const raw = values.get(field.name);
    if (field.kind === "boolean") {
      if (raw === true || field.required) args[field.name] = raw === true;
      continue;
    }
    const text = typeof raw === "string" ? raw : "";
    if (text.trim() === "") {
      if (field.required) problems.push({ field: field.name, message: "is required" });
      continue;
    }
    switch (field.kind) {
      case "string":
        args[field.name] = text;
        break;
      case "number":
      case "integer": {
        const n = Number(text);
        if (!Number.isFinite(n) || (field.kind === "integer" && !Number.isInteger(n))) problems.push({ field: field.name, message: `must be ${field.kind === "integer" ? "a whole number" : "a number"}` });
        else args[field.name] = n;
        break;
      }
      case "enum": {
        // The select's values are the options' JSON, so that 1 and "1" stay apart.
        const option = (field.options ?? []).find((o) => JSON.stringify(o) === text);
        if (option === undefined) problems.push({ field: field.name, message: "is not one of the choices" });
        else args[field.name] = option;
        break;
      }
      case "string-list":
        args[field.name] = text.split("\n").map((s) => s.trim()).filter((s) => s !== "");
        break;
      case "json":
        try {
          args[field.name] = JSON.parse(text) as unknown;
        } catch {
          problems.push({ field: field.name, message: "is not valid JSON" });
        }
        break;
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, arguments: args };
}
