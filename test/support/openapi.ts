// Validates response bodies against an OpenAPI 3.1 document's response schemas with a
// JSON Schema 2020-12 validator (the dialect OpenAPI 3.1 uses), so that tests check
// shapes against the contract instead of by hand. Generic: any YAML or JSON document.
import fs from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import YAML from "yaml";

type Formats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as Formats;

export type OpenApiSpec = {
  document: Record<string, unknown>;
  ajv: Ajv2020;
  id: string;
  compiled: Map<string, ValidateFunction>;
};

/** Loads a YAML (or JSON) OpenAPI document from a file, or takes one already parsed. */
export function loadOpenApi(source: string | Record<string, unknown>): OpenApiSpec {
  const document =
    typeof source === "string" ? (YAML.parse(fs.readFileSync(source, "utf8")) as Record<string, unknown>) : source;
  const id = typeof document.$id === "string" ? document.$id : "urn:openapi:document";
  // `example`, `openapi`, `paths`... are not JSON Schema keywords; strict mode would refuse them.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: id });
  return { document, ajv, id, compiled: new Map() };
}

const pointer = (segment: string) => encodeURIComponent(segment.replace(/~/g, "~0").replace(/\//g, "~1"));

/**
 * Checks `body` against the schema the document declares for (method, path template,
 * status) with content type application/json. Throws if the document declares none
 * (a test must not pass by validating against nothing); returns the errors, or [].
 */
export function responseErrors(
  spec: OpenApiSpec,
  method: string,
  pathTemplate: string,
  status: number | string,
  body: unknown,
): string[] {
  const key = `${method.toLowerCase()} ${pathTemplate} ${status}`;
  let validate = spec.compiled.get(key);
  if (!validate) {
    const paths = spec.document.paths as Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    const responses = paths[pathTemplate]?.[method.toLowerCase()]?.responses;
    const response = (responses?.[String(status)] ?? responses?.default) as
      | { content?: Record<string, { schema?: unknown }> }
      | undefined;
    if (!response?.content?.["application/json"]?.schema) {
      throw new Error(`the OpenAPI document declares no application/json schema for ${key}`);
    }
    const statusKey = responses?.[String(status)] ? String(status) : "default";
    const ref = `${spec.id}#/paths/${pointer(pathTemplate)}/${method.toLowerCase()}/responses/${statusKey}/content/${pointer("application/json")}/schema`;
    validate = spec.ajv.compile({ $ref: ref });
    spec.compiled.set(key, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"} ${JSON.stringify(e.params)}`);
}

/** Like responseErrors, but throws with every error listed. */
export function validateResponse(
  spec: OpenApiSpec,
  method: string,
  pathTemplate: string,
  status: number | string,
  body: unknown,
): void {
  const errors = responseErrors(spec, method, pathTemplate, status, body);
  if (errors.length > 0) {
    throw new Error(`response to ${method.toUpperCase()} ${pathTemplate} (${status}) breaks the contract:\n${errors.join("\n")}`);
  }
}
