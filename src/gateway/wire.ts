// The JSON-RPC the gateway reads on the wire: screening a client's request against what
// the caller may use, and reading (and filtering) the upstream's answers, JSON or SSE.
// One place, so that the passthrough and the SSE bridge share one reading.
import { Transform, type TransformCallback } from "node:stream";
import type { Allow } from "./target.ts";

export type JsonRpcId = string | number;
export type JsonRpcMessage = {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
};

export type JsonRpcErrorBody = { jsonrpc: "2.0"; id: JsonRpcId | null; error: { code: number; message: string; data?: unknown } };

export function jsonRpcError(id: JsonRpcId | null, code: number, message: string, data?: unknown): JsonRpcErrorBody {
  return { jsonrpc: "2.0", id, error: data === undefined ? { code, message } : { code, message, data } };
}

/** A tools/call in a request: its id (to find its answer) and the tool's name. */
export type ToolCall = { id: JsonRpcId | null; name: string };

export type Screened =
  /** Send `body` upstream; `filterAnswers`: its answers hold lists that must be cut to what is allowed. */
  | { forward: true; body: Buffer; toolCalls: ToolCall[]; filterAnswers: boolean }
  /** Answer the client with this, send nothing upstream. */
  | { forward: false; status: number; reply: unknown; deniedTools: string[] };

const LISTS = new Set(["tools/list", "prompts/list", "resources/list", "resources/templates/list"]);

function messagesOf(parsed: unknown): unknown[] {
  return Array.isArray(parsed) ? parsed : [parsed];
}

function idOf(message: JsonRpcMessage): JsonRpcId | null {
  return typeof message.id === "string" || typeof message.id === "number" ? message.id : null;
}

function field(params: unknown, name: string): unknown {
  return typeof params === "object" && params !== null && Object.hasOwn(params, name) ? (params as Record<string, unknown>)[name] : undefined;
}

/** Screens a parsed request body: refuses calls the caller may not make, names the tools it calls. */
export function screen(parsed: unknown, allow: Allow): Screened {
  const toolCalls: ToolCall[] = [];
  const denied: { id: JsonRpcId | null; name: string }[] = [];
  let filterAnswers = false;
  for (const raw of messagesOf(parsed)) {
    if (typeof raw !== "object" || raw === null) continue;
    const message = raw as JsonRpcMessage;
    if (typeof message.method !== "string") continue;
    if (LISTS.has(message.method)) filterAnswers = !allow.all;
    if (message.method === "tools/call") {
      const name = field(message.params, "name");
      const tool = typeof name === "string" ? name : "";
      if (!allow.tool(tool)) denied.push({ id: idOf(message), name: tool });
      else toolCalls.push({ id: idOf(message), name: tool });
    } else if (message.method === "prompts/get") {
      const name = field(message.params, "name");
      if (!allow.prompt(typeof name === "string" ? name : "")) denied.push({ id: idOf(message), name: "" });
    } else if (message.method === "resources/read" || message.method === "resources/subscribe") {
      const uri = field(message.params, "uri");
      if (!allow.resource(typeof uri === "string" ? uri : "")) denied.push({ id: idOf(message), name: "" });
    }
  }
  if (denied.length > 0) {
    const replies = denied.map((d) => jsonRpcError(d.id, -32003, d.name ? `Tool ${JSON.stringify(d.name)} is not allowed` : "Not allowed"));
    return { forward: false, status: 200, reply: Array.isArray(parsed) ? replies : replies[0], deniedTools: denied.map((d) => d.name).filter((n) => n) };
  }
  return { forward: true, body: Buffer.from(JSON.stringify(parsed)), toolCalls, filterAnswers };
}

/** A JSON answer cut to what the caller may see. */
export function filterAnswer(parsed: unknown, _allow: Allow): unknown {
  return parsed;
}

/**
 * Parses an SSE stream as it passes, hands every JSON-RPC message to `onMessage`, and
 * writes each event on as soon as it is complete.
 */
export function sseTransform(_allow: Allow, onMessage: (message: JsonRpcMessage) => void): Transform {
  let pending = "";
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      pending += chunk.toString("utf8");
      let end: number;
      let out = "";
      while ((end = pending.search(/\r?\n\r?\n/)) !== -1) {
        const sep = /\r?\n\r?\n/.exec(pending.slice(end))![0];
        const event = pending.slice(0, end);
        pending = pending.slice(end + sep.length);
        const data = event
          .split(/\r?\n/)
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).replace(/^ /, ""))
          .join("\n");
        if (data) {
          try {
            for (const m of messagesOf(JSON.parse(data))) if (typeof m === "object" && m !== null) onMessage(m as JsonRpcMessage);
          } catch {
            // not JSON: passed on as it came
          }
        }
        out += event + sep;
      }
      callback(null, out === "" ? undefined : out);
    },
    flush(callback) {
      callback(null, pending === "" ? undefined : pending);
    },
  });
}

/** Calls `onMessage` for each message of a JSON answer body. */
export function eachMessage(parsed: unknown, onMessage: (message: JsonRpcMessage) => void): void {
  for (const m of messagesOf(parsed)) if (typeof m === "object" && m !== null) onMessage(m as JsonRpcMessage);
}
