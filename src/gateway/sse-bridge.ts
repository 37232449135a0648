// The legacy HTTP+SSE transport, bridged with the MCP SDK's client transports:
//   - `streamable`: a Streamable HTTP client at /{path}/mcp in front of an upstream that speaks
//     only HTTP+SSE (SSEClientTransport to the upstream);
//   - `sseStream` + `sseMessage`: /{path}/sse and its message endpoint, for clients that speak only
//     HTTP+SSE, in front of an upstream of either transport.
//
// Unlike the passthrough, a bridged session is state in this process: the upstream's SSE stream
// and the map of requests waiting for answers. So the sessions are few (maxSessions), bound to the
// caller and the server that opened them, ended after idleMs without use, and a request of one
// must reach the replica that holds it (anywhere else it is "session not found").
//
// Every message to the client goes through filterMessage with the caller's Allow of the latest
// request, and is written as soon as it arrives. The router has already signed the caller in and
// screened the message (screenRequest), and records refused calls itself; the bridge records the
// outcome of the calls it forwards.
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { SSEClientTransport, SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { fetch as undiciFetch, type Dispatcher } from "undici";
import { filterMessage, jsonRpcError, RPC, type JsonRpcId } from "./messages.ts";
import type { GatewayTarget, ToolCallOutcome } from "./target.ts";
import type { EndReason } from "./credential-watch.ts";

/** Why a bridged session ended, for its log line. */
const ENDED_BECAUSE: Record<EndReason, string> = {
  credential: "the caller's credential ended",
  access: "the access policy no longer lets the caller use this server",
  server: "the server was disabled, removed or changed",
};

export type SseBridgeOptions = {
  /** Bridged sessions held at once by this process; more are refused with 503. */
  maxSessions: number;
  /** A session with no request, no open stream and nothing pending for this long is ended. */
  idleMs: number;
  /** A comment line on every open stream this often, so proxies keep it open (default 15 s). */
  keepAliveMs?: number;
  /** A client that reads slower than this many bytes pile up for it loses its stream (default 8 MiB). */
  maxBufferedBytes?: number;
  /** Where an SSE-only client posts its messages; the default is `{path}/messages?session_id=…`. */
  messageEndpoint?: (path: string, sessionId: string) => string;
};

export type SseBridge = {
  /** GET, POST, DELETE of /{path}/mcp for an upstream whose transport is SSE. `message`: the screened body of a POST. */
  streamable(req: http.IncomingMessage, res: http.ServerResponse, target: GatewayTarget, message?: unknown): Promise<void>;
  /** GET /{path}/sse: the stream whose `endpoint` event names the message endpoint. */
  sseStream(req: http.IncomingMessage, res: http.ServerResponse, target: GatewayTarget): Promise<void>;
  /** POST of the message endpoint; `message` is the screened body. */
  sseMessage(req: http.IncomingMessage, res: http.ServerResponse, target: GatewayTarget, message: unknown): Promise<void>;
  /**
   * The gateway's own answer to an SSE-only client's POST (screenRequest's reply, status 200: a
   * refused call). That transport reads answers only from the stream and ignores the POST's
   * body, so the errors go on the stream and the POST gets 202.
   */
  sseReply(req: http.IncomingMessage, res: http.ServerResponse, target: GatewayTarget, body: string): void;
  /** Ends every session of this caller (a revoked token, a signed-out user): no stream outlives its credential. */
  endSessionsOf(subject: string): Promise<void>;
  /** Sessions held now, for tests and metrics. */
  size(): number;
  close(): Promise<void>;
};

type Message = Record<string, unknown>;

/** A client stream that messages are written to: a POST's answer, or a long-lived GET stream. */
type Sink = { res: http.ServerResponse; open: boolean; pending: number; endWhenAnswered: boolean };

type Pending = {
  id: JsonRpcId;
  method: string;
  tool: string | undefined;
  progressToken: unknown;
  started: number;
  sink: Sink;
  timer: NodeJS.Timeout | undefined;
};

type Session = {
  id: string;
  kind: "streamable" | "legacy";
  path: string;
  subject: string;
  authMethod: string;
  /** The latest request's target: its Allow filters what the client sees from now on. */
  target: GatewayTarget;
  upstream: SSEClientTransport | StreamableHTTPClientTransport;
  pending: Map<string, Pending>;
  /** The client's GET stream: the only sink of a legacy session, the standalone stream of a streamable one. */
  stream: Sink | undefined;
  posts: Set<Sink>;
  /** Server messages that arrived while no client stream was open (bounded). */
  backlog: Message[];
  idleTimer: NodeJS.Timeout | undefined;
  closed: boolean;
  /** The session ends with the credential of its latest request (a client may move to a fresh token). */
  bound: { key: string; unbind: () => void } | undefined;
};

const BACKLOG_MAX = 256;
const CONNECT_TIMEOUT_MS = 30_000;
const SESSION_HEADER = "mcp-session-id";

export function createSseBridge(options: SseBridgeOptions): SseBridge {
  const sessions = new Map<string, Session>();
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const endpointOf = options.messageEndpoint ?? ((path: string, id: string) => `${path}/messages?session_id=${encodeURIComponent(id)}`);
  let closing = false;

  // ---- client side -----------------------------------------------------------------------------

  function replyError(res: http.ServerResponse, status: number, code: number, message: string, id: JsonRpcId | null = null, headers: Record<string, string> = {}): void {
    if (res.headersSent) return void res.end();
    const body = jsonRpcError(id, code, message);
    res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  }

  /** A client stream, bound to the request's credential; undefined (refused with 503) when it cannot be bound. */
  function openSink(res: http.ServerResponse, target: GatewayTarget, headers: Record<string, string>, endWhenAnswered: boolean): Sink | undefined {
    const sink: Sink = { res, open: true, pending: 0, endWhenAnswered };
    const unbind = target.credential.bind(() => endSink(sink));
    if (!unbind) return void replyError(res, 503, RPC.internalError, "Too many open streams; try again later", null, { "retry-after": "5" });
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no", ...headers });
    res.flushHeaders();
    const ping = setInterval(() => writeRaw(sink, ":\n\n"), keepAliveMs);
    ping.unref();
    const closed = observe(() => target.observer.streamOpened(target.path));
    const onClose = () => {
      sink.open = false;
      unbind();
      clearInterval(ping);
      if (closed) observe(closed);
    };
    // Gone before it was opened: "close" has fired already and will not again.
    if (res.destroyed) onClose();
    else res.on("close", onClose);
    return sink;
  }

  function writeRaw(sink: Sink, text: string): void {
    if (!sink.open) return;
    if (sink.res.writableLength > maxBuffered) {
      // A client this far behind would hold the gateway's memory; it can reconnect.
      sink.open = false;
      sink.res.destroy();
      return;
    }
    sink.res.write(text);
  }

  function writeMessage(sink: Sink, message: unknown): void {
    writeRaw(sink, `event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  function endSink(sink: Sink): void {
    if (!sink.open) return;
    sink.open = false;
    sink.res.end();
  }

  // ---- sessions --------------------------------------------------------------------------------

  function find(id: string | undefined, target: GatewayTarget): Session | undefined {
    if (id === undefined) return undefined;
    const session = sessions.get(id);
    // Another caller's (or another server's) session id is as unknown as a made-up one.
    if (!session || session.path !== target.path || session.subject !== target.caller.subject || session.authMethod !== target.caller.authMethod) {
      return undefined;
    }
    return session;
  }

  function fetchFor(target: GatewayTarget): FetchLike {
    const dispatcher: Dispatcher = target.dispatcher;
    // undici's own fetch: the dispatcher is from the npm undici, which Node's built-in fetch does not take.
    return ((url: string | URL, init?: RequestInit) =>
      undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher })) as unknown as FetchLike;
  }

  async function open(kind: Session["kind"], target: GatewayTarget): Promise<Session> {
    const fetch = fetchFor(target);
    const requestInit: RequestInit = { headers: { ...target.upstreamHeaders } };
    const upstream =
      target.transport === "sse"
        ? new SSEClientTransport(target.upstreamUrl, { fetch, requestInit, eventSourceInit: { fetch } })
        : new StreamableHTTPClientTransport(target.upstreamUrl, { fetch, requestInit, reconnectionOptions: { initialReconnectionDelay: 1000, maxReconnectionDelay: 10_000, reconnectionDelayGrowFactor: 2, maxRetries: 2 } });
    const session: Session = {
      id: randomUUID(),
      kind,
      path: target.path,
      subject: target.caller.subject,
      authMethod: target.caller.authMethod,
      target,
      upstream,
      pending: new Map(),
      stream: undefined,
      posts: new Set(),
      backlog: [],
      idleTimer: undefined,
      closed: false,
      bound: undefined,
    };
    let started = false;
    upstream.onmessage = (message) => fromUpstream(session, message as unknown as Message);
    upstream.onclose = () => void end(session, "upstream closed");
    upstream.onerror = (error) => {
      // The SSE stream failed after it was open: EventSource would reconnect into a fresh,
      // uninitialised upstream session, so the bridged session ends instead.
      if (started && error instanceof SseError) void end(session, "upstream stream failed");
    };
    // SSEClientTransport.start() waits for the `endpoint` event and ignores signals: bound the wait,
    // and close the transport on failure, or its EventSource would keep reconnecting.
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("the upstream did not open its stream in time")), Math.min(target.timeoutMs, CONNECT_TIMEOUT_MS));
    });
    try {
      await Promise.race([upstream.start(), limit]);
    } catch (err) {
      upstream.onclose = undefined;
      await upstream.close().catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    started = true;
    sessions.set(session.id, session);
    return session;
  }

  async function end(session: Session, reason: string): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    sessions.delete(session.id);
    session.bound?.unbind();
    clearTimeout(session.idleTimer);
    for (const p of session.pending.values()) {
      clearTimeout(p.timer);
      writeMessage(p.sink, { jsonrpc: "2.0", id: p.id, error: { code: RPC.internalError, message: `The upstream session ended (${reason})` } });
      record(session, p, "upstream_error");
    }
    session.pending.clear();
    if (session.stream) endSink(session.stream);
    for (const sink of session.posts) endSink(sink);
    const upstream = session.upstream;
    upstream.onclose = undefined;
    upstream.onmessage = undefined;
    try {
      if (upstream instanceof StreamableHTTPClientTransport && upstream.sessionId) await upstream.terminateSession();
    } catch {
      // The upstream may be gone already; its session then ends there by itself.
    }
    await upstream.close().catch(() => undefined);
  }

  /** Binds the session to the credential of the request using it now; false when this process holds too many bindings. */
  function bindTo(session: Session, target: GatewayTarget): boolean {
    session.target = target;
    if (session.bound?.key === target.credential.key) return true;
    session.bound?.unbind();
    const unbind = target.credential.bind((why) => void end(session, ENDED_BECAUSE[why]));
    session.bound = unbind ? { key: target.credential.key, unbind } : undefined;
    return unbind !== undefined;
  }

  function touch(session: Session): void {
    clearTimeout(session.idleTimer);
    session.idleTimer = undefined;
    if (session.closed || session.pending.size > 0 || session.stream?.open || [...session.posts].some((s) => s.open)) return;
    session.idleTimer = setTimeout(() => void end(session, "idle"), options.idleMs);
    session.idleTimer.unref();
  }

  function record(session: Session, p: Pending, outcome: ToolCallOutcome): void {
    const tool = p.tool;
    if (tool === undefined) return;
    observe(() =>
      session.target.observer.toolCall({
        subject: session.subject,
        authMethod: session.authMethod,
        username: session.target.caller.username,
        tokenHint: session.target.caller.tokenHint,
        path: session.path,
        tool,
        outcome,
        latencyMs: Date.now() - p.started,
        sessionId: session.id,
      }),
    );
  }

  function keyOf(id: unknown): string {
    return `${typeof id}:${String(id)}`;
  }

  function armTimeout(session: Session, p: Pending): void {
    clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      if (!session.pending.delete(keyOf(p.id))) return;
      writeMessage(p.sink, { jsonrpc: "2.0", id: p.id, error: { code: -32001, message: "Request timed out" } });
      record(session, p, "timeout");
      void session.upstream.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: p.id, reason: "timed out at the gateway" } }).catch(() => undefined);
      answered(session, p.sink);
    }, session.target.timeoutMs);
    p.timer.unref();
  }

  function answered(session: Session, sink: Sink): void {
    sink.pending--;
    if (sink.pending <= 0 && sink.endWhenAnswered) {
      endSink(sink);
      session.posts.delete(sink);
    }
    touch(session);
  }

  /** A message from the upstream: to the request's own stream, else to the session's stream. */
  function fromUpstream(session: Session, message: Message): void {
    const filtered = filterMessage(message, session.target.allow);
    if (!filtered.ok) return;
    const out = filtered.message;
    const isResponse = !Object.hasOwn(message, "method") && Object.hasOwn(message, "id");
    if (isResponse) {
      const p = session.pending.get(keyOf(message.id));
      // An answer to nothing this client asked (a replay, a made-up id) goes nowhere.
      if (!p) return;
      session.pending.delete(keyOf(message.id));
      clearTimeout(p.timer);
      if (p.method === "initialize") {
        const version = (message.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
        if (typeof version === "string") session.upstream.setProtocolVersion?.(version);
      }
      writeMessage(p.sink, out);
      const result = message.result as { isError?: unknown } | undefined;
      record(session, p, Object.hasOwn(message, "error") || result?.isError === true ? "error" : "ok");
      answered(session, p.sink);
      return;
    }
    if (message.method === "notifications/progress") {
      const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
      for (const p of session.pending.values()) {
        if (p.progressToken !== undefined && p.progressToken === token) {
          armTimeout(session, p);
          return writeMessage(p.sink, out);
        }
      }
    }
    const sink = session.stream?.open ? session.stream : [...session.posts].reverse().find((s) => s.open);
    if (sink) return writeMessage(sink, out);
    if (session.backlog.length >= BACKLOG_MAX) session.backlog.shift();
    session.backlog.push(out as Message);
  }

  /** Sends the client's messages upstream; requests wait for their answers on `sink`. */
  async function toUpstream(session: Session, messages: Message[], sink: Sink): Promise<void> {
    for (const m of messages) {
      if (typeof m.method === "string" && (typeof m.id === "string" || typeof m.id === "number")) {
        const params = m.params as { name?: unknown; _meta?: { progressToken?: unknown } } | undefined;
        const p: Pending = {
          id: m.id,
          method: m.method,
          tool: m.method === "tools/call" && typeof params?.name === "string" ? params.name : undefined,
          progressToken: params?._meta?.progressToken,
          started: Date.now(),
          sink,
          timer: undefined,
        };
        session.pending.set(keyOf(m.id), p);
        sink.pending++;
        armTimeout(session, p);
      }
    }
    for (const m of messages) {
      if (session.closed) return;
      try {
        await session.upstream.send(m as unknown as JSONRPCMessage);
      } catch (err) {
        observe(() => session.target.observer.upstreamError(session.path, (err as Error).message));
        const p = session.pending.get(keyOf(m.id));
        if (p && Object.hasOwn(m, "method")) {
          session.pending.delete(keyOf(m.id));
          clearTimeout(p.timer);
          writeMessage(sink, { jsonrpc: "2.0", id: p.id, error: { code: RPC.internalError, message: "The upstream refused the message" } });
          record(session, p, "upstream_error");
          answered(session, sink);
          // A session whose initialize never reached the upstream is of no use to anybody.
          if (p.method === "initialize") await end(session, "initialize failed");
        }
      }
    }
  }

  /** When the client goes away mid-request, the upstream is told to stop. */
  function cancelOnClose(session: Session, sink: Sink): void {
    sink.res.on("close", () => {
      session.posts.delete(sink);
      for (const [key, p] of session.pending) {
        if (p.sink !== sink) continue;
        session.pending.delete(key);
        clearTimeout(p.timer);
        record(session, p, "aborted");
        void session.upstream.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: p.id, reason: "the client went away" } }).catch(() => undefined);
      }
      if (session.kind === "legacy" && sink === session.stream) void end(session, "the client closed its stream");
      else touch(session);
    });
  }

  function messagesOf(message: unknown): Message[] | undefined {
    const list = Array.isArray(message) ? message : [message];
    if (list.length === 0 || !list.every((m) => typeof m === "object" && m !== null && !Array.isArray(m))) return undefined;
    return list as Message[];
  }

  function duplicateId(session: Session, messages: Message[]): JsonRpcId | undefined {
    const seen = new Set<string>();
    for (const m of messages) {
      if (!Object.hasOwn(m, "method") || (typeof m.id !== "string" && typeof m.id !== "number")) continue;
      const key = keyOf(m.id);
      if (session.pending.has(key) || seen.has(key)) return m.id;
      seen.add(key);
    }
    return undefined;
  }

  async function openOrRefuse(res: http.ServerResponse, kind: Session["kind"], target: GatewayTarget): Promise<Session | undefined> {
    if (closing) return void replyError(res, 503, RPC.internalError, "The gateway is shutting down");
    if (sessions.size >= options.maxSessions) {
      return void replyError(res, 503, RPC.internalError, "Too many bridged sessions; try again later", null, { "retry-after": "5" });
    }
    let session: Session;
    try {
      session = await open(kind, target);
    } catch (err) {
      observe(() => target.observer.upstreamError(target.path, (err as Error).message));
      return void replyError(res, 502, RPC.internalError, "The upstream server could not be reached");
    }
    if (bindTo(session, target)) return session;
    await end(session, "too many open streams");
    return void replyError(res, 503, RPC.internalError, "Too many open streams; try again later", null, { "retry-after": "5" });
  }

  // ---- the three entry points ------------------------------------------------------------------

  async function streamable(req: http.IncomingMessage, res: http.ServerResponse, target: GatewayTarget, message?: unknown): Promise<void> {
    const header = req.headers[SESSION_HEADER];
    const sessionId = typeof header === "string" ? header : undefined;

    if (req.method === "GET" || req.method === "DELETE") {
      if (sessionId === undefined) return replyError(res, 400, RPC.invalidRequest, "Bad Request: Mcp-Session-Id header is required");
      const session = find(sessionId, target);
      if (!session || session.kind !== "streamable") return replyError(res, 404, -32001, "Session not found");
      if (!bindTo(session, target)) return replyError(res, 503, RPC.internalError, "Too many open streams; try again later", null, { "retry-after": "5" });
      if (req.method === "DELETE") {
        await end(session, "ended by the client");
        res.writeHead(200).end();
        return;
      }
      if (session.stream?.open) return replyError(res, 409, RPC.invalidRequest, "Conflict: only one stream per session");
      const sink = openSink(res, target, { [SESSION_HEADER]: session.id }, false);
      if (!sink) return;
      session.stream = sink;
      cancelOnClose(session, sink);
      for (const m of session.backlog.splice(0)) writeMessage(sink, m);
      touch(session);
      return;
    }
    if (req.method !== "POST") return replyError(res, 405, RPC.invalidRequest, "Method not allowed", null, { allow: "GET, POST, DELETE" });

    const messages = messagesOf(message);
    if (!messages) return replyError(res, 400, RPC.invalidRequest, "Invalid Request");
    const initialize = messages.some((m) => m.method === "initialize");
    let session: Session | undefined;
    if (initialize) {
      if (sessionId !== undefined || messages.length > 1) {
        return replyError(res, 400, RPC.invalidRequest, "Invalid Request: initialize must be sent alone, outside a session");
      }
      session = await openOrRefuse(res, "streamable", target);
      if (!session) return;
    } else {
      if (sessionId === undefined) return replyError(res, 400, RPC.invalidRequest, "Bad Request: Mcp-Session-Id header is required");
      session = find(sessionId, target);
      if (!session || session.kind !== "streamable") return replyError(res, 404, -32001, "Session not found");
      if (!bindTo(session, target)) return replyError(res, 503, RPC.internalError, "Too many open streams; try again later", null, { "retry-after": "5" });
    }
    const dup = duplicateId(session, messages);
    if (dup !== undefined) return replyError(res, 400, RPC.invalidRequest, "Invalid Request: this id is already waiting for an answer", dup);

    const requests = messages.filter((m) => Object.hasOwn(m, "method") && Object.hasOwn(m, "id"));
    if (requests.length === 0) {
      // Notifications and the client's answers: accepted once the upstream took them.
      const sink: Sink = { res, open: false, pending: 0, endWhenAnswered: false };
      await toUpstream(session, messages, sink);
      touch(session);
      res.writeHead(202, { [SESSION_HEADER]: session.id }).end();
      return;
    }
    const sink = openSink(res, target, { [SESSION_HEADER]: session.id }, true);
    if (!sink) return;
    session.posts.add(sink);
    cancelOnClose(session, sink);
    touch(session);
    await toUpstream(session, messages, sink);
  }

  async function sseStream(req: http.IncomingMessage, res: http.ServerResponse, target: GatewayTarget): Promise<void> {
    if (req.method !== "GET") return replyError(res, 405, RPC.invalidRequest, "Method not allowed", null, { allow: "GET" });
    const session = await openOrRefuse(res, "legacy", target);
    if (!session) return;
    if (res.destroyed) return void end(session, "the client went away");
    const sink = openSink(res, target, {}, false);
    if (!sink) return void end(session, "too many open streams");
    session.stream = sink;
    cancelOnClose(session, sink);
    writeRaw(sink, `event: endpoint\ndata: ${endpointOf(target.path, session.id)}\n\n`);
    for (const m of session.backlog.splice(0)) writeMessage(sink, m);
  }

  async function sseMessage(req: http.IncomingMessage, res: http.ServerResponse, target: GatewayTarget, message: unknown): Promise<void> {
    if (req.method !== "POST") return replyError(res, 405, RPC.invalidRequest, "Method not allowed", null, { allow: "POST" });
    const url = new URL(req.url ?? "/", "http://gateway.invalid");
    const session = find(url.searchParams.get("session_id") ?? undefined, target);
    if (!session || session.kind !== "legacy" || !session.stream?.open) return replyError(res, 404, -32001, "Session not found");
    if (!bindTo(session, target)) return replyError(res, 503, RPC.internalError, "Too many open streams; try again later", null, { "retry-after": "5" });
    const messages = messagesOf(message);
    if (!messages) return replyError(res, 400, RPC.invalidRequest, "Invalid Request");
    const dup = duplicateId(session, messages);
    if (dup !== undefined) return replyError(res, 400, RPC.invalidRequest, "Invalid Request: this id is already waiting for an answer", dup);
    // Answers come on the client's stream, as the transport has it; the POST is only accepted.
    res.writeHead(202, { "content-type": "text/plain" }).end("Accepted");
    await toUpstream(session, messages, session.stream);
  }

  function sseReply(req: http.IncomingMessage, res: http.ServerResponse, target: GatewayTarget, body: string): void {
    const url = new URL(req.url ?? "/", "http://gateway.invalid");
    const session = find(url.searchParams.get("session_id") ?? undefined, target);
    if (!session || session.kind !== "legacy" || !session.stream?.open) return replyError(res, 404, -32001, "Session not found");
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return replyError(res, 500, RPC.internalError, "Internal error");
    }
    res.writeHead(202, { "content-type": "text/plain" }).end("Accepted");
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) writeMessage(session.stream, m);
    touch(session);
  }

  return {
    streamable,
    sseStream,
    sseMessage,
    sseReply,
    async endSessionsOf(subject) {
      const theirs = [...sessions.values()].filter((s) => s.subject === subject);
      await Promise.all(theirs.map((s) => end(s, "the caller's credential ended")));
    },
    size: () => sessions.size,
    async close() {
      closing = true;
      await Promise.all([...sessions.values()].map((s) => end(s, "the gateway is shutting down")));
    },
  };
}

/** Runs an observer's hook: it must never break a session or a stream. */
function observe<T>(hook: () => T): T | undefined {
  try {
    return hook();
  } catch {
    return undefined;
  }
}
