// GraphiQL in a real browser with no internet: every request it makes goes to this
// server (any other host fails the test), it loads the schema and its docs, and runs a
// query and a subscription over both transports (HTTP server-sent events and graphql-ws).
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import type { ServerEvents } from "../../src/servers/events.ts";
import { ADMIN, startApp, stopApp, type TestApp } from "../support/app.ts";
import { browser, screenshot, signInWithForm, type TestBrowser } from "../support/browser.ts";

let app: TestApp;
let chrome: TestBrowser;
let context: BrowserContext;
let page: Page;
let errors: string[];
/** Requests to any host but this server's, which an offline machine could not make. */
const outside: string[] = [];
let listening: MockInstance<ServerEvents["subscribe"]>;

beforeAll(async () => {
  [app, chrome] = await Promise.all([startApp(), browser()]);
  listening = vi.spyOn(app.events, "subscribe");
  ({ context, page, errors } = await chrome.page());
  const own = new URL(app.url).host;
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === "http:" || url.protocol === "ws:") && url.host === own) return route.continue();
    if (url.protocol === "blob:" || url.protocol === "data:") return route.continue();
    outside.push(url.href);
    return route.abort("internetdisconnected");
  });
  await signInWithForm(page, app.url, ADMIN.username, ADMIN.password);
}, 60_000);

afterAll(async () => {
  await chrome?.close();
  await stopApp(app);
});

/** The result pane's text, with the editor's non-breaking spaces made plain. */
const response = async () => (await page.locator(".graphiql-response").innerText()).replace(/\s+/g, " ");

async function open(query: string, params = ""): Promise<void> {
  await page.goto(`${app.url}/graphql?${params}query=${encodeURIComponent(query)}`);
  await page.getByRole("button", { name: /Execute query/ }).waitFor({ timeout: 60_000 });
}

describe("GraphiQL, offline and signed in with the session", () => {
  it("loads from this server alone, under its CSP, and shows the schema's docs", async () => {
    const res = await page.goto(`${app.url}/graphql`);
    expect(res?.status()).toBe(200);
    const csp = (await res?.headerValue("content-security-policy")) ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:\/\//);
    await page.getByRole("button", { name: /Show Documentation Explorer/i }).click({ timeout: 60_000 });
    const docs = page.locator(".graphiql-doc-explorer");
    // The root types' links appear once the introspection query has been answered.
    await docs.getByText("Query", { exact: true }).first().click({ timeout: 30_000 });
    await docs.getByText("servers", { exact: true }).first().waitFor();
    // Fields come with their descriptions.
    await expect.poll(() => docs.innerText()).toContain("What publishing this server.json would object to");
    await screenshot(page, "graphiql-docs");
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  it("runs a query as the signed-in user", async () => {
    await open("{ viewer { username } }");
    await page.getByRole("button", { name: /Execute query/ }).click();
    await expect.poll(() => response(), { timeout: 30_000 }).toContain('"username": "admin"');
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  it.each([
    ["HTTP (server-sent events), the default", ""],
    ["graphql-ws", "subscriptions=ws&"],
  ])("runs a subscription over %s", async (_name, params) => {
    // Short and without dashes: the result editor wraps long words.
    const path = `/p${randomBytes(4).toString("hex")}`;
    const sockets: string[] = [];
    const onSocket = (ws: { url(): string }) => sockets.push(ws.url());
    page.on("websocket", onSocket);
    await open("subscription { healthStatus { path health } }", params);
    const before = listening.mock.calls.length;
    await page.getByRole("button", { name: /Execute query/ }).click();
    await vi.waitFor(() => expect(listening.mock.calls.length).toBeGreaterThan(before), { timeout: 30_000 });
    app.events.publish({
      type: "health",
      serverId: randomUUID(),
      path,
      health: "UNHEALTHY",
      healthStatus: "unhealthy: timeout",
      reason: "timeout",
      lastCheckedAt: null,
      numTools: 0,
      latencyMs: null,
    });
    await expect.poll(() => response(), { timeout: 30_000 }).toContain(`"path": "${path}"`);
    await screenshot(page, `graphiql-subscription-${params ? "ws" : "sse"}`);
    page.off("websocket", onSocket);
    expect(sockets).toEqual(params ? [`${app.url.replace("http:", "ws:")}/graphql`] : []);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);
});
