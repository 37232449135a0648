// The Connect panel and the tool playground in Chromium: the gateway URL and each client's
// configuration as a user copies them, a token limited to use_service on the server that
// really works through the gateway (and nowhere else), nothing for viewers who may not use
// the server; the playground's form from an input schema and its MCP requests. Most
// playground tests have a route of the browser hand `/{path}/mcp` to a real MCP SDK server,
// so that the page's requests can be recorded and its error answers chosen; the last one
// calls through the real gateway.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page, Route } from "playwright-core";
import { z } from "zod";
import { print } from "graphql";
import { ADMIN, freePort, startApp, stopApp, type TestApp } from "../support/app.ts";
import { axeViolations, browser, screenshot, signInWithForm, type TestBrowser } from "../support/browser.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { RegisterServer, ToggleServer, UpdatePolicy, Viewer } from "../support/operations.ts";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { signedSessionValue } from "../../src/auth/session.ts";
import { seedTools } from "../support/seed.ts";
import { clientConfigs } from "../../src/web/client/connect-config.ts";

let app: TestApp;
let chrome: TestBrowser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let upstream: TestMcpServer;
/** The token the Connect panel made for /weather. */
let connectToken = "";

const FORECAST_SCHEMA = {
  type: "object",
  properties: {
    city: { type: "string", description: "City name" },
    days: { type: "integer", description: "How many days" },
    metric: { type: "boolean" },
    units: { type: "string", enum: ["celsius", "fahrenheit"] },
    tags: { type: "array", items: { type: "string" } },
    where: { type: "object", properties: { lat: { type: "number" } } },
  },
  required: ["city", "days"],
};

beforeAll(async () => {
  const port = await freePort();
  [app, chrome, upstream] = await Promise.all([
    startApp({ env: { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } }),
    browser(),
    startMcpServer({
      tools: [
        {
          name: "get_forecast",
          description: "Forecast for a city",
          inputSchema: {
            city: z.string(),
            days: z.number().int(),
            metric: z.boolean().optional(),
            units: z.enum(["celsius", "fahrenheit"]).optional(),
            tags: z.array(z.string()).optional(),
            where: z.object({ lat: z.number() }).optional(),
          },
        },
        { name: "ping", description: "No arguments" },
      ],
    }),
  ]);
  for (const [path, name] of [["/weather", "Weather"], ["/finance", "Finance"]] as const) {
    await app.gqlOk(RegisterServer, { input: { name, path, proxyPassUrl: upstream.mcpUrl() } });
  }
  await seedTools(app, "/weather", [
    { name: "get_forecast", description: "Forecast for a city", inputSchema: FORECAST_SCHEMA },
    { name: "ping", description: "No arguments", inputSchema: { type: "object", properties: {} } },
  ]);
  ({ context, page, errors } = await chrome.page());
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.url });
  await signInWithForm(page, app.url, ADMIN.username, ADMIN.password);
  await page.locator('li.card[data-path="/weather"]').waitFor();
});

afterAll(async () => {
  await chrome?.close();
  await stopApp(app);
  await upstream?.close();
});

const clipboard = () => page.evaluate(() => navigator.clipboard.readText());

