// What the gateway suites share: registering an upstream as a server and signing an MCP
// SDK client in through the gateway.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect } from "vitest";
import type { TestApp } from "../support/app.ts";
import { RegisterServer, ToggleServer } from "../support/operations.ts";

export async function registerUpstream(
  app: TestApp,
  path: string,
  proxyPassUrl: string,
  upstreamAuth?: { type: "BEARER" | "API_KEY"; secret: string; headerName?: string },
): Promise<void> {
  const r = await app.gqlOk(RegisterServer, { input: { name: path, path, proxyPassUrl, ...(upstreamAuth ? { upstreamAuth } : {}) } });
  expect(r.registerServer.__typename).toBe("RegisterServerSuccess");
  const t = await app.gqlOk(ToggleServer, { path, enabled: true });
  expect(t.toggleServer.__typename).toBe("ToggleServerSuccess");
}

/** An MCP SDK client connected to `{base}{path}/mcp` with these request headers. */
export async function connectClient(base: string, path: string, headers: Record<string, string>): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${base}${path}/mcp`), { requestInit: { headers } });
  const client = new Client({ name: "gateway-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A JSON-RPC POST to the gateway (or anywhere), as a client would send it. */
export function rpc(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal,
  });
}

export const INITIALIZE = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

export type OpenStream = {
  /** Resolves with the time (Date.now()) the stream ended, by the server's doing. */
  ended: Promise<number>;
  isOpen(): boolean;
  /** Everything read so far. */
  text(): string;
  close(): void;
};

/** A GET stream, read as it comes; the test's own close does not count as the server ending it. */
export async function openStream(url: string, headers: Record<string, string>): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  let open = true;
  let seen = "";
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        seen += decoder.decode(value, { stream: true });
      }
    } catch (err) {
      if (controller.signal.aborted) return new Promise<number>(() => undefined); // we closed it
      void err; // the server cut the connection: it ended the stream too
    }
    open = false;
    return Date.now();
  })();
  return { ended, isOpen: () => open, text: () => seen, close: () => controller.abort() };
}

/** Opens a Streamable HTTP session at `url` (a gateway's /{path}/mcp) and its GET stream. */
export async function openSessionStream(url: string, headers: Record<string, string>): Promise<OpenStream> {
  const init = await rpc(url, INITIALIZE, headers);
  expect(init.status).toBe(200);
  const sessionId = init.headers.get("mcp-session-id");
  expect(sessionId).toBeTruthy();
  await init.text();
  const sessionHeaders = { ...headers, "mcp-session-id": sessionId!, "mcp-protocol-version": "2025-06-18" };
  const ack = await rpc(url, { jsonrpc: "2.0", method: "notifications/initialized" }, sessionHeaders);
  expect(ack.status).toBe(202);
  await ack.text();
  return openStream(url, sessionHeaders);
}

/** When the stream ended; fails the test (rather than timing it out) when it is still open after `ms`. */
export async function endOf(stream: OpenStream, ms = 10_000): Promise<number> {
  const at = await Promise.race([stream.ended, new Promise<undefined>((resolve) => setTimeout(resolve, ms))]);
  if (at === undefined) stream.close();
  expect(at, "the stream is still open").toBeTypeOf("number");
  return at!;
}

/** Resolves with "open" when the stream is still open after `ms`. */
export async function stillOpenAfter(stream: OpenStream, ms: number): Promise<"open" | "ended"> {
  return Promise.race([stream.ended.then(() => "ended" as const), new Promise<"open">((resolve) => setTimeout(() => resolve("open"), ms))]);
}
