// Streamable HTTP to a Streamable HTTP upstream: the screened request goes up with the
// server's stored credential and none of the client's, the answer comes back as it is
// written (an SSE answer event by event, through the filter), and a client that goes
// away takes the upstream request with it. The upstream timeout counts from the last
// sign of life: the request, and each notifications/progress the upstream sends.
import type http from "node:http";
import type { Readable, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { Dispatcher } from "undici";
import type { EndReason } from "./credential-watch.ts";
import type { GatewayTarget, ToolCallOutcome } from "./target.ts";
import { filterJsonBody, jsonRpcError, RPC, type JsonRpcId } from "./messages.ts";
import { createSseFilter } from "./sse-stream.ts";

/** Request headers a client's request carries upstream; nothing else (no Authorization, Cookie, X-Forwarded-*). */
const FORWARDED = ["accept", "content-type", "mcp-session-id", "mcp-protocol-version", "last-event-id"] as const;
/** Answer headers passed back to the client. */
const RETURNED = ["content-type", "mcp-session-id", "mcp-protocol-version", "cache-control", "allow", "retry-after"] as const;
/** A JSON answer this long is passed on without being read for the call's outcome. */
const OUTCOME_READ_LIMIT = 1024 * 1024;
/**
 * For a restricted caller every SSE event is read whole before it is passed on (its lists
 * filtered); an event larger than this ends the stream. Callers allowed everything get events of
 * any size, unread beyond this.
 */
export const MAX_EVENT_BYTES = 64 * 1024 * 1024;

/** What calls still waiting on a stream that ended are told. */
const END_MESSAGES: Record<EndReason, string> = {
  credential: "Your credential ended; sign in again",
  access: "You may no longer use this server",
  server: "The server was disabled, removed or changed; connect again",
};

type Message = { id?: unknown; method?: unknown; result?: unknown; error?: unknown };

class UpstreamTimeout extends Error {
  override name = "UpstreamTimeout";
}

/** The caller's credential ended (logout, revocation, expiry), or its access to the server did, while its stream was open. */
class CredentialEnded extends Error {
  override name = "CredentialEnded";
  constructor(readonly why: EndReason) {
    super(why);
  }
}

export type Forward = {
  method: "GET" | "POST" | "DELETE";
  /** The screened body (POST). */
  body?: string;
  toolCalls?: { id: JsonRpcId; name: string }[];
  /** The ids of the requests in the body: a JSON answer that cannot be read gets an error for each. */
  ids?: JsonRpcId[];
  sessionId: string | null;
};

export async function passThrough(req: http.IncomingMessage, res: http.ServerResponse, target: GatewayTarget, forward: Forward): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = req.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  Object.assign(headers, target.upstreamHeaders);

  const controller = new AbortController();
  const started = performance.now();
  const pending = new Map<string, { name: string; at: number }>();
  for (const call of forward.toolCalls ?? []) pending.set(JSON.stringify(call.id), { name: call.name, at: started });
  const settle = (id: unknown, outcome: ToolCallOutcome) => {
    const key = JSON.stringify(id ?? null);
    const call = pending.get(key);
    if (!call) return;
    pending.delete(key);
    target.observer.toolCall({
      subject: target.caller.subject,
      authMethod: target.caller.authMethod,
      username: target.caller.username,
      tokenHint: target.caller.tokenHint,
      path: target.path,
      tool: call.name,
      outcome,
      latencyMs: Math.round((performance.now() - call.at) * 100) / 100,
      sessionId: forward.sessionId,
    });
  };
  const settleAll = (outcome: ToolCallOutcome) => {
    for (const key of [...pending.keys()]) settle(JSON.parse(key) as unknown, outcome);
  };
  const onMessage = (raw: unknown) => {
    if (typeof raw !== "object" || raw === null) return;
    const message = raw as Message;
    if (message.method === "notifications/progress") timer?.refresh();
    else if (message.method === undefined && message.id !== undefined) {
      const failed = message.error !== undefined || (typeof message.result === "object" && message.result !== null && (message.result as { isError?: unknown }).isError === true);
      settle(message.id, failed ? "error" : "ok");
    }
  };

  // GET is the server-to-client stream: it may stay quiet for as long as the session lives.
  let timer: NodeJS.Timeout | undefined =
    forward.method === "GET" ? undefined : setTimeout(() => controller.abort(new UpstreamTimeout()), target.timeoutMs);
  let clientGone = false;
  let sse = false;
  let unbind: (() => void) | undefined;
  const onClose = () => {
    if (res.writableFinished) return;
    clientGone = true;
    controller.abort();
  };
  res.on("close", onClose);

  let answer: Dispatcher.ResponseData;
  try {
    answer = await target.dispatcher.request({
      origin: target.upstreamUrl.origin,
      path: `${target.upstreamUrl.pathname}${target.upstreamUrl.search}`,
      method: forward.method,
      headers,
      body: forward.body,
      signal: controller.signal,
      // The gateway keeps its own clock (reset by progress); streams may idle.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  } catch (err) {
    clearTimeout(timer);
    res.off("close", onClose);
    const timedOut = controller.signal.reason instanceof UpstreamTimeout;
    settleAll(clientGone ? "aborted" : timedOut ? "timeout" : "upstream_error");
    if (clientGone) return;
    const reason = timedOut ? "timeout" : ((err as { code?: string }).code ?? (err as Error).name);
    target.observer.upstreamError(target.path, reason);
    replyError(res, timedOut ? 504 : 502, timedOut ? "The server did not answer in time" : "The server could not be reached", firstId(forward));
    return;
  }

  const contentType = String(answer.headers["content-type"] ?? "");
  const out: Record<string, string> = {};
  for (const name of RETURNED) {
    const value = answer.headers[name];
    if (typeof value === "string") out[name] = value;
  }
  const status = answer.statusCode;
  if (status === 401 || status === 403) {
    // The upstream refused the registry's stored credential: the client's own sign-in is fine.
    await answer.body.dump().catch(() => undefined);
    clearTimeout(timer);
    res.off("close", onClose);
    settleAll("upstream_error");
    target.observer.upstreamError(target.path, `HTTP ${status}`);
    replyError(res, 502, "The server refused the gateway's credential", firstId(forward));
    return;
  }
  if (status === 405 && forward.method === "GET") out.allow = out.allow ?? "POST, DELETE";

  try {
    if (contentType.startsWith("text/event-stream")) {
      // A stream may last as long as the session: it ends with the caller's credential.
      unbind = target.credential.bind((why) => controller.abort(new CredentialEnded(why)));
      if (!unbind) {
        answer.body.destroy();
        settleAll("upstream_error");
        replyError(res, 503, "Too many open streams; try again later", firstId(forward), { "retry-after": "5" });
        return;
      }
      const ended = target.observer.streamOpened(target.path);
      out["cache-control"] = "no-cache";
      out["x-accel-buffering"] = "no";
      res.writeHead(status, out);
      res.flushHeaders();
      // The client's side is piped rather than part of the pipeline: when the upstream is cut
      // off (timeout), the client's stream stays open for the calls' error events.
      // Unrestricted, an event is read only if a call still waits for its answer or it may be progress.
      const wants = (data: string) => pending.size > 0 || data.includes("progress");
      const transform = createSseFilter({ allow: target.allow, maxEventBytes: MAX_EVENT_BYTES, onMessage, wants });
      transform.pipe(res);
      sse = true;
      try {
        await pump(answer.body, transform);
        await finished(res);
      } finally {
        ended();
      }
    } else if (!target.allow.all && contentType.startsWith("application/json")) {
      // A restricted caller sees a JSON answer only once it is read and its lists are cut.
      const body = filterJsonBody(await answer.body.text(), target.allow, forward.ids ?? []);
      readOutcomes(body, onMessage);
      out["content-length"] = String(Buffer.byteLength(body));
      res.writeHead(status, out);
      res.end(body);
    } else if (!target.allow.all && status >= 200 && status < 300 && status !== 202 && status !== 204) {
      // Fail closed: an answer the filter cannot read does not reach a restricted caller.
      await answer.body.dump().catch(() => undefined);
      clearTimeout(timer);
      settleAll("upstream_error");
      target.observer.upstreamError(target.path, `content-type ${contentType || "none"}`);
      replyError(res, 502, "The server's answer was not JSON-RPC", firstId(forward), {}, RPC.internalError);
    } else {
      // Passed on as it comes; a tools/call answer is also read (up to a limit) for its outcome.
      // The upstream's length, when it gave one, spares the chunked framing (and a write).
      const length = answer.headers["content-length"];
      if (typeof length === "string") out["content-length"] = length;
      res.writeHead(status, out);
      const kept: Buffer[] = [];
      let keptBytes = 0;
      const reading = pending.size > 0;
      if (reading) {
        answer.body.on("data", (chunk: Buffer) => {
          keptBytes += chunk.length;
          if (keptBytes <= OUTCOME_READ_LIMIT) kept.push(chunk);
        });
      }
      await pump(answer.body, res);
      if (reading && keptBytes <= OUTCOME_READ_LIMIT) readOutcomes(Buffer.concat(kept).toString("utf8"), onMessage);
      if (status >= 400) settleAll("upstream_error");
      else if (reading && keptBytes > OUTCOME_READ_LIMIT) settleAll("ok");
    }
    settleAll("upstream_error");
  } catch (err) {
    const timedOut = controller.signal.reason instanceof UpstreamTimeout;
    const signedOut = controller.signal.reason instanceof CredentialEnded;
    const ended = signedOut ? END_MESSAGES[(controller.signal.reason as CredentialEnded).why] : "";
    if (signedOut) {
      // Not the upstream's fault: the calls still waiting are told why, and the stream ends.
      if (!res.writableEnded) {
        for (const key of pending.keys()) {
          res.write(`event: message\ndata: ${jsonRpcError(JSON.parse(key) as JsonRpcId | null, -32001, ended)}\n\n`);
        }
        res.end();
      }
    } else if (!clientGone) {
      target.observer.upstreamError(target.path, timedOut ? "timeout" : ((err as { code?: string }).code ?? (err as Error).name));
      const message = timedOut ? "The server did not answer in time" : "The server's answer broke off";
      if (!res.headersSent) replyError(res, timedOut ? 504 : 502, message, firstId(forward));
      else if (sse && !res.writableEnded) {
        // Each call still waiting gets its answer: an error, as one more event.
        for (const key of pending.keys()) {
          res.write(`event: message\ndata: ${jsonRpcError(JSON.parse(key) as JsonRpcId | null, -32001, message)}\n\n`);
        }
        res.end();
      } else res.destroy();
    }
    settleAll(clientGone || signedOut ? "aborted" : timedOut ? "timeout" : "upstream_error");
    answer.body.destroy();
  } finally {
    clearTimeout(timer);
    timer = undefined;
    unbind?.();
    res.off("close", onClose);
  }
}

/**
 * stream.pipeline for one source and one destination, without the AbortController (and the
 * DOMException its abort builds) that pipeline makes on every call: resolves once both are
 * done, and on an error of either destroys both and rejects.
 */
async function pump(source: Readable, dest: Writable): Promise<void> {
  source.pipe(dest);
  try {
    await Promise.all([finished(source), finished(dest)]);
  } catch (err) {
    source.destroy();
    dest.destroy();
    throw err;
  }
}

function firstId(forward: Forward): JsonRpcId | null {
  return forward.ids?.length === 1 ? forward.ids[0]! : null;
}

/** Hands each message of a JSON answer to `onMessage`; an answer that is not JSON leaves the outcomes unknown. */
function readOutcomes(text: string, onMessage: (message: unknown) => void): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return;
  }
  for (const message of Array.isArray(parsed) ? parsed : [parsed]) onMessage(message);
}

/** Writes a JSON-RPC error answer (when nothing has been written yet). */
export function replyError(
  res: http.ServerResponse,
  status: number,
  message: string,
  id: string | number | null = null,
  headers: Record<string, string> = {},
  code = -32000,
  data?: unknown,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = jsonRpcError(id, code, message, data);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "cache-control": "no-store", ...headers });
  res.end(body);
}
