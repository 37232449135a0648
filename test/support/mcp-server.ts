// startMcpServer(): a real MCP server built with the SDK's McpServer, on a random
// loopback port, for the health checker's tests and benchmark.
//
// It serves, at the root and under any number of prefixes `/s/<id>` (one process
// can stand in for many registered servers):
//   - Streamable HTTP (stateless, JSON responses) at `<prefix>/mcp`;
//   - the legacy HTTP+SSE transport at `<prefix>/sse` (GET) and `<prefix>/messages` (POST).
// Failure modes and the tool list can change at runtime; stop()/start() take the
// listener down and bring it back on the same port. `stateful` serves `<prefix>/mcp` with
// sessions, SSE answers and an event store (resumable with Last-Event-ID), for the gateway.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { McpServer, type RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { AnySchema, ZodRawShapeCompat } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { CallToolResult, ListToolsResult, ServerNotification, ServerRequest, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { InMemoryEventStore } from "@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js";
import { z } from "zod";

export type ToolSpec = {
  name: string;
  title?: string;
  description?: string;
  /** A zod shape (`{ q: z.string() }`) or a zod object. */
  inputSchema?: ZodRawShapeCompat | AnySchema;
  outputSchema?: ZodRawShapeCompat | AnySchema;
  annotations?: ToolAnnotations;
  /** What a call does; by default it answers with its arguments as JSON text. */
  handler?: (args: Record<string, unknown>, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) => Promise<CallToolResult>;
};

/** What can change while the server runs. */
export type McpServerMode = {
  /** Every request needs `Authorization: Bearer <token>`, else 401. */
  requireBearer?: string;
  /** Accept every request and never answer. */
  hang?: boolean;
  /** Answer every request only after this many milliseconds (a slow upstream). */
  delayMs?: number;
  /** Answer every request with HTTP 500. */
  status500?: boolean;
  /** Answer every request with 200 text/html. */
  notMcp?: boolean;
  /** false: `<prefix>/mcp` is a legacy SSE-only endpoint (GET opens the stream, POST gets 405). */
  streamable?: boolean;
  /** tools/list returns pages of this size (McpServer itself never paginates). */
  pageSize?: number;
  /** Sees every request's method, URL and headers before it is handled (a header-recording upstream). */
  onRequest?: (req: http.IncomingMessage) => void;
};

export type McpServerOptions = McpServerMode & {
  /** 0 or absent: a random port. */
  port?: number;
  name?: string;
  version?: string;
  tools?: ToolSpec[];
  /** `<prefix>/mcp` keeps sessions and answers with SSE, with an event store for Last-Event-ID. */
  stateful?: boolean;
};

