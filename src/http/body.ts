// Reads a request body up to the configured limit. Too large: 413, before it is
// buffered in full; a body shorter than its Content-Length: 400. Parsed bodies
// are checked for text no request may carry (hostile-input.ts): 400.
import type { Context } from "koa";
import getRawBody from "raw-body";
import { HttpError } from "./errors.ts";
import { hostileInputError, textProblem, valueProblem } from "./hostile-input.ts";

export async function readBody(ctx: Context, limitBytes: number): Promise<Buffer> {
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limitBytes) {
    throw new HttpError(413, "PAYLOAD_TOO_LARGE", `Request body is over the limit of ${limitBytes} bytes`);
  }
  try {
    return await getRawBody(ctx.req, { length: declared, limit: limitBytes });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === "entity.too.large") {
      throw new HttpError(413, "PAYLOAD_TOO_LARGE", `Request body is over the limit of ${limitBytes} bytes`);
    }
    if (type === "request.size.invalid" || type === "request.aborted") {
      throw new HttpError(400, "BAD_REQUEST", "Request body did not match its Content-Length");
    }
    throw err;
  }
}

/** Reads an application/x-www-form-urlencoded (or JSON object) body into string fields. 415 for other types. */
export async function readForm(ctx: Context, limitBytes: number): Promise<Record<string, string>> {
  const type = ctx.request.type;
  const raw = await readBody(ctx, limitBytes);
  if (type === "application/x-www-form-urlencoded" || (type === "" && raw.length === 0)) {
    const fields = new URLSearchParams(raw.toString("utf8"));
    for (const [name, value] of fields) {
      const problem = textProblem(name) ?? textProblem(value);
      if (problem) throw hostileInputError(`Form field ${JSON.stringify(name.slice(0, 64))}`, problem);
    }
    return Object.fromEntries(fields);
  }
  if (type === "application/json") {
    return Object.fromEntries(
      Object.entries(jsonObject(raw)).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
  }
  throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "Send application/x-www-form-urlencoded or application/json");
}

/**
 * Like readForm, but a JSON body keeps its JSON values (lists, numbers); form fields are
 * strings. A null-prototype object, so that outside keys are only data.
 */
export async function readFields(ctx: Context, limitBytes: number): Promise<Record<string, unknown>> {
  if (ctx.request.type !== "application/json") return Object.assign(Object.create(null) as object, await readForm(ctx, limitBytes));
  return Object.assign(Object.create(null) as object, jsonObject(await readBody(ctx, limitBytes)));
}

function jsonObject(raw: Buffer): Record<string, unknown> {
  const parsed = parseJsonBody(raw);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, "BAD_REQUEST", "Request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** A JSON body, parsed and checked: 400 when it does not parse, or carries NUL bytes, lone surrogates or deep nesting. */
export function parseJsonBody(raw: Buffer): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new HttpError(400, "BAD_REQUEST", "Request body is not valid JSON");
  }
  const problem = valueProblem(parsed);
  if (problem) throw hostileInputError("Request body:", problem);
  return parsed;
}
