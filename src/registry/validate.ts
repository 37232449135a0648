// server.json validation for publish and validate: the JSON schema named by the
// document's `$schema` (the current 2025-12-11 one, or an older one the official
// registry still accepts), then the official registry's semantic rules. The schemas
// are embedded (src/registry/schemas/); they are draft-07 documents, so plain Ajv
// (draft-07) compiles them.
import fs from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { versionFormatProblem } from "./latest.ts";
import { NAME_MAX, NAME_MIN } from "./names.ts";
import { semanticIssues, type Issue, type SemanticOptions } from "./semantic.ts";

export type { Issue, SemanticOptions } from "./semantic.ts";

export const CURRENT_SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
export const DESCRIPTION_MAX = 100;
export const STATUS_MESSAGE_MAX = 500;

/**
 * The most items each list in a server.json may have. The schemas set no maximum, and
 * every item is validated, stored and served back to every registry client; real servers
 * have a handful. Keys name a list by its place, `[]` standing for any item of a list.
 */
export const ARRAY_LIMITS: ReadonlyMap<string, number> = new Map([
  ["remotes", 32],
  ["packages", 32],
  ["icons", 16],
  ["remotes[].headers", 64],
  ["packages[].packageArguments", 64],
  ["packages[].runtimeArguments", 64],
  ["packages[].environmentVariables", 64],
  ["packages[].transport.headers", 64],
]);
/** The most items of any other list (in `_meta`, an argument's `choices`...). */
export const ARRAY_MAX = 1_000;

export type ServerJson = Record<string, unknown> & {
  name: string;
  description: string;
  version: string;
  title?: string;
  remotes?: { type: string; url: string }[];
};

const schemaDir = new URL("./schemas/", import.meta.url);

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

let validators: Map<string, ValidateFunction> | undefined;

/** One compiled validator per embedded schema, keyed by its `$id` (the URL documents name in `$schema`). */
function schemas(): Map<string, ValidateFunction> {
  if (validators) return validators;
  // `example` and similar annotations are not draft-07 keywords; strict mode would refuse them.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  validators = new Map();
  for (const file of fs.readdirSync(schemaDir).filter((f) => f.endsWith(".json")).sort()) {
    const schema = JSON.parse(fs.readFileSync(new URL(file, schemaDir), "utf8")) as { $id: string };
    validators.set(schema.$id, ajv.compile(schema));
  }
  return validators;
}

export function supportedSchemas(): string[] {
  return [...schemas().keys()];
}

/** A JSON pointer as the official registry writes a field: `/packages/0/url` is `packages[0].url`. */
export function fieldOfPointer(pointer: string): string {
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(segment) ? `[${segment}]` : out === "" ? segment : `.${segment}`;
  }
  return out;
}

function issueOf(e: ErrorObject): Issue {
  const field = fieldOfPointer(e.instancePath);
  const reference = e.schemaPath;
  const missing = e.keyword === "required" ? (e.params as { missingProperty: string }).missingProperty : undefined;
  if (missing) return { type: "schema", field: field ? `${field}.${missing}` : missing, message: "is required", reference };
  if (e.keyword === "enum") {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.join(", ");
    return { type: "schema", field: field || "document", message: `must be one of ${allowed}`, reference };
  }
  return { type: "schema", field: field || "document", message: e.message ?? "is invalid", reference };
}

const semanticIssue = (field: string, message: string, reference: string): Issue => ({ type: "semantic", field, message, reference });

/** The publish path's defaults: what an internal registry allows is a setting (REGISTRY_ALLOW_PRIVATE_REMOTES). */
export const STRICT: SemanticOptions = { allowPrivateRemotes: false };

/** Issues with a server.json document; an empty list means it may be published. */
export function validateServerJson(document: unknown, options: SemanticOptions = STRICT): Issue[] {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return [semanticIssue("document", "must be a JSON object", "document-not-object")];
  }
  const doc = document as Record<string, unknown>;
  const declared = doc.$schema;
  if (declared === undefined || declared === "") {
    return [semanticIssue("$schema", `$schema field is required; use ${CURRENT_SCHEMA}`, "schema-field-required")];
  }
  if (typeof declared !== "string") return [semanticIssue("$schema", "must be a string", "schema-field-required")];
  const validate = schemas().get(declared);
  if (!validate) {
    return [
      semanticIssue("$schema", `schema version ${declared} is not supported; use one of ${supportedSchemas().join(", ")}`, "schema-version-unsupported"),
    ];
  }
  // The semantic rules' messages are the clearer ones; schema errors on the same field are dropped.
  const problems: Issue[] = [...semanticProblems(doc), ...semanticIssues(doc, options)];
  // An oversized list is refused before the schema validator walks every item of it.
  const oversized = arrayProblems(doc);
  if (oversized.length > 0) return [...problems, ...oversized];
  if (!validate(doc)) {
    // anyOf/oneOf branches repeat each other; report each (field, message) once.
    const seen = new Set<string>();
    for (const p of (validate.errors ?? []).map(issueOf)) {
      const key = `${p.field}\u0000${p.message}`;
      if (!seen.has(key) && !problems.some((q) => q.field === p.field)) {
        seen.add(key);
        problems.push(p);
      }
    }
  }
  return problems;
}

/** Lengths the older schemas do not bound, and this registry's own version rule (semantic.ts has the official ones). */
function semanticProblems(doc: Record<string, unknown>): Issue[] {
  const problems: Issue[] = [];
  const { name, version, description } = doc;
  if (typeof name === "string" && (name.length < NAME_MIN || name.length > NAME_MAX)) {
    problems.push(semanticIssue("name", `must be ${NAME_MIN} to ${NAME_MAX} characters`, "server-name-length"));
  }
  if (typeof version === "string") {
    const problem = versionFormatProblem(version);
    if (problem) problems.push(semanticIssue("version", problem, "version-format"));
  }
  if (typeof description === "string" && [...description].length > DESCRIPTION_MAX) {
    problems.push(semanticIssue("description", `must be at most ${DESCRIPTION_MAX} characters`, "description-length"));
  }
  return problems;
}

/** Lists longer than ARRAY_LIMITS (or ARRAY_MAX) allows. Iterative: the document may be deep. */
function arrayProblems(doc: Record<string, unknown>): Issue[] {
  const problems: Issue[] = [];
  const stack: { value: unknown; field: string; place: string }[] = [{ value: doc, field: "", place: "" }];
  while (stack.length > 0) {
    const { value, field, place } = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (Array.isArray(value)) {
      const limit = ARRAY_LIMITS.get(place) ?? ARRAY_MAX;
      if (value.length > limit) {
        problems.push(semanticIssue(field || "document", `must have at most ${limit} items`, "array-too-long"));
        continue;
      }
      value.forEach((item, i) => stack.push({ value: item, field: `${field}[${i}]`, place: `${place}[]` }));
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      stack.push({ value: item, field: field ? `${field}.${key}` : key, place: place ? `${place}.${key}` : key });
    }
  }
  return problems.sort((a, b) => a.field.localeCompare(b.field));
}
