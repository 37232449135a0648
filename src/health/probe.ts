// One health check of a registered MCP server: initialize, then tools/list
// (every page), over Streamable HTTP or the legacy HTTP+SSE transport, under one
// deadline. Failures are named from what happened on the wire (status codes,
// content types, socket error codes, recorded by a wrapping fetch), not from
// the SDK's error strings, which change between releases.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport, SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation";
import { z } from "zod";
import { transportsFor, type WireTransport } from "../servers/transport.ts";
import { withTraceContext } from "../telemetry/spans.ts";
import type { TransportValue } from "../servers/validate.ts";

export type ProbeReason =
  | "timeout"
  | "connection refused"
  | `HTTP ${number}`
  | "not an MCP server"
  | "auth failed"
  | "blocked"
  | "network error"
  | "protocol error";

export type DiscoveredTool = {
  name: string;
  title: string | null;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown> | null;
  annotations: Record<string, unknown> | null;
};

export type ProbeResult = {
  status: "HEALTHY" | "UNHEALTHY";
  reason: string | null;
  latencyMs: number;
  transport: WireTransport | null;
  serverInfo: { name: string; version: string } | null;
  protocolVersion: string | null;
  capabilities: Record<string, unknown> | null;
  tools: DiscoveredTool[];
  timings: { initializeMs?: number; listToolsMs?: number };
};

export type ProbeOptions = {
  transport: TransportValue;
  /** One budget for connecting, initialize, every tools/list page and closing. */
  timeoutMs: number;
  /** Sent on every request, including the SSE GET (e.g. Authorization). Never reported back. */
  headers?: Record<string, string>;
  /** Used for every request of both transports, e.g. the SSRF-guarded fetch. */
  fetch?: typeof fetch;
};

/** A server that keeps handing out cursors cannot keep a probe busy for ever. */
const MAX_TOOL_PAGES = 50;

const CLIENT_INFO = { name: "mcp-gateway-registry-health", version: "1.0.0" };

// The SDK's ListToolsResultSchema rejects a whole page for one slightly off-spec
// tool; discovery should keep what it can read.
const ToolsPage = z.looseObject({
  tools: z.array(z.looseObject({ name: z.string() })),
  nextCursor: z.string().optional(),
});

// Without a validator the Client builds an Ajv instance per construction (about
// 0.5 ms of CPU each). The probe never calls a tool, so nothing is ever validated.
const noValidation: jsonSchemaValidator = {
  getValidator: () => (input) => ({ valid: true, data: input as never, errorMessage: undefined }),
};

class ProbeTimeout extends Error {
  constructor() {
    super("probe timed out");
    this.name = "ProbeTimeout";
  }
}

// Aborting without a reason allocates a DOMException with a stack each time.
const CLEANUP = Object.freeze(new Error("probe finished"));

export async function probe(url: string, opts: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const deadline = started + opts.timeoutMs;
  const overall = new AbortController();
  const timer = setTimeout(() => overall.abort(new ProbeTimeout()), opts.timeoutMs);

  const unhealthy = (reason: ProbeReason, timings: ProbeResult["timings"] = {}): ProbeResult => ({
    status: "UNHEALTHY",
    reason,
    latencyMs: elapsed(),
    transport: null,
    serverInfo: null,
    protocolVersion: null,
    capabilities: null,
    tools: [],
    timings,
  });

  try {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return unhealthy("network error");
    }
    let chosen: Failure | undefined;
    for (const kind of transportsFor(target, opts.transport)) {
      const outcome = await attempt(kind, target, deadline, overall.signal, opts);
      if (outcome.ok) return { ...outcome.result, latencyMs: elapsed() };
      chosen = moreTelling(chosen, outcome);
      if (!shouldFallBack(outcome.reason) || overall.signal.aborted) break;
    }
    return unhealthy(chosen?.reason ?? "protocol error", chosen?.timings);
  } finally {
    clearTimeout(timer);
    overall.abort(CLEANUP);
  }
}

/**
 * Fall back to SSE only when the endpoint answered, but not as Streamable HTTP:
 * a 4xx to the POST (404, 405, 400), or an answer that is not JSON-RPC. An auth
 * failure, a 5xx, a refused or blocked connection, or a timeout would fail the
 * same way (or worse, twice as slowly) over SSE.
 */
export function shouldFallBack(reason: ProbeReason): boolean {
  if (reason === "not an MCP server" || reason === "protocol error") return true;
  const status = /^HTTP (\d+)$/.exec(reason)?.[1];
  return status !== undefined && Number(status) >= 400 && Number(status) < 500;
}

