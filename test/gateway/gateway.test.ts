// The MCP gateway at /{path}/mcp against real MCP SDK servers, with the MCP SDK client:
// the protocol end to end, streaming, sign-in and authorisation, upstream credentials,
// and the limits.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import type http from "node:http";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { freePort, startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { startIdp, type Idp } from "../support/idp.ts";
import { sampleTools, startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { ToggleServer, UpdateServer } from "../support/operations.ts";
import type { ToolCallRecord } from "../../src/gateway/target.ts";
import { gatewayUrlOf } from "../../src/servers/path.ts";
import { bearer, connectClient, INITIALIZE, registerUpstream, rpc } from "./harness.ts";

const BIG_BYTES = 20 * 1024 * 1024;
const bigText = "0123456789abcdef".repeat(BIG_BYTES / 16);
const UPSTREAM_SECRET = "upstream-secret-0123456789";

let upstream: TestMcpServer;
/** Stateless, JSON answers, and the older HTTP+SSE transport at /sse. */
let plain: TestMcpServer;
let app: TestApp;
let idp: Idp;
let policyDir: string;
const seen: http.IncomingHttpHeaders[] = [];
const requests: http.IncomingMessage[] = [];
let addCalls = 0;
let waitStarted: () => void = () => undefined;

beforeAll(async () => {
  upstream = await startMcpServer({
    stateful: true,
    onRequest: (req) => {
      seen.push({ ...req.headers });
      requests.push(req);
    },
    tools: [
      {
        ...sampleTools[0]!,
        handler: async (args) => ({ content: [{ type: "text", text: JSON.stringify(args) }], structuredContent: { text: String(args.text) } }),
      },
      {
        ...sampleTools[1]!,
        handler: async (args) => {
          addCalls++;
          return { content: [{ type: "text", text: String(Number(args.a) + Number(args.b)) }] };
        },
      },
      {
        name: "countdown",
        description: "Sends progress `steps` times (4), `ms` apart (250), then answers",
        inputSchema: { steps: z.number().optional(), ms: z.number().optional() },
        handler: async (args, extra) => {
          const token = extra._meta?.progressToken;
          const steps = Number(args.steps ?? 4);
          for (let i = 1; i <= steps; i++) {
            if (token !== undefined) await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: i, total: steps } });
            await new Promise((resolve) => setTimeout(resolve, Number(args.ms ?? 250)));
          }
          return { content: [{ type: "text", text: "lift-off" }] };
        },
      },
      { name: "big", description: "A 20 MiB answer", inputSchema: {}, handler: async () => ({ content: [{ type: "text", text: bigText }] }) },
      {
        name: "wait",
        description: "Never answers",
        inputSchema: { ms: z.number().optional() },
        handler: async () => {
          waitStarted();
          await new Promise((resolve) => setTimeout(resolve, 60_000).unref());
          return { content: [{ type: "text", text: "late" }] };
        },
      },
    ],
  });
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  idp = await startIdp({});
  policyDir = await fs.mkdtemp(path.join(os.tmpdir(), "gateway-policy-"));
  const policyFile = path.join(policyDir, "policy.yaml");
  await fs.writeFile(
    policyFile,
    [
      "groups:",
      "  gw-users:",
      "    - servers: [/team/open, /off, /legacy, /json]",
      "      permissions: [list_service, use_service]",
      "  gw-echo:",
      "    - servers: [/team/open, /legacy, /json]",
      "      permissions: [list_service, use_service]",
      "      tools: [echo]",
      "  gw-listers:",
      "    - servers: [/team/open]",
      "      permissions: [list_service]",
    ].join("\n"),
  );
  app = await startApp({
    env: {
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      ACCESS_POLICY_FILE: policyFile,
      OIDC_PROVIDERS: "keycloak",
      OIDC_KEYCLOAK_ISSUER: idp.issuer,
      OIDC_KEYCLOAK_CLIENT_ID: idp.webClient.clientId,
      OIDC_KEYCLOAK_CLIENT_SECRET: idp.webClient.clientSecret,
      OIDC_KEYCLOAK_AUDIENCE: idp.audience,
      GATEWAY_RATE_LIMIT_PER_MINUTE: "1000000",
      GATEWAY_TOOL_RATE_LIMIT_PER_MINUTE: "1000000",
    },
  });
  await registerUpstream(app, "/team/open", upstream.mcpUrl(), { type: "BEARER", secret: UPSTREAM_SECRET });
  await registerUpstream(app, "/hidden", upstream.mcpUrl());
  await registerUpstream(app, "/off", upstream.mcpUrl());
  await app.gqlOk(ToggleServer, { path: "/off", enabled: false });
  plain = await startMcpServer({
    requireBearer: UPSTREAM_SECRET,
    tools: [{ name: "echo", description: "Echo", inputSchema: { text: z.string() } }, sampleTools[1]!],
  });
  await registerUpstream(app, "/legacy", plain.sseUrl(), { type: "BEARER", secret: UPSTREAM_SECRET });
  await registerUpstream(app, "/json", plain.mcpUrl(), { type: "BEARER", secret: UPSTREAM_SECRET });
});

