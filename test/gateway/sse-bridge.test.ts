// The legacy SSE bridge, with the MCP SDK's own clients on one side and a real MCP SDK server on
// the other: a Streamable HTTP client in front of an SSE-only upstream, and an SSE-only client in
// front of either transport. A plain loopback server stands in for the gateway's router: it
// screens each body as the router does (screenText) and calls the bridge's handlers.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { screenText } from "../../src/gateway/messages.ts";
import { createSseBridge, type SseBridge } from "../../src/gateway/sse-bridge.ts";
import type { GatewayObserver, GatewayTarget, ToolCallRecord } from "../../src/gateway/target.ts";
import { sampleTools, startMcpServer, type TestMcpServer, type ToolSpec } from "../support/mcp-server.ts";
import { SECRET, allowOnly } from "./messages-allow.ts";

// echo without its output schema: the test server answers with text only.
const tools: ToolSpec[] = [
  { name: "echo", description: "Echo the input text back", inputSchema: { text: z.string() } },
  sampleTools[1]!,
  { name: SECRET, description: "must stay hidden", inputSchema: { table: z.string() } },
];

let upstream: TestMcpServer;
let bridge: SseBridge;
let front: http.Server;
let base: string;
const dispatcher = new Agent();
const records: ToolCallRecord[] = [];
const observer: GatewayObserver = {
  toolCall: (r) => records.push(r),
  denied: () => undefined,
  upstreamError: () => undefined,
  rateLimited: () => undefined,
  streamOpened: () => () => undefined,
};

function targetFor(req: http.IncomingMessage, transport: GatewayTarget["transport"]): GatewayTarget {
  const subject = typeof req.headers["x-test-subject"] === "string" ? req.headers["x-test-subject"] : "alice";
  return {
    path: "/weather",
    upstreamUrl: new URL(transport === "sse" ? upstream.sseUrl() : upstream.mcpUrl()),
    transport,
    upstreamHeaders: {},
    allow: allowOnly(["echo"]),
    timeoutMs: 10_000,
    dispatcher,
    caller: { subject, authMethod: "token" },
    observer,
  };
}

async function body(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** What the router does before it calls the bridge. */
async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  // /weather → an SSE upstream; /weather-http → a Streamable HTTP one (for SSE-only clients).
  const match = /^\/(weather|weather-http)\/(mcp|sse|messages)$/.exec(url.pathname);
  if (!match) return void res.writeHead(404).end();
  const target = targetFor(req, match[1] === "weather" ? "sse" : "streamable-http");
  let message: unknown;
  if (req.method === "POST") {
    const screen = screenText(await body(req), target.allow);
    if (screen.kind === "reply") {
      if (match[2] === "messages" && screen.status === 200) return bridge.sseReply(req, res, target, screen.body);
      return void res.writeHead(screen.status, { "content-type": "application/json" }).end(screen.body);
    }
    message = JSON.parse(screen.body);
  }
  if (match[2] === "mcp") return bridge.streamable(req, res, target, message);
  if (match[2] === "sse") return bridge.sseStream(req, res, target);
  return bridge.sseMessage(req, res, target, message);
}

