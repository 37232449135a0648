// Origin checks and CORS on /{path}/mcp: browsers send Origin, and only the registry's own
// origin and the ones GATEWAY_ALLOWED_ORIGINS lists may call; a listed origin's preflight is
// answered before sign-in, and its answers (the 401 challenge included) carry CORS headers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startApp, stopApp, type TestApp } from "../support/app.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { signInAsAdmin } from "../support/session.ts";
import { bearer, INITIALIZE, registerUpstream, rpc } from "./harness.ts";

const ALLOWED = "https://app.example";
let upstream: TestMcpServer;
let app: TestApp;
let publicUrl: string;
let calls = 0;

beforeAll(async () => {
  upstream = await startMcpServer({ onRequest: () => void calls++ });
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  app = await startApp({ env: { PORT: String(port), PUBLIC_URL: publicUrl, GATEWAY_ALLOWED_ORIGINS: `${ALLOWED}, http://localhost:6274` } });
  await registerUpstream(app, "/cors", upstream.mcpUrl());
});

afterAll(async () => {
  await stopApp(app);
  await upstream.close();
});

const url = () => `${app.url}/cors/mcp`;

describe("the gateway and browser origins", () => {
  it("answers a listed origin's preflight without credentials, and never allows credentials", async () => {
    const before = calls;
    const res = await fetch(url(), {
      method: "OPTIONS",
      headers: { origin: ALLOWED, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, mcp-protocol-version" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, DELETE");
    for (const h of ["authorization", "content-type", "mcp-session-id", "mcp-protocol-version", "last-event-id"]) {
      expect(res.headers.get("access-control-allow-headers")).toContain(h);
    }
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("vary")).toContain("Origin");
    expect(calls).toBe(before); // nothing went upstream
  });

  it("lets a listed origin call with a bearer token, and exposes the session header", async () => {
    const res = await rpc(url(), INITIALIZE, { ...bearer(app.adminToken), origin: ALLOWED });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-expose-headers")).toContain("mcp-session-id");
    await res.arrayBuffer();
  });

  it("gives a listed origin's unauthenticated request a challenge it can read", async () => {
    const res = await rpc(url(), INITIALIZE, { origin: ALLOWED });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer resource_metadata=/);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-expose-headers")).toContain("www-authenticate");
    await res.arrayBuffer();
  });

  it("refuses other origins, even with a valid token, before anything reaches the upstream", async () => {
    const before = calls;
    for (const origin of ["https://evil.example", "null", "https://app.example.evil.example", "http://app.example"]) {
      const call = await rpc(url(), INITIALIZE, { ...bearer(app.adminToken), origin });
      expect(call.status, origin).toBe(403);
      expect(call.headers.get("access-control-allow-origin"), origin).toBeNull();
      const body = (await call.json()) as { jsonrpc: string; error: { message: string } };
      expect(body.jsonrpc).toBe("2.0");
      expect(body.error.message).toMatch(/origin/i);
      const preflight = await fetch(url(), { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
      expect(preflight.status, origin).toBe(403);
      expect(preflight.headers.get("access-control-allow-origin"), origin).toBeNull();
      await preflight.arrayBuffer();
    }
    expect(calls).toBe(before);
  });

  it("takes the registry's own origin and clients that send none as before, with no CORS headers", async () => {
    for (const headers of [{ origin: publicUrl }, {}] as Record<string, string>[]) {
      const res = await rpc(url(), INITIALIZE, { ...bearer(app.adminToken), ...headers });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      await res.arrayBuffer();
    }
  });

  it("keeps refusing a cookie-signed post from a listed origin (cookies are for the registry's own pages)", async () => {
    const cookie = await signInAsAdmin(app.url);
    const own = await rpc(url(), INITIALIZE, { cookie, origin: publicUrl });
    expect(own.status).toBe(200);
    await own.arrayBuffer();
    const cross = await rpc(url(), INITIALIZE, { cookie, origin: ALLOWED });
    expect(cross.status).toBe(403);
    await cross.arrayBuffer();
  });
});

describe("the registry's own MCP server (/mcpgw/mcp) and browser origins", () => {
  const mcpgw = () => `${app.url}/mcpgw/mcp`;
  const LIST = { jsonrpc: "2.0", id: 1, method: "tools/list" };

  it("answers a listed origin's preflight and calls, with CORS headers", async () => {
    const preflight = await fetch(mcpgw(), { method: "OPTIONS", headers: { origin: ALLOWED, "access-control-request-method": "POST" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    const call = await rpc(mcpgw(), LIST, { ...bearer(app.adminToken), origin: ALLOWED });
    expect(call.status).toBe(200);
    expect(call.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const body = (await call.json()) as { result: { tools: { name: string }[] } };
    expect(body.result.tools.map((t) => t.name)).toContain("search_tools");
  });

  it("refuses other origins with a JSON-RPC error, token or not", async () => {
    for (const method of ["POST", "OPTIONS", "GET"]) {
      const res = await fetch(mcpgw(), {
        method,
        headers: { origin: "https://evil.example", "content-type": "application/json", ...bearer(app.adminToken) },
        ...(method === "POST" ? { body: JSON.stringify(LIST) } : {}),
      });
      expect(res.status, method).toBe(403);
      expect(res.headers.get("access-control-allow-origin"), method).toBeNull();
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message, method).toMatch(/origin/i);
    }
  });

  it("serves callers without an Origin as before", async () => {
    const call = await rpc(mcpgw(), LIST, bearer(app.adminToken));
    expect(call.status).toBe(200);
    expect(call.headers.get("access-control-allow-origin")).toBeNull();
    await call.arrayBuffer();
  });
});