describe("the Connect panel", () => {
  it("opens from a server's card with the gateway URL and each client's configuration", async () => {
    await page.locator('li.card[data-path="/weather"]').getByRole("button", { name: "Connect to Weather" }).click();
    const dialog = page.getByRole("dialog", { name: "Connect to Weather" });
    await dialog.waitFor();
    const url = `${app.url}/weather/mcp`;
    expect(await dialog.locator("code.break").first().textContent()).toBe(url);
    const text = async (id: string) => (await dialog.locator(`pre[data-config="${id}"]`).textContent()) ?? "";
    expect(JSON.parse(await text("vscode"))).toEqual({
      inputs: [{ type: "promptString", id: "mcp-registry-token", description: "MCP Gateway Registry token", password: true }],
      servers: { weather: { type: "http", url, headers: { Authorization: "Bearer ${input:mcp-registry-token}" } } },
    });
    expect(await text("claude")).toBe(`claude mcp add --transport http weather ${url} --header "Authorization: Bearer $MCP_REGISTRY_TOKEN"`);
    expect(JSON.parse(await text("cursor"))).toEqual({ mcpServers: { weather: { url, headers: { Authorization: "Bearer ${env:MCP_REGISTRY_TOKEN}" } } } });
    expect(await text("generic")).toContain(`curl -i ${url}`);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "connect-dialog");
  });

  it("copies exactly what it shows", async () => {
    const dialog = page.getByRole("dialog", { name: "Connect to Weather" });
    await dialog.getByRole("button", { name: "Copy the gateway URL" }).click();
    await expect.poll(clipboard).toBe(`${app.url}/weather/mcp`);
    for (const c of clientConfigs("/weather", `${app.url}/weather/mcp`)) {
      await dialog.getByRole("button", { name: `Copy the ${c.title} configuration` }).click();
      await expect.poll(clipboard).toBe(c.text);
    }
  });

  it("creates a token that may use this server and nothing else, shown once", async () => {
    const dialog = page.getByRole("dialog", { name: "Connect to Weather" });
    await dialog.getByRole("button", { name: "Create a token for this server" }).click();
    const value = dialog.getByLabel("Token", { exact: true });
    await value.waitFor();
    const token = await value.inputValue();
    expect(token.split(".")).toHaveLength(3);
    connectToken = token;
    await dialog.getByRole("button", { name: "Copy the token" }).click();
    await expect.poll(clipboard).toBe(token);
    expect(await dialog.locator("pre[data-export]").textContent()).toBe(`export MCP_REGISTRY_TOKEN=${token}`);
    expect(await axeViolations(page)).toEqual([]);

    const res = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: print(Viewer) }),
    });
    const { data } = (await res.json()) as { data: { viewer: { authMethod: string; isAdmin: boolean; permissions: unknown } } };
    expect(data.viewer).toMatchObject({ authMethod: "bearer-registry", isAdmin: false, permissions: [{ servers: ["/weather"], permissions: ["USE_SERVICE"], tools: ["all"] }] });

    // Closing the dialog drops the token; opening it again offers a new one.
    await dialog.getByRole("button", { name: "Close" }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Connect to Weather");
    await page.getByRole("button", { name: "Connect to Weather" }).click();
    expect(await page.getByRole("dialog", { name: "Connect to Weather" }).getByLabel("Token", { exact: true }).count()).toBe(0);
    await page.getByRole("dialog", { name: "Connect to Weather" }).getByRole("button", { name: "Close" }).click();
  });

  it("makes a token an MCP client uses through the gateway on that server, and on no other", async () => {
    for (const path of ["/weather", "/finance"]) await app.gqlOk(ToggleServer, { path, enabled: true });
    const client = new Client({ name: "connect-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${app.url}/weather/mcp`), { requestInit: { headers: { authorization: `Bearer ${connectToken}` } } }));
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(["get_forecast", "ping"]);
    const ping = await client.callTool({ name: "ping", arguments: {} });
    expect(ping.isError ?? false).toBe(false);
    await client.close();
    const other = await fetch(`${app.url}/finance/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${connectToken}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } } }),
    });
    expect(other.status).toBe(404);
    // The admin who made it reaches /finance; the token does not.
    const admin = await fetch(`${app.url}/finance/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.adminToken}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } } }),
    });
    expect(admin.status).toBe(200);
  });

  it("is not offered to a viewer who may not use the server", async () => {
    // A session of someone whose group may list every server and use none.
    await app.gqlOk(UpdatePolicy, { document: { groups: { readers: [{ servers: "all", permissions: ["list_service"] }] } } });
    const id = `reader-${Date.now()}`;
    const identity = { subject: "reader", username: "reader", groups: ["readers"], scopes: null, authMethod: "session-oidc" };
    await app.auth.sessions.set(id, { identity, signedInAt: Date.now(), _expire: Date.now() + 3_600_000 }, 3_600_000);
    const reader = await chrome.page();
    await reader.context.addCookies([{ name: app.auth.sessionCookie, value: signedSessionValue(id, app.auth.sessionSecret), url: app.url }]);
    await reader.page.goto(app.url);
    await reader.page.locator('li.card[data-path="/weather"]').waitFor();
    expect(await reader.page.locator(".who").textContent()).toBe("reader");
    expect(await reader.page.getByRole("button", { name: /^Connect to/ }).count()).toBe(0);
    await reader.page.goto(`${app.url}/servers/weather`);
    await reader.page.locator("#server-body:not([hidden])").waitFor();
    expect(await reader.page.locator("#connect-panel").isHidden()).toBe(true);
    expect(await reader.page.locator("#playground-panel").isHidden()).toBe(true);
    expect(reader.errors).toEqual([]);
    await reader.context.close();
  });
});