beforeAll(async () => {
  upstream = await startMcpServer({ tools });
  bridge = createSseBridge({ maxSessions: 4, idleMs: 60_000 });
  front = http.createServer((req, res) => void route(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await bridge.close();
  front.closeAllConnections();
  await new Promise((resolve) => front.close(resolve));
  await upstream.close();
  await dispatcher.close();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** initialize, a filtered tools/list, an allowed call, a refused call, and a notification. */
async function exercise(client: Client): Promise<void> {
  const listed = await client.listTools();
  expect(listed.tools.map((t) => t.name)).toEqual(["echo"]);
  expect(listed.tools[0]).toMatchObject({ name: "echo", description: "Echo the input text back" });

  const result = await client.callTool({ name: "echo", arguments: { text: "héllo ☃" } });
  expect(result.content).toEqual([{ type: "text", text: JSON.stringify({ text: "héllo ☃" }) }]);

  await expect(client.callTool({ name: SECRET, arguments: { table: "users" } })).rejects.toThrow(/not available/);

  const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
  upstream.setTools([...tools]); // live SSE sessions get notifications/tools/list_changed
  await changed;
}

describe("the SSE bridge", () => {
  it("serves a Streamable HTTP client in front of an SSE-only upstream", async () => {
    records.length = 0;
    const client = new Client({ name: "bridge-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/weather/mcp`));
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(client.getServerVersion()?.name).toBe("test-mcp-server");
    expect(bridge.size()).toBe(1);

    await exercise(client);
    expect(records).toMatchObject([{ subject: "alice", path: "/weather", tool: "echo", outcome: "ok", sessionId: transport.sessionId }]);

    // DELETE ends the bridged session, and with it the upstream's SSE session.
    await transport.terminateSession();
    await client.close();
    expect(bridge.size()).toBe(0);
    await until(() => upstream.stats().liveSseSessions === 0, "the upstream session to end");
  });

  it("serves an SSE-only client in front of an SSE upstream", async () => {
    const client = new Client({ name: "bridge-test", version: "1.0.0" });
    await client.connect(new SSEClientTransport(new URL(`${base}/weather/sse`)));
    expect(bridge.size()).toBe(1);
    await exercise(client);
    await client.close();
    await until(() => bridge.size() === 0 && upstream.stats().liveSseSessions === 0, "the sessions to end");
  });

  it("serves an SSE-only client in front of a Streamable HTTP upstream", async () => {
    const client = new Client({ name: "bridge-test", version: "1.0.0" });
    await client.connect(new SSEClientTransport(new URL(`${base}/weather-http/sse`)));
    const listed = await client.listTools();
    expect(listed.tools.map((t) => t.name)).toEqual(["echo"]);
    const result = await client.callTool({ name: "echo", arguments: { text: "hi" } });
    expect(result.content).toEqual([{ type: "text", text: JSON.stringify({ text: "hi" }) }]);
    await expect(client.callTool({ name: SECRET, arguments: { table: "t" } })).rejects.toThrow(/not available/);
    await client.close();
    await until(() => bridge.size() === 0, "the session to end");
  });

  it("keeps a session to the caller that opened it", async () => {
    const client = new Client({ name: "bridge-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/weather/mcp`));
    await client.connect(transport);
    const list = JSON.stringify({ jsonrpc: "2.0", id: 99, method: "tools/list" });
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/weather/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: list });
    const other = await post({ "mcp-session-id": transport.sessionId!, "x-test-subject": "mallory" });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ jsonrpc: "2.0", error: { message: "Session not found" } });
    expect((await post({ "mcp-session-id": "00000000-0000-4000-8000-000000000000" })).status).toBe(404);
    expect((await post({})).status).toBe(400);
    // The owner still gets its answers.
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    await transport.terminateSession();
    await client.close();
  });

  it("refuses sessions beyond maxSessions, and ends idle ones", async () => {
    const small = createSseBridge({ maxSessions: 1, idleMs: 300 });
    const server = http.createServer((req, res) => {
      void (async () => {
        const screen = screenText(await body(req), allowOnly(["echo"]));
        if (screen.kind === "reply") return void res.writeHead(screen.status).end(screen.body);
        await small.streamable(req, res, targetFor(req, "sse"), JSON.parse(screen.body));
      })().catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    const initialize = () =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } }),
      });
    try {
      const first = await initialize();
      expect(first.status).toBe(200);
      expect(await first.text()).toContain('"serverInfo"');
      const second = await initialize();
      expect(second.status).toBe(503);
      expect(second.headers.get("retry-after")).toBe("5");
      await until(() => small.size() === 0, "the idle session to end");
      expect((await initialize()).status).toBe(200);
    } finally {
      await small.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