afterAll(async () => {
  await stopApp(app);
  await upstream?.close();
  await plain?.close();
  await idp?.close();
  if (policyDir) await fs.rm(policyDir, { recursive: true, force: true });
});

const userToken = (groups: string[], scopes = ["list_service", "use_service"]) =>
  tokenFor(app, { subject: `user-${groups.join("-")}-${scopes.join("-")}`, username: "user", groups, scopes });
const gateway = (p: string) => `${app.url}${p}/mcp`;

describe("the protocol through the gateway", () => {
  it("initializes, lists and calls tools, with the stored credential upstream and none of the client's", async () => {
    seen.length = 0;
    const token = await userToken(["gw-users"]);
    const { client } = await connectClient(app.url, "/team/open", {
      "x-authorization": `Bearer ${token}`,
      cookie: "mcp_session=stolen",
      "x-forwarded-for": "10.9.9.9",
    });
    expect(client.getServerVersion()?.name).toBe("test-mcp-server");
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(["echo", "add", "countdown", "big", "wait"]);
    const result = await client.callTool({ name: "echo", arguments: { text: "hi" } });
    expect(result.content).toEqual([{ type: "text", text: JSON.stringify({ text: "hi" }) }]);
    await client.close();

    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (const headers of seen) {
      expect(headers.authorization).toBe(`Bearer ${UPSTREAM_SECRET}`);
      expect(headers.cookie).toBeUndefined();
      expect(headers["x-authorization"]).toBeUndefined();
      expect(headers["x-forwarded-for"]).toBeUndefined();
    }
    expect(JSON.stringify(seen)).not.toContain(token);
  });

  it("passes progress notifications on one by one, before the result", async () => {
    const { client } = await connectClient(app.url, "/team/open", bearer(app.adminToken));
    const arrivals: { progress: number; at: number }[] = [];
    const result = await client.callTool({ name: "countdown", arguments: {} }, undefined, {
      onprogress: (p) => arrivals.push({ progress: p.progress, at: performance.now() }),
    });
    const done = performance.now();
    expect(result.content).toEqual([{ type: "text", text: "lift-off" }]);
    expect(arrivals.map((a) => a.progress)).toEqual([1, 2, 3, 4]);
    // Buffered, they would arrive together with the result; streamed, about 250 ms apart.
    expect(arrivals[3]!.at - arrivals[0]!.at).toBeGreaterThan(400);
    expect(done - arrivals[0]!.at).toBeGreaterThan(700);
    await client.close();
  });

  it("resumes an SSE answer with Last-Event-ID, and ends a session with DELETE", async () => {
    const headers = bearer(app.adminToken);
    const init = await rpc(gateway("/team/open"), INITIALIZE, headers);
    expect(init.status).toBe(200);
    const session = init.headers.get("mcp-session-id")!;
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    await init.text();
    const common = { ...headers, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" };
    await (await rpc(gateway("/team/open"), { jsonrpc: "2.0", method: "notifications/initialized" }, common)).text();

    const controller = new AbortController();
    const call = await rpc(
      gateway("/team/open"),
      { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "countdown", arguments: {}, _meta: { progressToken: "p" } } },
      common,
      controller.signal,
    );
    expect(call.headers.get("content-type")).toContain("text/event-stream");
    const reader = call.body!.getReader();
    let text = "";
    while (!/\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const firstId = /^id: ?(.+)$/m.exec(text)?.[1];
    expect(firstId).toBeTruthy();
    controller.abort();

    const resumed = await fetch(gateway("/team/open"), { headers: { ...common, accept: "text/event-stream", "last-event-id": firstId! } });
    expect(resumed.status).toBe(200);
    const rest = resumed.body!.getReader();
    let replay = "";
    while (!replay.includes('"lift-off"')) {
      const chunk = await rest.read();
      if (chunk.done) break;
      replay += new TextDecoder().decode(chunk.value);
    }
    expect(replay).toContain('"progress":2');
    expect(replay).toContain('"lift-off"');
    expect(replay).not.toContain('"progress":1,');
    await rest.cancel();

    const live = upstream.stats().liveSessions;
    const ended = await fetch(gateway("/team/open"), { method: "DELETE", headers: common });
    expect(ended.status).toBe(200);
    expect(upstream.stats().liveSessions).toBe(live - 1);
    const after = await rpc(gateway("/team/open"), { jsonrpc: "2.0", id: 8, method: "tools/list" }, common);
    expect(after.status).toBe(404);
  });

  it("passes a 20 MiB answer intact", async () => {
    const { client } = await connectClient(app.url, "/team/open", bearer(app.adminToken));
    const result = await client.callTool({ name: "big", arguments: {} });
    const text = (result.content as { text: string }[])[0]!.text;
    expect(text.length).toBe(BIG_BYTES);
    expect(createHash("sha256").update(text).digest("hex")).toBe(createHash("sha256").update(bigText).digest("hex"));
    await client.close();
  });

  it("aborts the upstream request when the client goes away", async () => {
    const started = new Promise<void>((resolve) => (waitStarted = resolve));
    const controller = new AbortController();
    const { client } = await connectClient(app.url, "/team/open", bearer(app.adminToken));
    const call = client.callTool({ name: "wait", arguments: {} }, undefined, { signal: controller.signal }).catch(() => "aborted");
    requests.length = 0;
    await started;
    const upstreamRequest = requests.findLast((r) => r.method === "POST")!;
    const closed = new Promise<void>((resolve) => upstreamRequest.socket.once("close", () => resolve()));
    // Cancelling in the SDK sends notifications/cancelled; closing the transport drops the connection.
    await client.close();
    controller.abort();
    await closed;
    expect(await call).toBe("aborted");
  });
});

describe("servers and clients of the older HTTP+SSE transport, and JSON answers", () => {
  it("bridges a Streamable HTTP client to an SSE-only server, filtered like any other", async () => {
    const { client } = await connectClient(app.url, "/legacy", bearer(await userToken(["gw-echo"])));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    expect((await client.callTool({ name: "echo", arguments: { text: "old" } })).content).toEqual([{ type: "text", text: JSON.stringify({ text: "old" }) }]);
    await expect(client.callTool({ name: "add", arguments: { a: 1, b: 2 } })).rejects.toThrow(/not available to you/);
    await client.close();
  });

  it("serves an SSE-only client at /{path}/sse", async () => {
    const client = new Client({ name: "sse-only", version: "1.0.0" });
    await client.connect(new SSEClientTransport(new URL(`${app.url}/json/sse`), { requestInit: { headers: bearer(await userToken(["gw-users"])) } }));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo", "add"]);
    expect((await client.callTool({ name: "add", arguments: { a: 2, b: 5 } })).content).toEqual([{ type: "text", text: JSON.stringify({ a: 2, b: 5 }) }]);
    await client.close();
  });

  it("filters JSON answers for a restricted caller", async () => {
    const { client } = await connectClient(app.url, "/json", bearer(await userToken(["gw-echo"])));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    await client.close();
    const full = await connectClient(app.url, "/json", bearer(await userToken(["gw-users"])));
    expect((await full.client.listTools()).tools.map((t) => t.name)).toEqual(["echo", "add"]);
    await full.client.close();
    // This server has no server-to-client stream: GET is 405 with Allow, as the server said.
    const get = await fetch(gateway("/json"), { headers: { ...bearer(app.adminToken), accept: "text/event-stream" } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });
});

describe("who may use a server", () => {
  it("challenges an anonymous client with the protected-resource metadata and the scope", async () => {
    const res = await rpc(gateway("/team/open"), INITIALIZE);
    expect(res.status).toBe(401);
    const metadataUrl = `${app.config.publicUrl}/.well-known/oauth-protected-resource/team/open/mcp`;
    expect(res.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${metadataUrl}", scope="use_service"`);
    const body = (await res.json()) as { jsonrpc: string; error: { code: number; message: string } };
    expect(body.jsonrpc).toBe("2.0");
    expect(body.error.message).toMatch(/sign in/i);

    const doc = await fetch(metadataUrl.replace(app.config.publicUrl, app.url));
    expect(doc.status).toBe(200);
    expect(await doc.json()).toMatchObject({
      resource: gatewayUrlOf(app.config.publicUrl, "/team/open"),
      authorization_servers: [idp.issuer],
      scopes_supported: ["use_service"],
    });
  });

  it("answers 403 insufficient_scope for a token without use_service", async () => {
    const token = await userToken(["gw-users"], ["list_service"]);
    const res = await rpc(gateway("/team/open"), INITIALIZE, bearer(token));
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_scope", resource_metadata="[^"]+\/team\/open\/mcp", scope="use_service"$/);
  });

  it("accepts provider tokens for the registry or for this server, and refuses other audiences", async () => {
    const resource = gatewayUrlOf(app.config.publicUrl, "/team/open");
    for (const aud of [idp.audience, resource]) {
      const token = await idp.issueAccessToken({ aud, groups: ["gw-users"] });
      const res = await rpc(gateway("/team/open"), INITIALIZE, bearer(token));
      expect(res.status, `aud ${aud}`).toBe(200);
      await res.text();
    }
    const other = await idp.issueAccessToken({ aud: "https://elsewhere.example/mcp", groups: ["gw-users"] });
    const res = await rpc(gateway("/team/open"), INITIALIZE, bearer(other));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token", error_description="token audience is not accepted", resource_metadata=/);
    // A token for one server is not a token for another.
    const forOpen = await idp.issueAccessToken({ aud: resource, groups: ["gw-users"] });
    expect((await rpc(gateway("/off"), INITIALIZE, bearer(forOpen))).status).toBe(401);
  });

  it("filters tools/list to the allowed tools and refuses other calls without reaching the upstream", async () => {
    const token = await userToken(["gw-echo"]);
    const { client } = await connectClient(app.url, "/team/open", bearer(token));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    const before = addCalls;
    const refused = await client.callTool({ name: "add", arguments: { a: 1, b: 2 } }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(McpError);
    expect((refused as McpError).message).toMatch(/Tool "add" is not available to you/);
    expect(addCalls).toBe(before);
    expect((await client.callTool({ name: "echo", arguments: { text: "ok" } })).isError).toBeFalsy();
    await client.close();
  });

  it("hides servers the caller may not list (404), refuses listers without use_service (403)", async () => {
    const token = await userToken(["gw-users"]);
    const hidden = await rpc(gateway("/hidden"), INITIALIZE, bearer(token));
    const missing = await rpc(gateway("/no-such-server"), INITIALIZE, bearer(token));
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await hidden.json()).toEqual({ ...(await missing.json()), error: { code: -32000, message: "No server at /hidden" } });

    const lister = await userToken(["gw-listers"], ["list_service", "use_service"]);
    const res = await rpc(gateway("/team/open"), INITIALIZE, bearer(lister));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/use_service/);
  });

  it("answers a disabled server with a JSON-RPC error and 503", async () => {
    const res = await rpc(gateway("/off"), INITIALIZE, bearer(await userToken(["gw-users"])));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("The server /off is disabled");
  });

  it("logs every tools/call to the observers, never its arguments", async () => {
    const records: ToolCallRecord[] = [];
    const stop = app.gateway.observe({
      toolCall: (r) => records.push(r),
      denied: () => undefined,
      upstreamError: () => undefined,
      rateLimited: () => undefined,
      streamOpened: () => () => undefined,
    });
    const { client } = await connectClient(app.url, "/team/open", bearer(await userToken(["gw-echo"])));
    await client.callTool({ name: "echo", arguments: { text: "secret-argument" } });
    await client.callTool({ name: "add", arguments: { a: 1, b: 2 } }).catch(() => undefined);
    await client.close();
    stop();
    expect(records.map((r) => [r.tool, r.outcome, r.path])).toEqual([
      ["echo", "ok", "/team/open"],
      ["add", "denied", "/team/open"],
    ]);
    expect(records[0]!.subject).toBe("user-gw-echo-list_service-use_service");
    expect(records[0]!.latencyMs).toBeGreaterThan(0);
    expect(JSON.stringify(records)).not.toContain("secret-argument");
  });
});

describe("limits", () => {
  it("never connects to a blocked address (the health probe's SSRF guard)", async () => {
    await registerUpstream(app, "/metadata", "http://169.254.169.254/mcp");
    const reasons: string[] = [];
    const stop = app.gateway.observe({
      toolCall: () => undefined,
      denied: () => undefined,
      upstreamError: (_path, reason) => reasons.push(reason),
      rateLimited: () => undefined,
      streamOpened: () => () => undefined,
    });
    const res = await rpc(gateway("/metadata"), INITIALIZE, bearer(app.adminToken));
    stop();
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("The server could not be reached");
    expect(reasons).toEqual(["EMCP_BLOCKED"]);
  });

  it("refuses a body over 4 MiB with 413 and a JSON-RPC error", async () => {
    const huge = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "x".repeat(4 * 1024 * 1024) } } });
    const res = await rpc(gateway("/team/open"), huge, bearer(app.adminToken));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/larger than 4194304 bytes/);
  });

  it("a server's own upstream timeout applies to it alone, progress keeps it alive, and REST reads and sets it", async () => {
    // The registry's default stays 300 s; /quick gets 1 s of its own.
    await registerUpstream(app, "/quick", upstream.mcpUrl(), { type: "BEARER", secret: UPSTREAM_SECRET });
    await registerUpstream(app, "/patient", upstream.mcpUrl(), { type: "BEARER", secret: UPSTREAM_SECRET });
    const set = await app.gqlOk(UpdateServer, { path: "/quick", input: { upstreamTimeoutSeconds: 1 } });
    expect(set.updateServer.__typename).toBe("UpdateServerSuccess");
    const details = async (p: string) =>
      ((await (await fetch(`${app.url}/api/server_details${p}`, { headers: bearer(app.adminToken) })).json()) as { upstream_timeout_seconds: number | null }).upstream_timeout_seconds;
    expect(await details("/quick")).toBe(1);
    expect(await details("/patient")).toBeNull();

    const { client: quick } = await connectClient(app.url, "/quick", bearer(app.adminToken));
    const started = performance.now();
    const silent = await quick.callTool({ name: "wait", arguments: {} }).catch((err: unknown) => err);
    expect(String(silent)).toMatch(/did not answer in time/);
    expect(performance.now() - started).toBeLessThan(5_000);
    // Progress every 400 ms keeps a 2 s call alive under its 1 s timeout.
    const progressing = await quick.callTool({ name: "countdown", arguments: { steps: 5, ms: 400 } }, undefined, { onprogress: () => undefined });
    expect(progressing.content).toEqual([{ type: "text", text: "lift-off" }]);
    await quick.close();

    // The other server is still on the default: after 2.5 s its call is open, and the client gives up itself.
    const { client: patient } = await connectClient(app.url, "/patient", bearer(app.adminToken));
    const waited = await patient.callTool({ name: "wait", arguments: {} }, undefined, { timeout: 2_500 }).catch((err: unknown) => err);
    expect(waited).toBeInstanceOf(McpError);
    expect(String(waited)).toMatch(/timed out/i);
    expect(String(waited)).not.toMatch(/did not answer in time/);
    await patient.close();

    // The REST form sets it; out-of-range values are refused and change nothing.
    const form = (body: Record<string, string>) =>
      fetch(`${app.url}/api/edit/patient`, { method: "POST", headers: { ...bearer(app.adminToken), "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body) });
    expect((await form({ upstream_timeout_seconds: "0" })).status).toBe(400);
    expect((await form({ upstream_timeout_seconds: "99999999999" })).status).toBe(400);
    expect(await details("/patient")).toBeNull();
    expect((await form({ upstream_timeout_seconds: "45" })).status).toBeLessThan(400);
    expect(await details("/patient")).toBe(45);
    // GraphQL null puts a server back on the default.
    expect((await app.gqlOk(UpdateServer, { path: "/quick", input: { upstreamTimeoutSeconds: null } })).updateServer.__typename).toBe("UpdateServerSuccess");
    expect(await details("/quick")).toBeNull();
  });

  it("limits calls per tool, with retryAfterSeconds and Retry-After; times out silent upstreams, not progressing ones", async () => {
    const limited = await startApp({ env: { GATEWAY_TOOL_RATE_LIMIT_PER_MINUTE: "2", GATEWAY_UPSTREAM_TIMEOUT_MS: "1000" } });
    try {
      await registerUpstream(limited, "/echo", upstream.mcpUrl(), { type: "BEARER", secret: UPSTREAM_SECRET });
      const { client } = await connectClient(limited.url, "/echo", bearer(limited.adminToken));
      await client.callTool({ name: "echo", arguments: { text: "1" } });
      await client.callTool({ name: "echo", arguments: { text: "2" } });
      const session = { ...bearer(limited.adminToken), "mcp-protocol-version": "2025-06-18" };
      const res = await rpc(`${limited.url}/echo/mcp`, { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "echo", arguments: { text: "3" } } }, session);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const body = (await res.json()) as { error: { data: { retryAfterSeconds: number } } };
      expect(body.error.data.retryAfterSeconds).toBe(Number(res.headers.get("retry-after")));
      // Another tool has its own bucket.
      expect((await client.callTool({ name: "add", arguments: { a: 1, b: 1 } })).content).toEqual([{ type: "text", text: "2" }]);

      // Progress every 400 ms keeps a 2 s call alive under a 1 s timeout; silence does not.
      const progressing = await client.callTool({ name: "countdown", arguments: { steps: 5, ms: 400 } }, undefined, { onprogress: () => undefined });
      expect(progressing.content).toEqual([{ type: "text", text: "lift-off" }]);
      const silent = await client.callTool({ name: "wait", arguments: {} }).catch((err: unknown) => err);
      expect(String(silent)).toMatch(/did not answer in time/);
      await client.close();
    } finally {
      await stopApp(limited);
    }
  });
});
