// server.json validation for publish and validate: the JSON schema named by the
// document's `$schema` (the current 2025-12-11 one, or an older one the official
// registry still accepts), then the official registry's semantic rules. The schemas
// are embedded (src/registry/schemas/); they are draft-07 documents, so plain Ajv
// (draft-07) compiles them.
import fs from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { Problem } from "../errors.ts";
import { versionProblem } from "./latest.ts";
import { NAME_MAX, NAME_MIN, NAME_PATTERN } from "./names.ts";

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

function problemOf(e: ErrorObject): Problem {
  const field = e.instancePath === "" ? "" : e.instancePath.slice(1).replace(/\//g, ".");
  const missing = e.keyword === "required" ? (e.params as { missingProperty: string }).missingProperty : undefined;
  if (missing) return { field: field ? `${field}.${missing}` : missing, message: "is required" };
  if (e.keyword === "enum") {
    return { field: field || "document", message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")}` };
  }
  return { field: field || "document", message: e.message ?? "is invalid" };
}

/** Problems with a server.json document; an empty list means it may be published. */
export function validateServerJson(document: unknown): Problem[] {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return [{ field: "document", message: "must be a JSON object" }];
  }
  const doc = document as Record<string, unknown>;
  const declared = doc.$schema;
  if (declared !== undefined && typeof declared !== "string") return [{ field: "$schema", message: "must be a string" }];
  const validate = schemas().get(declared ?? CURRENT_SCHEMA);
  if (!validate) {
    return [{ field: "$schema", message: `is not a supported schema; use one of ${supportedSchemas().join(", ")}` }];
  }
  // The semantic rules' messages are the clearer ones; schema errors on the same field are dropped.
  const problems: Problem[] = semanticProblems(doc);
  // An oversized list is refused before the schema validator walks every item of it.
  const oversized = arrayProblems(doc);
  if (oversized.length > 0) return [...problems, ...oversized];
  if (!validate(doc)) {
    // anyOf/oneOf branches repeat each other; report each (field, message) once.
    const seen = new Set<string>();
    for (const p of (validate.errors ?? []).map(problemOf)) {
      const key = `${p.field}\u0000${p.message}`;
      if (!seen.has(key) && !problems.some((q) => q.field === p.field)) {
        seen.add(key);
        problems.push(p);
      }
    }
  }
  return problems;
}

/** The official registry's rules beyond the schema (the older schemas lack some of them). */
function semanticProblems(doc: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const { name, version, description } = doc;
  if (typeof name === "string") {
    if (name.length < NAME_MIN || name.length > NAME_MAX) {
      problems.push({ field: "name", message: `must be ${NAME_MIN} to ${NAME_MAX} characters` });
    } else if (!NAME_PATTERN.test(name)) {
      problems.push({
        field: "name",
        message: "must be a reverse-DNS namespace and a server name with exactly one '/', such as io.github.user/weather",
      });
    }
  }
  if (typeof version === "string") {
    const problem = versionProblem(version);
    if (problem) problems.push({ field: "version", message: problem });
  }
  if (typeof description === "string" && [...description].length > DESCRIPTION_MAX) {
    problems.push({ field: "description", message: `must be at most ${DESCRIPTION_MAX} characters` });
  }
  return problems;
}

/** Lists longer than ARRAY_LIMITS (or ARRAY_MAX) allows. Iterative: the document may be deep. */
function arrayProblems(doc: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const stack: { value: unknown; field: string; place: string }[] = [{ value: doc, field: "", place: "" }];
  while (stack.length > 0) {
    const { value, field, place } = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (Array.isArray(value)) {
      const limit = ARRAY_LIMITS.get(place) ?? ARRAY_MAX;
      if (value.length > limit) {
        problems.push({ field: field || "document", message: `must have at most ${limit} items` });
        continue;
      }
      value.forEach((item, i) => stack.push({ value: item, field: `${field}.${i}`, place: `${place}[]` }));
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      stack.push({ value: item, field: field ? `${field}.${key}` : key, place: place ? `${place}.${key}` : key });
    }
  }
  return problems.sort((a, b) => a.field.localeCompare(b.field));
}