/** When both fail, a 400/404/405 to the POST only says "no Streamable HTTP here"; SSE's reason says more. */
function moreTelling(first: Failure | undefined, next: Failure): Failure {
  if (!first) return next;
  const wrongEndpoint = (r: ProbeReason) => /^HTTP (400|404|405)$/.test(r);
  return wrongEndpoint(first.reason) && !wrongEndpoint(next.reason) ? next : first;
}

type Failure = { ok: false; reason: ProbeReason; timings: ProbeResult["timings"] };
type Success = { ok: true; result: Omit<ProbeResult, "latencyMs"> };

/** What the wrapping fetch saw, for naming a failure. */
type Wire = {
  responses: { method: string; status: number; contentType: string }[];
  networkErrors: unknown[];
};

async function attempt(
  kind: WireTransport,
  url: URL,
  deadline: number,
  overall: AbortSignal,
  opts: ProbeOptions,
): Promise<Success | Failure> {
  const wire: Wire = { responses: [], networkErrors: [] };
  // Aborted when the attempt ends: tears down whatever is still open (the SSE GET, response bodies).
  const done = new AbortController();
  const signal = AbortSignal.any([overall, done.signal]);
  const transport = createTransport(kind, url, recordingFetch(opts.fetch ?? fetch, wire, signal), opts.headers);

  let protocolVersion: string | null = null;
  const setProtocolVersion = transport.setProtocolVersion.bind(transport);
  transport.setProtocolVersion = (version: string) => {
    protocolVersion = version;
    setProtocolVersion(version);
  };

  const client = new Client(CLIENT_INFO, { capabilities: {}, jsonSchemaValidator: noValidation });
  client.onerror = () => undefined; // failures surface through the awaited calls

  // The overall abort should be what stops a slow server; the SDK's own request timeout is a backstop.
  const requestOptions = () => ({ signal, timeout: Math.max(1, deadline - performance.now()) + 100 });
  const timings: ProbeResult["timings"] = {};
  try {
    const work = (async () => {
      let t0 = performance.now();
      await client.connect(transport, requestOptions());
      timings.initializeMs = Math.round(performance.now() - t0);
      const capabilities = client.getServerCapabilities() ?? null;
      const serverInfo = client.getServerVersion();
      t0 = performance.now();
      const tools = capabilities?.tools ? await listTools(client, requestOptions) : [];
      timings.listToolsMs = Math.round(performance.now() - t0);
      return { capabilities, serverInfo, tools };
    })();
    const { capabilities, serverInfo, tools } = await untilAborted(work, signal);
    return {
      ok: true,
      result: {
        status: "HEALTHY",
        reason: null,
        transport: kind,
        serverInfo: serverInfo ? { name: serverInfo.name, version: serverInfo.version } : null,
        protocolVersion,
        capabilities,
        tools,
        timings,
      },
    };
  } catch (err) {
    return { ok: false, reason: classify(err, wire, overall.reason instanceof ProbeTimeout, kind), timings };
  } finally {
    // A stateful Streamable HTTP server keeps the session until told; give it back, within the budget.
    if (transport instanceof StreamableHTTPClientTransport && transport.sessionId && !overall.aborted) {
      const budget = AbortSignal.timeout(Math.max(1, Math.min(1_000, deadline - performance.now())));
      await untilAborted(transport.terminateSession(), AbortSignal.any([signal, budget])).catch(() => undefined);
    }
    done.abort(CLEANUP);
    // client.close() closes the transport even when connect() failed inside transport.start().
    await client.close().catch(() => undefined);
  }
}

function createTransport(
  kind: WireTransport,
  url: URL,
  fetch: FetchLike,
  headers: Record<string, string> | undefined,
): SSEClientTransport | StreamableHTTPClientTransport {
  const requestInit = headers ? { headers } : undefined;
  if (kind === "SSE") return new SSEClientTransport(url, { requestInit, fetch });
  return new StreamableHTTPClientTransport(url, {
    requestInit,
    fetch,
    // A probe must not keep reconnecting a dropped stream after it has its answer.
    reconnectionOptions: {
      maxRetries: 0,
      initialReconnectionDelay: 1_000,
      maxReconnectionDelay: 1_000,
      reconnectionDelayGrowFactor: 1,
    },
  });
}

/** tools/list, following nextCursor up to MAX_TOOL_PAGES pages; beyond that the tools seen so far count. */
async function listTools(
  client: Client,
  requestOptions: () => { signal: AbortSignal; timeout: number },
): Promise<DiscoveredTool[]> {
  const tools: DiscoveredTool[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TOOL_PAGES; page++) {
    const params = cursor === undefined ? {} : { cursor };
    const result = await client.request({ method: "tools/list", params }, ToolsPage, requestOptions());
    for (const tool of result.tools) tools.push(discoveredTool(tool));
    cursor = result.nextCursor;
    if (cursor === undefined) break;
    if (seen.has(cursor)) throw new McpError(ErrorCode.InternalError, "tools/list returned a cursor twice");
    seen.add(cursor);
  }
  return tools;
}

