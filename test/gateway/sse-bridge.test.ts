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

const UPSTREAM_TOKEN = "stored-upstream-credential";
let upstream: TestMcpServer;
let flaky: TestMcpServer;
/** Calls of the `hang` tool that the upstream saw cancelled. */
let cancelled = 0;
let hangStarted: () => void = () => undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// The flaky upstream also has a tool that reports progress and one that waits to be cancelled.
const slowTools: ToolSpec[] = [
  ...tools,
  {
    name: "count",
    inputSchema: { n: z.number() },
    handler: async (args, extra) => {
      const token = extra._meta?.progressToken;
      for (let i = 1; i <= Number(args.n); i++) {
        if (token !== undefined) await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: i, total: Number(args.n) } });
        await sleep(60);
      }
      return { content: [{ type: "text", text: "counted" }] };
    },
  },
  {
    name: "hang",
    inputSchema: {},
    handler: (_args, extra) =>
      new Promise((resolve) => {
        hangStarted();
        extra.signal.addEventListener("abort", () => {
          cancelled++;
          resolve({ content: [{ type: "text", text: "cancelled" }] });
        });
      }),
  },
];
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

function targetFor(req: http.IncomingMessage, transport: GatewayTarget["transport"], server = upstream): GatewayTarget {
  const subject = typeof req.headers["x-test-subject"] === "string" ? req.headers["x-test-subject"] : "alice";
  return {
    path: "/weather",
    upstreamUrl: new URL(transport === "sse" ? server.sseUrl() : server.mcpUrl()),
    transport,
    upstreamHeaders: { authorization: `Bearer ${UPSTREAM_TOKEN}` },
    allow: allowOnly(["echo", "count", "hang"]),
    timeoutMs: Number(req.headers["x-test-timeout-ms"] ?? 10_000),
    dispatcher,
    caller: { subject, authMethod: "token" },
    // The router binds streams to the caller's credential (test/gateway/streams.test.ts); here nothing ends one.
    credential: { key: subject, bind: () => () => undefined },
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
  // /flaky → an SSE upstream that a test stops.
  const match = /^\/(weather|weather-http|flaky)\/(mcp|sse|messages)$/.exec(url.pathname);
  if (!match) return void res.writeHead(404).end();
  const target = targetFor(req, match[1] === "weather-http" ? "streamable-http" : "sse", match[1] === "flaky" ? flaky : upstream);
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
  // The upstream takes only its stored credential: every request of the bridge must carry it.
  upstream = await startMcpServer({ tools, requireBearer: UPSTREAM_TOKEN });
  flaky = await startMcpServer({ tools: slowTools, requireBearer: UPSTREAM_TOKEN });
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
  await flaky.close();
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

  it("ends a caller's sessions when told their credential ended, and nobody else's", async () => {
    const open = async (subject: string) => {
      const client = new Client({ name: "bridge-test", version: "1.0.0" });
      const transport = new SSEClientTransport(new URL(`${base}/weather/sse`), {
        eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), "x-test-subject": subject } }) },
        requestInit: { headers: { "x-test-subject": subject } },
      });
      await client.connect(transport);
      return client;
    };
    const bob = await open("bob");
    const carol = await open("carol");
    expect(bridge.size()).toBe(2);
    const bobEnded = new Promise<void>((resolve) => (bob.onerror = () => resolve()));
    await bridge.endSessionsOf("bob");
    await bobEnded;
    expect(bridge.size()).toBe(1);
    expect((await carol.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    await bob.close();
    await carol.close();
    await until(() => bridge.size() === 0, "carol's session to end");
  });

  it("ends a bridged session when the upstream's stream goes away", async () => {
    const legacy = new Client({ name: "bridge-test", version: "1.0.0" });
    const legacyTransport = new SSEClientTransport(new URL(`${base}/flaky/sse`));
    await legacy.connect(legacyTransport);
    const modern = new Client({ name: "bridge-test", version: "1.0.0" });
    const modernTransport = new StreamableHTTPClientTransport(new URL(`${base}/flaky/mcp`));
    await modern.connect(modernTransport);
    expect(bridge.size()).toBe(2);
    // The bridge ends the client's stream: its EventSource reports it (and then tries to reconnect).
    const legacyEnded = new Promise<void>((resolve) => (legacy.onerror = () => resolve()));

    await flaky.stop();
    await legacyEnded;
    await until(() => bridge.size() === 0, "both sessions to end");
    // The Streamable HTTP client learns it on its next request: its session is gone.
    await expect(modern.listTools()).rejects.toThrow(/404|Session not found/);
    await modern.close();
    await legacy.close();
    await flaky.start();
  });

  // [client transport, path]: progress reaches the client one by one, before the result.
  const progressCases: [string, (url: string) => StreamableHTTPClientTransport | SSEClientTransport, string][] = [
    ["a Streamable HTTP client", (url) => new StreamableHTTPClientTransport(new URL(url)), "/flaky/mcp"],
    ["an SSE-only client", (url) => new SSEClientTransport(new URL(url)), "/flaky/sse"],
  ];

  it.each(progressCases)("passes progress notifications to %s as they come, before the result", async (_name, transportFor, path) => {
    const client = new Client({ name: "bridge-test", version: "1.0.0" });
    const transport = transportFor(`${base}${path}`);
    await client.connect(transport);
    const seen: { what: string; at: number }[] = [];
    const result = await client.callTool({ name: "count", arguments: { n: 3 } }, undefined, {
      onprogress: (p) => void seen.push({ what: `progress ${p.progress}`, at: Date.now() }),
    });
    seen.push({ what: "result", at: Date.now() });
    expect(result.content).toEqual([{ type: "text", text: "counted" }]);
    expect(seen.map((s) => s.what)).toEqual(["progress 1", "progress 2", "progress 3", "result"]);
    // Each came when the upstream sent it (60 ms apart), not all at once with the result.
    expect(seen[3]!.at - seen[0]!.at).toBeGreaterThanOrEqual(100);
    if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession();
    await client.close();
    await until(() => bridge.size() === 0, "the session to end");
  });

  it("tells the upstream to stop when the client goes away mid-call", async () => {
    records.length = 0;
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const init = await fetch(`${base}/flaky/mcp`, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } }),
    });
    const sessionId = init.headers.get("mcp-session-id")!;
    await init.text();
    const withSession = { ...headers, "mcp-session-id": sessionId };
    await fetch(`${base}/flaky/mcp`, { method: "POST", headers: withSession, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) });

    const started = new Promise<void>((resolve) => (hangStarted = resolve));
    const abort = new AbortController();
    const call = fetch(`${base}/flaky/mcp`, {
      method: "POST",
      headers: withSession,
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "hang", arguments: {} } }),
      signal: abort.signal,
    }).then((r) => r.text());
    await started;
    const before = cancelled;
    abort.abort();
    await expect(call).rejects.toThrow();
    await until(() => cancelled === before + 1, "the upstream to see the call cancelled");
    expect(records).toMatchObject([{ tool: "hang", outcome: "aborted" }]);
    await fetch(`${base}/flaky/mcp`, { method: "DELETE", headers: withSession });
  });

  it("answers a request the upstream leaves unanswered past the timeout, and records it", async () => {
    records.length = 0;
    const client = new Client({ name: "bridge-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/flaky/mcp`), { requestInit: { headers: { "x-test-timeout-ms": "300" } } });
    await client.connect(transport);
    flaky.update({ delayMs: 2_000 });
    try {
      await expect(client.callTool({ name: "echo", arguments: { text: "slow" } })).rejects.toThrow(/timed out/);
    } finally {
      flaky.update({ delayMs: 0 });
    }
    expect(records).toMatchObject([{ tool: "echo", outcome: "timeout" }]);
    // The session is still usable afterwards.
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo", "count", "hang"]);
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
