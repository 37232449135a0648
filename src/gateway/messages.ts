// Per-tool authorisation on the wire, for JSON-RPC bodies: what a client may send to an upstream
// (screenRequest) and what of an upstream's answers it may see (filterMessage, filterJsonBody).
//
// Two rules make framing tricks useless:
//   - Decisions are taken on the parsed value, and what goes on is re-serialized from that same
//     value. Duplicate keys, unicode escapes (`tools\u002fcall`) and whitespace never reach the
//     other side in a form that side could read differently from the gateway.
//   - Lists are filtered by shape, not by the request they answer: every message whose
//     `result.tools` / `prompts` / `resources` / `resourceTemplates` is there gets filtered,
//     whatever its id, so replayed, re-numbered or unsolicited answers cannot slip past.
//
// Batches: a batch is forwarded only when every message in it may go; otherwise the gateway
// answers the whole batch itself (an error per request in it) and the upstream sees none of it.
// Half-forwarding would need the gateway to merge its own errors into the upstream's answer,
// JSON or SSE, and batches left the MCP specification in 2025-06-18 anyway.
import type { Allow } from "./target.ts";

export type JsonRpcId = string | number;

/** JSON-RPC and MCP error codes the gateway answers with. */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  invalidParams: -32602,
  internalError: -32603,
  /** MCP's "resource not found": a resource the caller may not read looks absent. */
  resourceNotFound: -32002,
} as const;

export type Denial = { kind: "tool" | "prompt" | "resource"; name: string; id: JsonRpcId | null };

export type RequestScreen =
  | {
      kind: "forward";
      /** Re-serialized from the parsed value: the upstream sees exactly what was checked. */
      body: string;
      /** The tools/call requests in the body (requests only: a notification has no outcome). */
      toolCalls: { id: JsonRpcId; name: string }[];
      methods: string[];
    }
  | {
      kind: "reply";
      /** 200 when the messages were valid but refused (the client reads the JSON-RPC errors); 400 when invalid. */
      status: number;
      /** One JSON-RPC error, or an array of them for a batch. */
      body: string;
      /** What the policy refused, for the gateway's log and its `denied("tool")` hook. */
      denied: Denial[];
    };

/** Methods whose subject (a tool, prompt or resource) the policy can refuse. */
const GUARDED = new Set(["tools/call", "prompts/get", "resources/read", "resources/subscribe", "completion/complete"]);
const GUARDED_CANONICAL = new Map([...GUARDED].map((m) => [canonical(m), m]));

type Verdict =
  | { ok: true; message: Record<string, unknown>; method: string | undefined; toolCall?: { id: JsonRpcId; name: string } }
  | { ok: false; id: JsonRpcId | null; code: number; message: string; invalid: boolean; denial?: Denial };

/** Parses and screens a request body; unparsable text is a -32700 reply. */
export function screenText(text: string, allow: Allow): RequestScreen {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return reply(400, errorObject(null, RPC.parseError, "Parse error: the body is not JSON"), []);
  }
  return screenRequest(parsed, allow);
}

/** Decides whether a parsed client message (or batch) may reach the upstream. */
export function screenRequest(parsed: unknown, allow: Allow): RequestScreen {
  const batch = Array.isArray(parsed);
  const items: unknown[] = batch ? parsed : [parsed];
  if (batch && items.length === 0) {
    return reply(400, errorObject(null, RPC.invalidRequest, "Invalid Request: an empty batch"), []);
  }
  const verdicts = items.map((item) => screenOne(item, allow));
  const refused = verdicts.filter((v): v is Extract<Verdict, { ok: false }> => !v.ok);
  if (refused.length === 0) {
    let body: string;
    try {
      body = JSON.stringify(parsed);
    } catch {
      // Only nesting deep enough to exhaust the stack gets here.
      return reply(400, errorObject(null, RPC.invalidRequest, "Invalid Request: nested too deeply"), []);
    }
    const toolCalls: { id: JsonRpcId; name: string }[] = [];
    const methods: string[] = [];
    for (const v of verdicts as Extract<Verdict, { ok: true }>[]) {
      if (v.method !== undefined) methods.push(v.method);
      if (v.toolCall) toolCalls.push(v.toolCall);
    }
    return { kind: "forward", body, toolCalls, methods };
  }

  const status = refused.some((v) => v.invalid) ? 400 : 200;
  const denied = refused.flatMap((v) => (v.denial ? [v.denial] : []));
  if (!batch) {
    const v = refused[0]!;
    return reply(status, errorObject(v.id, v.code, v.message), denied);
  }
  // A batch answer holds one error per request (a message with an id) and per invalid message;
  // the requests that were fine are refused with the batch.
  const errors: object[] = [];
  for (const v of verdicts) {
    if (!v.ok) {
      if (v.id !== null || v.invalid) errors.push(errorObject(v.id, v.code, v.message));
    } else {
      const id = requestId(v.message);
      if (id !== undefined) {
        errors.push(errorObject(id, RPC.invalidRequest, "Not forwarded: another message in the batch was refused"));
      }
    }
  }
  if (errors.length === 0) {
    const v = refused[0]!;
    errors.push(errorObject(null, v.code, v.message));
  }
  return reply(status, JSON.stringify(errors), denied);
}

