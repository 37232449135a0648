// One tool call through the gateway, as an MCP client makes it over Streamable HTTP:
// initialize, notifications/initialized, tools/call, then DELETE to end the session. The
// browser sends the session cookie (same origin); answers may be JSON or an SSE stream.

export const PROTOCOL_VERSION = "2025-06-18";

export type JsonRpcError = { code: number; message: string; data?: unknown };
export type CallOutcome =
  | { kind: "result"; result: unknown }
  | { kind: "rpc-error"; error: JsonRpcError }
  | { kind: "http-error"; status: number; message: string };

type Message = { jsonrpc?: string; id?: unknown; result?: unknown; error?: JsonRpcError; method?: string };

/** The JSON-RPC messages of an answer: one JSON body (or a batch), or the `data` of each SSE event. */
export function messagesOf(contentType: string, body: string): Message[] {
  if (contentType.includes("text/event-stream")) {
    const messages: Message[] = [];
    for (const event of body.replace(/\r\n?/g, "\n").split("\n\n")) {
      const data = event
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data !== "") messages.push(...toMessages(JSON.parse(data) as unknown));
    }
    return messages;
  }
  return body.trim() === "" ? [] : toMessages(JSON.parse(body) as unknown);
}

const toMessages = (value: unknown): Message[] => (Array.isArray(value) ? (value as Message[]) : [value as Message]);

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export class McpCall {
  private sessionId: string | null = null;
  private protocolVersion = PROTOCOL_VERSION;
  private nextId = 1;

  constructor(
    private readonly url: string,
    private readonly fetchFn: Fetch = (u, i) => fetch(u, i),
  ) {}

  private headers(): Record<string, string> {
    return {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": this.protocolVersion,
      ...(this.sessionId ? { "mcp-session-id": this.sessionId } : {}),
    };
  }

  /** Sends a request and waits for its answer (other messages on an SSE stream are skipped). */
  private async send(method: string, params: unknown): Promise<CallOutcome> {
    const id = this.nextId++;
    const res = await this.fetchFn(this.url, {
      method: "POST",
      credentials: "same-origin",
      headers: this.headers(),
      body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
    });
    const session = res.headers.get("mcp-session-id");
    if (session) this.sessionId = session;
    const text = await res.text();
    let messages: Message[] = [];
    try {
      messages = messagesOf(res.headers.get("content-type") ?? "", text);
    } catch {
      // Not JSON-RPC (an HTML or REST error page): reported below by status.
    }
    const answer = messages.find((m) => m.id === id) ?? messages.find((m) => m.error && (m.id === null || m.id === undefined));
    if (answer?.error) return { kind: "rpc-error", error: answer.error };
    if (answer && "result" in answer) return { kind: "result", result: answer.result };
    return { kind: "http-error", status: res.status, message: restMessage(text) ?? `The gateway answered ${res.status} without a JSON-RPC answer.` };
  }

  private async notify(method: string): Promise<void> {
    await this.fetchFn(this.url, {
      method: "POST",
      credentials: "same-origin",
      headers: this.headers(),
      body: JSON.stringify({ jsonrpc: "2.0", method }),
    });
  }

  /** initialize → notifications/initialized → tools/call; the session (if any) is ended afterwards. */
  async callTool(name: string, args: Record<string, unknown>): Promise<CallOutcome> {
    try {
      const init = await this.send("initialize", {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "mcp-gateway-registry-playground", version: "1.0.0" },
      });
      if (init.kind !== "result") return init;
      const negotiated = (init.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof negotiated === "string") this.protocolVersion = negotiated;
      await this.notify("notifications/initialized");
      return await this.send("tools/call", { name, arguments: args });
    } finally {
      if (this.sessionId) {
        await this.fetchFn(this.url, { method: "DELETE", credentials: "same-origin", headers: this.headers() }).catch(() => undefined);
      }
    }
  }
}

/** The message of a REST error body (`{"error": {"message"}}`), if that is what came back. */
function restMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    return typeof body.error?.message === "string" ? body.error.message : undefined;
  } catch {
    return undefined;
  }
}
