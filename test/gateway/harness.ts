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