describe("the tool playground", () => {
  /** What the page sent to /weather/mcp, in order; answered by the real MCP server. */
  let sent: { method: string; headers: Record<string, string>; body: unknown }[] = [];

  async function forwardToUpstream(route: Route): Promise<void> {
    const request = route.request();
    sent.push({ method: request.method(), headers: await request.allHeaders(), body: request.postDataJSON() as unknown });
    if (request.method() !== "POST") return route.fulfill({ status: 405, headers: { allow: "POST" }, body: "" });
    const response = await route.fetch({ url: upstream.mcpUrl() });
    await route.fulfill({ response });
  }

  it("shows the Connect panel on the server page, and a form made from the tool's input schema", async () => {
    await page.goto(`${app.url}/servers/weather`);
    await page.locator("#server-body:not([hidden])").waitFor();
    const connect = page.getByRole("region", { name: "Connect" });
    expect(await connect.locator("code.break").first().textContent()).toBe(`${app.url}/weather/mcp`);
    const playground = page.getByRole("region", { name: "Try a tool" });
    await playground.getByLabel("Tool").selectOption("get_forecast");
    const kinds = await playground.locator("#playground-fields .field").evaluateAll((els) =>
      els.map((e) => [e.querySelector("code")?.textContent, e.getAttribute("data-kind"), e.querySelector("input, select, textarea")?.outerHTML.split(" ")[0]]),
    );
    // Required fields first; the database keeps JSON keys in its own order, so compare by name.
    expect(kinds.slice(0, 2).map((k) => k[0])).toEqual(["city", "days"]);
    expect(kinds.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ["city", "string", "<input"],
      ["days", "integer", "<input"],
      ["metric", "boolean", "<input"],
      ["tags", "string-list", "<textarea"],
      ["units", "enum", "<select"],
      ["where", "json", "<textarea"],
    ]);
    expect(await playground.getByLabel("days (required)").getAttribute("type")).toBe("number");
    expect(await playground.getByLabel("metric").getAttribute("type")).toBe("checkbox");
    expect(await axeViolations(page)).toEqual([]);
  });

  it("refuses to call without the required arguments, and says which", async () => {
    const playground = page.getByRole("region", { name: "Try a tool" });
    await page.route("**/weather/mcp", forwardToUpstream);
    sent = [];
    await playground.getByRole("button", { name: "Call tool" }).click();
    expect(await playground.locator("#playground-fields .field-error:not([hidden])").allTextContents()).toEqual(["city is required", "days is required"]);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("city");
    expect(sent).toEqual([]);
  });

  it("calls the tool over MCP (initialize, initialized, tools/call) with typed arguments and shows the result", async () => {
    const playground = page.getByRole("region", { name: "Try a tool" });
    await playground.getByLabel("city (required)").fill("Paris");
    await playground.getByLabel("days (required)").fill("3");
    await playground.getByLabel("metric").check();
    await playground.getByLabel("units").selectOption("celsius");
    await playground.getByLabel("tags (one per line)").fill("rain\nwind\n");
    await playground.getByLabel("where (JSON)").fill('{"lat": 48.85}');
    sent = [];
    await playground.getByRole("button", { name: "Call tool" }).click();
    await page.locator('#playground-result[data-state="ok"]').waitFor();
    const output = JSON.parse((await page.locator("#playground-output").textContent()) ?? "") as { content: { text: string }[] };
    expect(JSON.parse(output.content[0]!.text)).toEqual({ city: "Paris", days: 3, metric: true, units: "celsius", tags: ["rain", "wind"], where: { lat: 48.85 } });
    const posts = sent.filter((s) => s.method === "POST").map((s) => (s.body as { method: string }).method);
    expect(posts).toEqual(["initialize", "notifications/initialized", "tools/call"]);
    for (const s of sent.filter((x) => x.method === "POST")) {
      expect(s.headers.accept).toBe("application/json, text/event-stream");
      expect(s.headers["content-type"]).toBe("application/json");
    }
    expect((sent[2]!.body as { params: unknown }).params).toEqual({
      name: "get_forecast",
      arguments: { city: "Paris", days: 3, metric: true, units: "celsius", tags: ["rain", "wind"], where: { lat: 48.85 } },
    });
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "playground-result");
  });

  it("shows a JSON-RPC error from the gateway, from a JSON or an SSE answer", async () => {
    const playground = page.getByRole("region", { name: "Try a tool" });
    await page.unroute("**/weather/mcp");
    for (const framing of ["json", "sse"] as const) {
      await page.route("**/weather/mcp", async (route) => {
        const body = route.request().postDataJSON() as { id?: number; method: string };
        if (body.method !== "tools/call") return forwardToUpstream(route);
        const error = { jsonrpc: "2.0", id: body.id, error: { code: -32003, message: "Tool get_forecast is not allowed" } };
        return framing === "json"
          ? route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(error) })
          : route.fulfill({ status: 200, contentType: "text/event-stream", body: `event: message\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{}}\n\nevent: message\ndata: ${JSON.stringify(error)}\n\n` });
      });
      await playground.getByRole("button", { name: "Call tool" }).click();
      await page.locator('#playground-result[data-state="rpc-error"]').waitFor();
      expect(await page.locator("#playground-result-title").textContent()).toBe("JSON-RPC error -32003");
      expect(await page.locator("#playground-output").textContent()).toContain("Tool get_forecast is not allowed");
      await page.unroute("**/weather/mcp");
      // The next call starts from a fresh state.
      await page.evaluate(() => document.getElementById("playground-result")?.setAttribute("data-state", ""));
    }
    expect(errors.filter((e) => !e.includes("the server responded with a status"))).toEqual([]);
  });

  it("calls a tool through the real gateway, signed in by the page's session", async () => {
    await page.unrouteAll();
    await page.goto(`${app.url}/servers/weather`);
    const playground = page.getByRole("region", { name: "Try a tool" });
    await playground.getByLabel("Tool").selectOption("get_forecast");
    await playground.getByLabel("city (required)").fill("Oslo");
    await playground.getByLabel("days (required)").fill("2");
    await playground.getByLabel("tags (one per line)").fill("snow");
    const before = upstream.stats().requests;
    await playground.getByRole("button", { name: "Call tool" }).click();
    await page.locator('#playground-result[data-state="ok"]').waitFor();
    const output = JSON.parse((await page.locator("#playground-output").textContent()) ?? "") as { content: { text: string }[] };
    expect(JSON.parse(output.content[0]!.text)).toEqual({ city: "Oslo", days: 2, tags: ["snow"] });
    expect(upstream.stats().requests).toBeGreaterThan(before);
    expect(errors.filter((e) => !e.includes("the server responded with a status"))).toEqual([]);
  });
});