export type TestMcpServer = {
  readonly port: number;
  /** `http://127.0.0.1:<port>`, or with `/s/<id>` when given an id. */
  baseUrl(id?: string | number): string;
  mcpUrl(id?: string | number): string;
  sseUrl(id?: string | number): string;
  /** Replaces the tools; the next tools/list sees them, and live SSE sessions get tools/list_changed. */
  setTools(tools: ToolSpec[]): void;
  update(mode: McpServerMode): void;
  /** Closes the listener and every open connection; start() listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  readonly running: boolean;
  stats(): { requests: number; liveSseSessions: number; liveSessions: number; liveMcpServers: number; openSockets: number };
};

export const sampleTools: ToolSpec[] = [
  {
    name: "echo",
    title: "Echo",
    description: "Echo the input text back",
    inputSchema: { text: z.string().describe("text to echo") },
    outputSchema: { text: z.string() },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: "add",
    description: "Add two numbers",
    inputSchema: z.object({ a: z.number(), b: z.number() }),
    annotations: { title: "Add numbers", readOnlyHint: true, idempotentHint: true },
  },
];

const ROUTE = /^(?:\/s\/([A-Za-z0-9_.-]{1,128}))?\/(mcp|sse|messages)\/?$/;

type Live = { mcp: McpServer; registered: RegisteredTool[] };
type RequestHandler = (request: { params?: { cursor?: string } }, extra: unknown) => Promise<unknown>;

export async function startMcpServer(options: McpServerOptions = {}): Promise<TestMcpServer> {
  const host = "127.0.0.1";
  const name = options.name ?? "test-mcp-server";
  const version = options.version ?? "1.0.0";
  let tools = options.tools ?? sampleTools;
  const mode: McpServerMode = {
    requireBearer: options.requireBearer,
    hang: options.hang,
    delayMs: options.delayMs,
    status500: options.status500,
    notMcp: options.notMcp,
    streamable: options.streamable ?? true,
    pageSize: options.pageSize,
    onRequest: options.onRequest,
  };
  const sessions = new Map<string, StreamableHTTPServerTransport>();

  let port = options.port ?? 0;
  let server: http.Server | undefined;
  let closed = false;
  let requests = 0;
  const sockets = new Set<Socket>();
  const sseSessions = new Map<string, SSEServerTransport>();
  const liveServers = new Set<Live>();

  function registerTools(live: Live): void {
    for (const tool of live.registered) tool.remove();
    live.registered = tools.map((spec) =>
      live.mcp.registerTool(
        spec.name,
        {
          title: spec.title,
          description: spec.description,
          inputSchema: spec.inputSchema,
          outputSchema: spec.outputSchema,
          annotations: spec.annotations,
        },
        // The callback's type depends on the schemas' generics, which are dynamic here.
        (spec.handler
          ? (args: Record<string, unknown>, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) => spec.handler!(args, extra)
          : async (args: unknown): Promise<CallToolResult> => ({
              content: [{ type: "text", text: JSON.stringify(args) }],
            })) as never,
      ),
    );
  }

  function buildMcp(id: string | undefined): Live {
    const mcp = new McpServer(
      { name: id === undefined ? name : `${name}-${id}`, version },
      { capabilities: { tools: { listChanged: true } } },
    );
    const live: Live = { mcp, registered: [] };
    registerTools(live);
    const pageSize = mode.pageSize;
    if (pageSize) paginateToolsList(mcp, pageSize);
    liveServers.add(live);
    return live;
  }

  function dropLive(live: Live): void {
    liveServers.delete(live);
    void live.mcp.close().catch(() => undefined);
  }

  async function openSse(res: http.ServerResponse, prefix: string, id: string | undefined): Promise<void> {
    const transport = new SSEServerTransport(`${prefix}/messages`, res);
    const live = buildMcp(id);
    sseSessions.set(transport.sessionId, transport);
    res.on("close", () => {
      sseSessions.delete(transport.sessionId);
      dropLive(live);
    });
    await live.mcp.connect(transport); // writes the headers and the `endpoint` event
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    requests++;
    mode.onRequest?.(req);
    if (mode.hang) return; // stop() destroys the socket
    if (mode.delayMs) await new Promise((resolve) => setTimeout(resolve, mode.delayMs));
    if (mode.status500) return void res.writeHead(500, { "content-type": "text/plain" }).end("internal error");
    if (mode.notMcp) return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<p>hello</p>");
    if (mode.requireBearer !== undefined && req.headers.authorization !== `Bearer ${mode.requireBearer}`) {
      return jsonRpcError(res, 401, "Unauthorized", { "www-authenticate": 'Bearer realm="mcp"' });
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = ROUTE.exec(url.pathname);
    if (!route) return void res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    const [, id, kind] = route;
    const prefix = id === undefined ? "" : `/s/${id}`;

    if (kind === "sse" || (kind === "mcp" && mode.streamable === false)) {
      if (req.method !== "GET") return jsonRpcError(res, 405, "Method not allowed", { allow: "GET" });
      return openSse(res, prefix, id);
    }
    if (kind === "messages") {
      if (req.method !== "POST") return jsonRpcError(res, 405, "Method not allowed", { allow: "POST" });
      const session = sseSessions.get(url.searchParams.get("sessionId") ?? "");
      if (!session) return jsonRpcError(res, 404, "Session not found");
      return session.handlePostMessage(req, res);
    }
    if (options.stateful) return handleSession(req, res, id);
    // Stateless Streamable HTTP: no standalone GET stream, and a fresh server and
    // transport per request, because a stateless transport cannot be reused.
    if (req.method !== "POST") return jsonRpcError(res, 405, "Method not allowed", { allow: "POST" });
    const live = buildMcp(id);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close().catch(() => undefined);
      dropLive(live);
    });
    await live.mcp.connect(transport);
    await transport.handleRequest(req, res);
  }

  async function handleSession(req: http.IncomingMessage, res: http.ServerResponse, id: string | undefined): Promise<void> {
    const given = req.headers["mcp-session-id"];
    const existing = typeof given === "string" ? sessions.get(given) : undefined;
    if (existing) return existing.handleRequest(req, res);
    if (given !== undefined || req.method !== "POST") return jsonRpcError(res, 404, "Session not found");
    const live = buildMcp(id);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      eventStore: new InMemoryEventStore(),
      onsessioninitialized: (sessionId) => void sessions.set(sessionId, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      dropLive(live);
    };
    await live.mcp.connect(transport);
    await transport.handleRequest(req, res);
  }

  function listener(req: http.IncomingMessage, res: http.ServerResponse): void {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else jsonRpcError(res, 500, String(err));
    });
  }

  async function start(): Promise<void> {
    if (server || closed) return;
    const s = http.createServer(listener);
    s.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, host, () => {
        s.off("error", reject);
        resolve();
      });
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  }

  async function stop(): Promise<void> {
    const s = server;
    if (!s) return;
    server = undefined;
    for (const transport of sseSessions.values()) void transport.close().catch(() => undefined);
    sseSessions.clear();
    for (const transport of sessions.values()) void transport.close().catch(() => undefined);
    sessions.clear();
    const done = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections(); // hung requests and open SSE streams too
    for (const socket of sockets) socket.destroy();
    await done;
  }

  await start();

  const baseUrl = (id?: string | number) => `http://${host}:${port}${id === undefined ? "" : `/s/${id}`}`;
  return {
    get port() {
      return port;
    },
    baseUrl,
    mcpUrl: (id) => `${baseUrl(id)}/mcp`,
    sseUrl: (id) => `${baseUrl(id)}/sse`,
    setTools(next) {
      tools = [...next];
      for (const live of liveServers) registerTools(live);
    },
    update(next) {
      Object.assign(mode, next);
    },
    stop,
    start,
    async close() {
      closed = true;
      await stop();
    },
    get running() {
      return server !== undefined;
    },
    stats: () => ({
      requests,
      liveSseSessions: sseSessions.size,
      liveSessions: sessions.size,
      liveMcpServers: liveServers.size,
      openSockets: sockets.size,
    }),
  };
}

/**
 * McpServer answers tools/list with every tool at once. To exercise a client's
 * nextCursor loop, wrap its handler and slice the result; the handler map is
 * private, which is acceptable in a test double and nowhere else.
 */
function paginateToolsList(mcp: McpServer, pageSize: number): void {
  const handlers = (mcp.server as unknown as { _requestHandlers: Map<string, RequestHandler> })._requestHandlers;
  const listAll = handlers.get("tools/list");
  if (!listAll) throw new Error("McpServer registered no tools/list handler");
  handlers.set("tools/list", async (request, extra) => {
    const all = (await listAll(request, extra)) as ListToolsResult;
    const start = Number(request.params?.cursor ?? "0") || 0;
    const end = start + pageSize;
    return { tools: all.tools.slice(start, end), ...(end < all.tools.length ? { nextCursor: String(end) } : {}) };
  });
}

function jsonRpcError(
  res: http.ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}