function screenOne(item: unknown, allow: Allow): Verdict {
  if (!isRecord(item) || item.jsonrpc !== "2.0") {
    return invalid(isRecord(item) ? validId(item.id) : null, "Invalid Request: not a JSON-RPC 2.0 message");
  }
  const hasId = Object.hasOwn(item, "id");
  const id = validId(item.id);
  if (hasId && id === null) return invalid(null, "Invalid Request: an id must be a string or a finite number");
  if (!allow.all && Object.hasOwn(item, "__proto__")) return invalid(id, "Invalid Request: __proto__ keys are not accepted");

  if (!Object.hasOwn(item, "method")) {
    // A client's answer to a server's request (sampling, elicitation, roots).
    const answers = Number(Object.hasOwn(item, "result")) + Number(Object.hasOwn(item, "error"));
    if (!hasId || answers !== 1) return invalid(id, "Invalid Request: neither a request, a notification nor a response");
    return { ok: true, message: item, method: undefined };
  }
  const method = item.method;
  if (typeof method !== "string" || method.length === 0) return invalid(id, "Invalid Request: method must be a string");
  const params = item.params;
  if (params !== undefined && (typeof params !== "object" || params === null)) {
    return invalid(id, "Invalid Request: params must be an object or an array");
  }
  const toolCall = method === "tools/call" && id !== null && isRecord(params) && typeof params.name === "string"
    ? { id, name: params.name }
    : undefined;
  if (allow.all) return { ok: true, message: item, method, toolCall };

  // Restricted: a method that an upstream might take for a guarded one (case, NFKC look-alikes,
  // stray characters or separators) is refused rather than guessed at.
  const guarded = GUARDED.has(method);
  if (!guarded && GUARDED_CANONICAL.has(canonical(method))) {
    return invalid(id, `Invalid Request: unknown method ${JSON.stringify(method)}`);
  }
  if (isRecord(params) && Object.hasOwn(params, "__proto__")) {
    return invalid(id, "Invalid Request: __proto__ keys are not accepted");
  }
  if (!guarded) return { ok: true, message: item, method, toolCall };
  if (id === null) return invalid(null, `Invalid Request: ${method} must be a request with an id`);
  if (!isRecord(params)) return refuse(id, RPC.invalidParams, `Invalid params: ${method} needs params`);

  switch (method) {
    case "tools/call": {
      const name = params.name;
      if (typeof name !== "string") return refuse(id, RPC.invalidParams, "Invalid params: tools/call needs a tool name");
      if (!allow.tool(name)) return deny(id, "tool", name, RPC.invalidParams, `Tool ${JSON.stringify(name)} is not available to you`);
      break;
    }
    case "prompts/get": {
      const name = params.name;
      if (typeof name !== "string") return refuse(id, RPC.invalidParams, "Invalid params: prompts/get needs a prompt name");
      if (!allow.prompt(name)) return deny(id, "prompt", name, RPC.invalidParams, `Prompt ${JSON.stringify(name)} is not available to you`);
      break;
    }
    case "resources/read":
    case "resources/subscribe": {
      const uri = params.uri;
      if (typeof uri !== "string") return refuse(id, RPC.invalidParams, `Invalid params: ${method} needs a uri`);
      if (!allow.resource(uri)) return deny(id, "resource", uri, RPC.resourceNotFound, "Resource not found");
      break;
    }
    case "completion/complete": {
      // Completions reveal a prompt's arguments or a resource template's values.
      const ref = params.ref;
      if (!isRecord(ref) || Object.hasOwn(ref, "__proto__")) {
        return refuse(id, RPC.invalidParams, "Invalid params: completion/complete needs a ref");
      }
      if (ref.type === "ref/prompt" && typeof ref.name === "string") {
        if (!allow.prompt(ref.name)) return deny(id, "prompt", ref.name, RPC.invalidParams, `Prompt ${JSON.stringify(ref.name)} is not available to you`);
      } else if (ref.type === "ref/resource" && typeof ref.uri === "string") {
        if (!allow.resource(ref.uri)) return deny(id, "resource", ref.uri, RPC.resourceNotFound, "Resource not found");
      } else {
        return refuse(id, RPC.invalidParams, "Invalid params: completion/complete needs a ref/prompt or ref/resource");
      }
      break;
    }
  }
  return { ok: true, message: item, method, toolCall };
}

export type FilteredMessage = { ok: true; message: unknown } | { ok: false };

/**
 * Removes what the caller may not see from an upstream's message or batch. With `allow.all` the
 * message comes back as it is. When restricted, something that is not a JSON-RPC message (or a
 * batch of them) is refused as a whole (`ok: false`) and a batch loses its non-message entries.
 * Returns new objects; the input is not changed.
 */
