// The local admin's day in a real browser against the real server and a real MCP
// server: sign in, register, enable, watch health and tools arrive, lose the
// upstream and watch the badge change without a reload, edit, search, generate and
// revoke a token, sign out.
import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, startApp, stopApp, type TestApp } from "../support/app.ts";
import { browser, signInWithForm, type TestBrowser } from "../support/browser.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import type { Page } from "playwright-core";

let app: TestApp;
let mcp: TestMcpServer;
let chrome: TestBrowser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  [app, mcp, chrome] = await Promise.all([
    startApp({ env: { HEALTH_CHECKS: "true", HEALTH_CHECK_INTERVAL_SECONDS: "1", HEALTH_CHECK_TIMEOUT_MS: "1000" } }),
    startMcpServer({ name: "weather-mcp" }),
    browser(),
  ]);
  ({ page, errors } = await chrome.page({ acceptDownloads: true }));
});

afterAll(async () => {
  await chrome?.close();
  await stopApp(app);
  await mcp?.close();
});

const card = (path: string) => page.locator(`li.card[data-path="${path}"]`);

describe("admin flow", () => {
  it("says in plain words when the password is wrong", async () => {
    await page.goto(`${app.url}/login`);
    await page.getByLabel("Username").fill(ADMIN.username);
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await page.getByRole("alert").textContent()).toBe("Invalid username or password.");
    errors.length = 0; // the refused sign-in answers 401, which the browser logs
  });

  it("signs in as the local admin and sees the empty dashboard explain how to register", async () => {
    await signInWithForm(page, app.url, ADMIN.username, ADMIN.password);
    await expect.poll(() => page.locator("#empty").isVisible()).toBe(true);
    expect(await page.locator("#empty").textContent()).toContain("Register a server");
    await expect.poll(() => page.locator("#live-state").textContent()).toBe("Live");
  });

  it("validates the register dialog inline with the API's messages", async () => {
    await page.getByRole("button", { name: "Register a server" }).click();
    const dialog = page.getByRole("dialog", { name: "Register a server" });
    await dialog.getByLabel("Proxy pass URL").fill("ftp://example");
    await dialog.getByLabel("Name", { exact: true }).focus();
    expect(await page.locator("#proxy_pass_url-error").textContent()).toBe("Proxy pass URL must use http or https");
    expect(await dialog.getByLabel("Proxy pass URL").getAttribute("aria-invalid")).toBe("true");
    await dialog.getByRole("button", { name: "Register" }).click();
    expect(await page.locator("#name-error").textContent()).toBe("Name must not be empty");
    expect(await page.locator("#path-error").textContent()).toBe("Path must not be empty");
    await dialog.getByLabel("Metadata (JSON object)").fill("[1, 2]");
    await dialog.getByLabel("Name", { exact: true }).focus();
    expect(await page.locator("#metadata-error").textContent()).toBe("Metadata must be a JSON object");
  });

  it("registers a server pointing at a real MCP server, with tags, metadata, transport and an upstream header", async () => {
    const dialog = page.getByRole("dialog", { name: "Register a server" });
    await dialog.getByLabel("Name", { exact: true }).fill("Weather");
    await dialog.getByLabel("Path").fill("/weather");
    await dialog.getByLabel("Proxy pass URL").fill(mcp.mcpUrl());
    await dialog.getByLabel("Transport").selectOption("STREAMABLE_HTTP");
    await dialog.getByLabel("Description").fill("Forecasts for everywhere");
    await dialog.getByLabel("Tags (comma-separated)").fill("Weather, forecast");
    await dialog.getByLabel("Metadata (JSON object)").fill('{"team": "data-platform"}');
    await dialog.getByLabel("Credential").selectOption("API_KEY");
    await dialog.getByLabel("Header name").fill("x-api-key");
    await dialog.getByLabel("Secret").fill("not-needed-by-the-test-server");
    await dialog.getByRole("button", { name: "Register" }).click();
    await card("/weather").waitFor();
    expect(await card("/weather").locator(".badge").textContent()).toBe("Disabled");
    const server = await app.db.prisma.server.findUniqueOrThrow({ where: { path: "/weather" } });
    expect(server).toMatchObject({
      tags: ["weather", "forecast"],
      metadata: { team: "data-platform" },
      transport: "STREAMABLE_HTTP",
      upstreamAuth: "API_KEY",
      upstreamAuthHeader: "x-api-key",
    });
  });

  it("shows the server's conflict next to the path field", async () => {
    await page.getByRole("button", { name: "Register a server" }).click();
    const dialog = page.getByRole("dialog", { name: "Register a server" });
    await dialog.getByLabel("Name", { exact: true }).fill("Again");
    await dialog.getByLabel("Path").fill("weather");
    await dialog.getByLabel("Proxy pass URL").fill(mcp.mcpUrl());
    await dialog.getByRole("button", { name: "Register" }).click();
    await expect.poll(() => page.locator("#path-error").textContent()).toBe("A server is already registered at /weather");
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  it("enables it, sees it turn healthy and show its tools", async () => {
    // Marks this document: if the page reloaded, the mark would be gone.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    await card("/weather").getByRole("switch").check();
    await expect.poll(() => card("/weather").locator(".badge").textContent(), { timeout: 10_000 }).toBe("Healthy");
    await expect.poll(() => card("/weather").locator(".num-tools").textContent()).toBe("2");
    await expect.poll(() => page.locator('[data-count="healthy"]').textContent()).toBe("1");
  });

  it("turns the badge unhealthy, with its reason, without a reload when the upstream stops", async () => {
    await mcp.stop();
    await expect.poll(() => card("/weather").locator(".badge").textContent(), { timeout: 10_000 }).toBe("Unhealthy");
    expect(await card("/weather").locator(".reason").textContent()).not.toBe("");
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await mcp.start();
    await card("/weather").getByRole("button", { name: "Refresh Weather" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Weather: healthy, 2 tools.");
    expect(await card("/weather").locator(".badge").textContent()).toBe("Healthy");
  });

  it("shows the tools with description, annotations and a collapsible input schema", async () => {
    await card("/weather").getByRole("link", { name: "2 tools of Weather" }).click();
    await page.waitForURL(/\/tools\?server=/);
    const echo = page.locator("li.tool", { has: page.locator("h3 code", { hasText: /^echo$/ }) });
    await echo.waitFor();
    expect(await echo.textContent()).toContain("Echo the input text back");
    expect(await echo.locator(".tags").textContent()).toContain("read-only");
    const schema = echo.locator("pre.schema");
    expect(await schema.isVisible()).toBe(false);
    await echo.getByText(/Input schema \(1 parameter\)/).click();
    expect(await schema.isVisible()).toBe(true);
    expect(JSON.parse((await schema.textContent()) ?? "")).toMatchObject({ properties: { text: { type: "string" } } });
    expect(await page.locator(".tool-server").first().textContent()).toContain("Tool list last changed");
    // Across all servers: the search ranks tools by what they do.
    await page.goto(`${app.url}/tools`);
    await page.getByLabel("Search tools by what they do").fill("repeat my text back");
    // The process's first search loads the query expander (WordNet, about a second of CPU): allow for a loaded machine.
    await expect.poll(() => page.locator("li.tool.hit h2 code").allTextContents(), { timeout: 15_000 }).toEqual(["echo"]);
  });

  it("edits the server on the edit page, with inline validation, and returns to the dashboard", async () => {
    await page.goto(app.url);
    await card("/weather").getByRole("link", { name: "Edit Weather" }).click();
    await page.waitForURL(/\/edit\/weather$/);
    await expect.poll(() => page.getByLabel("Credential").inputValue()).toBe("API_KEY");
    await page.getByLabel("Stars", { exact: true }).fill("-1");
    await page.getByLabel("Name", { exact: true }).focus();
    expect(await page.locator("#num_stars-error").textContent()).toBe("Stars must be a whole number, 0 or more");
    // Any count is accepted; the card draws at most five stars.
    await page.getByLabel("Stars", { exact: true }).fill("12");
    await page.getByLabel("Description").fill("Forecasts, now with radar");
    await Promise.all([page.waitForURL(`${app.url}/`), page.getByRole("button", { name: "Save" }).click()]);
    await card("/weather").waitFor();
    expect(await card("/weather").locator(".description").textContent()).toBe("Forecasts, now with radar");
    const stars = card("/weather").getByRole("img", { name: "12 stars" });
    expect(await stars.textContent()).toBe("★★★★★");
    const server = await app.db.prisma.server.findUniqueOrThrow({ where: { path: "/weather" } });
    expect(server).toMatchObject({ numStars: 12, upstreamAuth: "API_KEY", upstreamAuthHeader: "x-api-key" });
    expect(server.upstreamAuthSecret).not.toBeNull();
  });

  it("searches as you type", async () => {
    await app.gqlOk((await import("../support/operations.ts")).RegisterServer, {
      input: { name: "Finance", path: "/finance", proxyPassUrl: "http://127.0.0.1:9/mcp", tags: ["money"] },
    });
    await expect.poll(() => page.locator("li.card").count()).toBe(2);
    await page.getByLabel("Search", { exact: true }).fill("radar");
    await expect.poll(() => page.locator("li.card").evaluateAll((els) => els.map((e) => e.getAttribute("data-path")))).toEqual(["/weather"]);
    await page.getByLabel("Search", { exact: true }).fill("");
    await page.getByLabel("Tag", { exact: true }).fill("money");
    await expect.poll(() => page.locator("li.card").evaluateAll((els) => els.map((e) => e.getAttribute("data-path")))).toEqual(["/finance"]);
    await page.getByLabel("Tag", { exact: true }).fill("");
    await page.getByLabel("Health", { exact: true }).selectOption("DISABLED");
    await expect.poll(() => page.locator("li.card").evaluateAll((els) => els.map((e) => e.getAttribute("data-path")))).toEqual(["/finance"]);
    await page.getByLabel("Health", { exact: true }).selectOption("");
  });

  it("generates a token shown once, downloads it as the token file, and revokes it", async () => {
    await page.getByRole("link", { name: "Tokens" }).click();
    await page.waitForURL(`${app.url}/tokens`);
    await page.getByRole("heading", { name: "Generate JWT Token" }).waitFor();
    await page.getByLabel("admin", { exact: true }).uncheck();
    await page.getByLabel("Lifetime").selectOption("900");
    await page.getByLabel("Description").fill("ci pipeline");
    await page.getByRole("button", { name: "Generate token" }).click();
    const value = page.getByLabel("Access token");
    await expect.poll(() => value.inputValue()).toMatch(/^ey/);
    const token = await value.inputValue();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download token file" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^mcp-registry-api-tokens-\d{4}-\d{2}-\d{2}\.json$/);
    const file = JSON.parse(await fs.readFile((await download.path())!, "utf8")) as Record<string, unknown>;
    expect(file).toMatchObject({
      tokens: { access_token: token, refresh_token: null, token_type: "bearer", expires_in: 900 },
      registry_url: app.url,
    });
    expect((file.tokens as { scope: string }).scope.split(" ")).not.toContain("admin");
    // The token works, until it is revoked.
    const asToken = () => fetch(`${app.url}/api/server_details/all`, { headers: { authorization: `Bearer ${token}` } });
    expect((await asToken()).status).toBe(200);
    const row = page.locator("tr", { hasText: "ci pipeline" });
    expect(await row.locator(".badge").textContent()).toBe("Active");
    await row.getByRole("button", { name: "Revoke token ci pipeline" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Revoked");
    expect((await asToken()).status).toBe(401);
    // Shown once: a fresh visit does not show it again.
    await page.reload();
    await row.waitFor();
    expect(await page.locator("#token-result").isVisible()).toBe(false);
    expect(await page.content()).not.toContain(token);
  });

  it("signs out and lands on the sign-in page", async () => {
    await Promise.all([page.waitForURL(/\/login\?signed_out=1$/), page.getByRole("button", { name: "Sign out" }).click()]);
    expect(await page.getByRole("status").textContent()).toBe("You are signed out.");
    await page.goto(app.url);
    await page.waitForURL(/\/login\?next=%2F$/);
  });

  it("logged no console errors on any page", () => {
    expect(errors).toEqual([]);
  });
});