function discoveredTool(tool: { name: string } & Record<string, unknown>): DiscoveredTool {
  const annotations = recordOrNull(tool.annotations);
  // Display-name precedence from the MCP spec: title, then annotations.title.
  const title =
    typeof tool.title === "string" ? tool.title : typeof annotations?.title === "string" ? annotations.title : null;
  return {
    name: tool.name,
    title,
    description: typeof tool.description === "string" ? tool.description : "",
    inputSchema: recordOrNull(tool.inputSchema) ?? {},
    outputSchema: recordOrNull(tool.outputSchema),
    annotations,
  };
}

function recordOrNull(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * Wraps the fetch to record every response and network error of the attempt,
 * and to tie every request to the attempt's signal (the SSE GET included).
 */
function recordingFetch(base: typeof fetch, wire: Wire, signal: AbortSignal): FetchLike {
  return async (url, init) => {
    const requestSignal = init?.signal ? AbortSignal.any([init.signal, signal]) : signal;
    // The check's trace continues upstream (W3C traceparent) when tracing is on.
    const send = () => base(url, { ...init, headers: withTraceContext(init?.headers), signal: requestSignal });
    try {
      let response: Response;
      try {
        response = await send();
      } catch (err) {
        // A pooled keep-alive socket the server has just closed fails the request, and
        // undici never retries a POST. initialize and tools/list are safe to send twice.
        const codes = errorCodes(err);
        const staleSocket = codes.has("UND_ERR_SOCKET") || codes.has("ECONNRESET") || codes.has("EPIPE");
        if (requestSignal.aborted || !staleSocket) throw err;
        response = await send();
      }
      wire.responses.push({
        method: init?.method ?? "GET",
        status: response.status,
        contentType: response.headers.get("content-type") ?? "",
      });
      return response;
    } catch (err) {
      if (!signal.aborted) wire.networkErrors.push(err);
      throw err;
    }
  };
}

/** Names a failed attempt; the first rule that matches wins. */
function classify(err: unknown, wire: Wire, timedOut: boolean, kind: WireTransport): ProbeReason {
  if (timedOut || err instanceof ProbeTimeout) return "timeout";

  const codes = new Set<string>();
  for (const e of [err, ...wire.networkErrors]) errorCodes(e, codes);
  if (codes.has("EMCP_BLOCKED")) return "blocked";
  if (codes.has("ECONNREFUSED")) return "connection refused";
  if (codes.has("UND_ERR_CONNECT_TIMEOUT") || codes.has("ETIMEDOUT")) return "timeout";

  // 405 to the optional standalone GET stream just means the server offers none.
  const responses = wire.responses.filter((r) => !(kind === "STREAMABLE_HTTP" && r.method === "GET" && r.status === 405));
  if (responses.some((r) => r.status === 401 || r.status === 403)) return "auth failed";
  const failed = responses.find((r) => r.status < 200 || r.status >= 300);
  if (failed) return `HTTP ${failed.status}`;
  if (responses.some((r) => r.status !== 202 && !isMcpContentType(r.contentType))) return "not an MCP server";

  // Only reached when a custom fetch hides the response.
  if (err instanceof StreamableHTTPError || err instanceof SseError) {
    if (err.code === 401 || err.code === 403) return "auth failed";
    if (typeof err.code === "number" && err.code >= 300) return `HTTP ${err.code}`;
    return "not an MCP server";
  }
  // A 200 whose body is not JSON (SyntaxError) or not JSON-RPC (ZodError).
  if (err instanceof SyntaxError || (err instanceof Error && err.name === "ZodError")) return "not an MCP server";
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) return "timeout";
  if (wire.networkErrors.length > 0) return "network error";
  return "protocol error";
}

function isMcpContentType(contentType: string): boolean {
  const type = contentType.split(";")[0]?.trim().toLowerCase();
  return type === "application/json" || type === "text/event-stream";
}

/** Every `code` on the error, its causes and an AggregateError's errors (ECONNREFUSED, EMCP_BLOCKED, ...). */
function errorCodes(err: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (typeof err !== "object" || err === null || depth > 8) return out;
  const { code, cause, errors } = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === "string") out.add(code);
  if (cause !== undefined) errorCodes(cause, out, depth + 1);
  if (Array.isArray(errors)) for (const e of errors) errorCodes(e, out, depth + 1);
  return out;
}

/** Settles with `work`, or rejects when `signal` aborts: SSEClientTransport.start() ignores signals. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined); // abandoned work must not become an unhandled rejection
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