export function filterMessage(message: unknown, allow: Allow): FilteredMessage {
  if (allow.all) return { ok: true, message };
  if (Array.isArray(message)) {
    const out: unknown[] = [];
    for (const item of message) {
      const filtered = filterOne(item, allow);
      if (filtered !== undefined) out.push(filtered);
    }
    return out.length === 0 ? { ok: false } : { ok: true, message: out };
  }
  const filtered = filterOne(message, allow);
  return filtered === undefined ? { ok: false } : { ok: true, message: filtered };
}

/**
 * A whole JSON answer of an upstream: parse, filter, re-serialize. An answer that is not JSON-RPC
 * fails closed: the caller gets a JSON-RPC error (for each of `ids`, the requests it answers)
 * and never the upstream's text.
 */
export function filterJsonBody(text: string, allow: Allow, ids: readonly JsonRpcId[] = []): string {
  if (allow.all) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return upstreamGarbage(ids);
  }
  const filtered = filterMessage(parsed, allow);
  if (!filtered.ok) return upstreamGarbage(ids);
  try {
    return JSON.stringify(filtered.message);
  } catch {
    return upstreamGarbage(ids);
  }
}

const LISTS: readonly (readonly [string, (entry: Record<string, unknown>, allow: Allow) => boolean])[] = [
  ["tools", (e, a) => typeof e.name === "string" && a.tool(e.name)],
  ["prompts", (e, a) => typeof e.name === "string" && a.prompt(e.name)],
  ["resources", (e, a) => typeof e.uri === "string" && a.resource(e.uri)],
  ["resourceTemplates", (e, a) => typeof e.uriTemplate === "string" && a.resource(e.uriTemplate)],
];

function filterOne(item: unknown, allow: Allow): Record<string, unknown> | undefined {
  if (!isRecord(item) || item.jsonrpc !== "2.0") return undefined;
  // A copy without own `__proto__` keys: a client that merges the message with Object.assign
  // would otherwise take that key's value as the prototype and read hidden lists through it.
  const message = withoutProto(item);
  const result = message.result;
  if (!isRecord(result)) return message;
  let copy: Record<string, unknown> | undefined;
  if (Object.hasOwn(result, "__proto__")) copy = withoutProto(result);
  for (const [key, allowed] of LISTS) {
    if (!Object.hasOwn(result, key)) continue;
    const list = result[key];
    copy ??= withoutProto(result);
    // A list that is not an array is not one a client could read; it is dropped, not passed.
    copy[key] = Array.isArray(list) ? list.filter((e) => isRecord(e) && allowed(e, allow)) : [];
  }
  if (copy) message.result = copy;
  return message;
}

function withoutProto(record: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...record };
  if (Object.hasOwn(copy, "__proto__")) delete copy["__proto__"];
  return copy;
}

function upstreamGarbage(ids: readonly JsonRpcId[]): string {
  const text = "The upstream's answer was not valid JSON-RPC";
  if (ids.length <= 1) return JSON.stringify(errorObject(ids[0] ?? null, RPC.internalError, text));
  return JSON.stringify(ids.map((id) => errorObject(id, RPC.internalError, text)));
}

/** A JSON-RPC error message (as an object, for batches, or serialize it yourself). */
export function errorObject(id: JsonRpcId | null, code: number, message: string, data?: unknown): object {
  return { jsonrpc: "2.0", id, error: data === undefined ? { code, message } : { code, message, data } };
}

/** A JSON-RPC error message, serialized. */
export function jsonRpcError(id: JsonRpcId | null, code: number, message: string, data?: unknown): string {
  return JSON.stringify(errorObject(id, code, message, data));
}

function reply(status: number, body: string | object, denied: Denial[]): RequestScreen {
  return { kind: "reply", status, body: typeof body === "string" ? body : JSON.stringify(body), denied };
}

function invalid(id: JsonRpcId | null, message: string): Verdict {
  return { ok: false, id, code: RPC.invalidRequest, message, invalid: true };
}

function refuse(id: JsonRpcId, code: number, message: string): Verdict {
  return { ok: false, id, code, message, invalid: false };
}

function deny(id: JsonRpcId, kind: Denial["kind"], name: string, code: number, message: string): Verdict {
  return { ok: false, id, code, message, invalid: false, denial: { kind, name, id } };
}

function requestId(message: Record<string, unknown>): JsonRpcId | undefined {
  if (!Object.hasOwn(message, "method")) return undefined;
  return validId(message.id) ?? undefined;
}

function validId(id: unknown): JsonRpcId | null {
  if (typeof id === "string") return id;
  if (typeof id === "number" && Number.isFinite(id)) return id;
  return null;
}

function canonical(method: string): string {
  return method.normalize("NFKC").toLowerCase().replace(/[^a-z0-9]/g, "");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
