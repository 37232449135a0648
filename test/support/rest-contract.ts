// Checks a REST response against the served /openapi.json: the path and method must be
// described, the status documented for them, the declared headers present and valid,
// and a JSON body valid against the response schema (JSON Schema 2020-12, as OpenAPI
// 3.1 uses). Suites call it on every response they receive.
import type { ValidateFunction } from "ajv/dist/2020.js";
import { expect } from "vitest";
import { loadOpenApi, responseErrors } from "./openapi.ts";

type Schema = Record<string, unknown>;
type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, ResponseSpec> }>>;
  components: { schemas: Record<string, Schema>; headers: Record<string, { schema: Schema }> };
};
type ResponseSpec = { headers?: Record<string, { $ref?: string; schema?: Schema }>; content?: Record<string, { schema: Schema }> };

export type Contract = {
  /** Fails the test when the response does not match the document. */
  check(method: string, url: string, response: { status: number; headers: Headers; text: string }): void;
  doc: Doc;
};

const cache = new Map<string, Promise<Contract>>();

export function restContract(baseUrl: string): Promise<Contract> {
  let contract = cache.get(baseUrl);
  if (!contract) {
    contract = load(baseUrl);
    cache.set(baseUrl, contract);
  }
  return contract;
}

async function load(baseUrl: string): Promise<Contract> {
  const res = await fetch(`${baseUrl}/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as Doc;
  const api = loadOpenApi(doc as unknown as Record<string, unknown>);
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(
      `^${template
        .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
        .replace("{service_path}", "(.+)")
        .replace(/\{[^}]+\}/g, "([^/]+)")}$`,
    ),
  }));
  const headerValidators = new Map<string, ValidateFunction>();
  const headerValidator = (schema: Schema) => {
    const key = JSON.stringify(schema);
    let v = headerValidators.get(key);
    if (!v) {
      v = api.ajv.compile(schema);
      headerValidators.set(key, v);
    }
    return v;
  };

  return {
    doc,
    check(method, url, response) {
      const pathname = new URL(url, baseUrl).pathname;
      const where = `${method} ${pathname} → ${response.status}`;
      const match = templates.find((t) => t.pattern.test(pathname));
      expect(match, `${where}: path not in /openapi.json`).toBeDefined();
      const operation = doc.paths[match!.template]?.[method.toLowerCase()];
      expect(operation, `${where}: method not in /openapi.json`).toBeDefined();
      const spec = operation!.responses[String(response.status)];
      expect(spec, `${where}: status not documented`).toBeDefined();

      for (const [name, header] of Object.entries(spec!.headers ?? {})) {
        const schema = header.$ref ? doc.components.headers[header.$ref.split("/").pop()!]?.schema : header.schema;
        const value = response.headers.get(name);
        // Rate-limit headers are promised on every API response; others when present.
        if (name.startsWith("X-RateLimit-") || name === "Retry-After") {
          expect(value, `${where}: header ${name} missing`).not.toBeNull();
        }
        if (value !== null && schema) {
          const v = headerValidator(schema);
          expect(v(value), `${where}: header ${name}=${value}: ${api.ajv.errorsText(v.errors)}`).toBe(true);
        }
      }

      const contentType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
      const content = spec!.content;
      if (!content) return;
      const media = content[contentType];
      expect(media, `${where}: content type ${contentType} not documented (${Object.keys(content).join(", ")})`).toBeDefined();
      if (contentType !== "application/json") return;
      let body: unknown;
      expect(() => (body = JSON.parse(response.text)), `${where}: body is not JSON`).not.toThrow();
      const errors = responseErrors(api, method, match!.template, response.status, body);
      expect(errors, `${where}: ${errors.join("; ")}\n${response.text.slice(0, 500)}`).toEqual([]);
    },
  };
}
