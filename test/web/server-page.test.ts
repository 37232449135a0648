// The server page (/servers/{path}) in Chromium: info and capabilities, the health
// history chart and its table, tools with their change history, delete behind a
// typed confirmation; plus the dashboard and tokens-page details the first-hour
// review asked for (summary tiles that add up, switch labels that follow the state,
// least-privilege scopes, usage snippets, confirmed revokes, a phone without
// sideways scrolling, toasts that do not cover the panel in use). axe, keyboard and
// screenshots for every new view.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { ADMIN, startApp, stopApp, type TestApp } from "../support/app.ts";
import { axeViolations, browser, screenshot, signInWithForm, type TestBrowser } from "../support/browser.ts";

let app: TestApp;
let chrome: TestBrowser;
let context: BrowserContext;
let page: Page;
let errors: string[];

const NOW = Date.now();
const CHECKS = 30;

beforeAll(async () => {
  [app, chrome] = await Promise.all([startApp(), browser()]);
  const weather = await app.db.prisma.server.create({
    data: {
      path: "/weather",
      name: "Weather",
      description: "Forecasts and radar for every city.",
      proxyPassUrl: "http://127.0.0.1:9/mcp",
      tags: ["weather", "public"],
      metadata: { team: "forecasting", owner: "ops@example.com" },
      enabled: true,
      healthStatus: "HEALTHY",
      numTools: 2,
      searchText: "weather",
      lastChecked: new Date(NOW - 60_000),
      lastLatencyMs: 42,
      toolsChangedAt: new Date(NOW - 3_600_000),
      serverInfo: { name: "weather-mcp", version: "2.1.0", protocolVersion: "2025-06-18", capabilities: { tools: { listChanged: true }, logging: {} } },
    },
  });
  await app.db.prisma.tool.createMany({
    data: [
      { serverId: weather.id, name: "get_forecast", description: "Forecast for a city.", inputSchema: { type: "object" } },
      { serverId: weather.id, name: "get_alerts", description: "Weather alerts for a region.", inputSchema: { type: "object" } },
    ],
  });
  // Alternating history: every fifth check failed without a latency.
  await app.db.prisma.healthCheck.createMany({
    data: Array.from({ length: CHECKS }, (_, i) => ({
      serverId: weather.id,
      status: i % 5 === 0 ? ("UNHEALTHY" as const) : ("HEALTHY" as const),
      reason: i % 5 === 0 ? "connection refused" : null,
      latencyMs: i % 5 === 0 ? null : 20 + i,
      checkedAt: new Date(NOW - (CHECKS - i) * 60_000),
    })),
  });
  await app.db.prisma.toolChange.createMany({
    data: [
      { serverId: weather.id, kind: "ADDED", toolName: "get_forecast", changedAt: new Date(NOW - 7_200_000) },
      { serverId: weather.id, kind: "ADDED", toolName: "get_alerts", changedAt: new Date(NOW - 3_600_000) },
      { serverId: weather.id, kind: "REMOVED", toolName: "get_radar", changedAt: new Date(NOW - 3_600_000) },
    ],
  });
  const others = [
    { path: "/checking", name: "Checking", healthStatus: "CHECKING" as const, enabled: true },
    { path: "/unknown", name: "Unknown", healthStatus: "UNKNOWN" as const, enabled: true },
    { path: "/off", name: "Off", healthStatus: "HEALTHY" as const, enabled: false },
    { path: "/broken", name: "Broken", healthStatus: "UNHEALTHY" as const, enabled: true, lastChecked: new Date(NOW - 30_000) },
  ];
  for (const s of others) {
    await app.db.prisma.server.create({ data: { ...s, proxyPassUrl: "http://127.0.0.1:9/mcp", searchText: s.name.toLowerCase(), numTools: 7 } });
  }
  ({ context, page, errors } = await chrome.page());
  await signInWithForm(page, app.url, ADMIN.username, ADMIN.password);
  await page.locator("li.card").first().waitFor();
});

afterAll(async () => {
  await chrome?.close();
  await stopApp(app);
});

describe("server page", () => {
  it("is reached from the card's name and shows info, capabilities and metadata", async () => {
    await page.locator('li.card[data-path="/weather"]').getByRole("link", { name: "Weather", exact: true }).click();
    await page.waitForURL(`${app.url}/servers/weather`);
    await page.locator("#server-body:not([hidden])").waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Weather");
    expect(await page.locator("#server-badge").getAttribute("data-health")).toBe("HEALTHY");
    const info = await page.locator("#server-info").textContent();
    expect(info).toContain("/weather");
    expect(info).toContain("forecasting");
    const caps = await page.locator("#server-capabilities").textContent();
    expect(caps).toContain("weather-mcp 2.1.0");
    expect(caps).toContain("2025-06-18");
    expect(await page.locator("#server-capabilities").getByRole("list", { name: "Capabilities" }).locator("li").allTextContents()).toEqual(["tools", "logging"]);
  });

  it("draws one bar per check, coloured by status, with the same checks in a table", async () => {
    const bars = page.locator("#history-chart svg rect.bar");
    expect(await bars.count()).toBe(CHECKS);
    const statuses = await bars.evaluateAll((els) => els.map((e) => e.getAttribute("data-status")));
    // Oldest on the left: the first seeded check (i = 0) failed.
    expect(statuses[0]).toBe("UNHEALTHY");
    expect(statuses.filter((s) => s === "UNHEALTHY")).toHaveLength(CHECKS / 5);
    // Taller bar for a slower check: the newest healthy one is the slowest.
    const heights = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute("height"))));
    expect(heights[CHECKS - 1]!).toBeGreaterThan(heights[1]!);
    expect(await page.locator("#history-summary").textContent()).toContain(`Last ${CHECKS} checks: ${CHECKS - CHECKS / 5} healthy (80 %)`);
    expect(await page.locator("#history-table tbody tr").count()).toBe(CHECKS);
    expect(await page.locator("#history-chart svg").getAttribute("aria-label")).toMatch(/last 30 checks/);
  });

  it("lists the tools and the tool-list changes, newest first", async () => {
    expect(await page.locator("#server-tools li.tool h3 code").allTextContents()).toEqual(expect.arrayContaining(["get_forecast", "get_alerts"]));
    const changes = await page.locator("#tool-changes li").evaluateAll((els) => els.map((e) => [e.getAttribute("data-kind"), e.querySelector("code")?.textContent]));
    expect(changes[changes.length - 1]).toEqual(["ADDED", "get_forecast"]);
    expect(changes).toContainEqual(["REMOVED", "get_radar"]);
  });

  it("has no serious accessibility violations, in light and dark, desktop and phone", async () => {
    expect(await axeViolations(page)).toEqual([]);
    for (const scheme of ["light", "dark"] as const) {
      for (const [size, viewport] of Object.entries({ desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } })) {
        const shot = await chrome.page({ colorScheme: scheme, viewport, isMobile: size === "phone", hasTouch: size === "phone" });
        await shot.context.addCookies(await context.cookies());
        await shot.page.goto(`${app.url}/servers/weather`);
        await shot.page.locator("#history-chart svg").waitFor();
        await shot.page.waitForLoadState("networkidle");
        expect(await axeViolations(shot.page)).toEqual([]);
        await screenshot(shot.page, `server-page-${scheme}-${size}`);
        expect(await shot.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        expect(shot.errors).toEqual([]);
        await shot.context.close();
      }
    }
  });

  it("says so for a server that does not exist", async () => {
    await page.goto(`${app.url}/servers/nowhere`);
    await expect.poll(() => page.locator("#server-status").textContent()).toContain("No server is registered at /nowhere");
    expect(await page.locator("#server-body").isHidden()).toBe(true);
  });

  it("deletes only after the path is typed exactly, with the keyboard", async () => {
    await page.goto(`${app.url}/servers/broken`);
    await page.locator("#server-body:not([hidden])").waitFor();
    await page.getByRole("button", { name: "Delete" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("delete-confirm");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "server-delete-dialog");
    const submit = dialog.getByRole("button", { name: "Delete server" });
    await page.keyboard.type("/broke");
    expect(await submit.isDisabled()).toBe(true);
    // Escape cancels, and nothing is deleted.
    await page.keyboard.press("Escape");
    expect(await app.db.prisma.server.count({ where: { path: "/broken" } })).toBe(1);
    await page.getByRole("button", { name: "Delete" }).click();
    await page.keyboard.type("/broken");
    expect(await submit.isDisabled()).toBe(false);
    await Promise.all([page.waitForURL(`${app.url}/`), page.keyboard.press("Enter")]);
    await expect.poll(() => page.locator("#toast").textContent()).toBe("Deleted /broken.");
    expect(await app.db.prisma.server.count({ where: { path: "/broken" } })).toBe(0);
    expect(await page.locator('li.card[data-path="/broken"]').count()).toBe(0);
  });
});

describe("dashboard details", () => {
  it("has summary tiles that add up to the total", async () => {
    await page.goto(app.url);
    await page.locator("li.card").first().waitFor();
    const count = async (key: string) => Number((await page.locator(`[data-count="${key}"]`).textContent())?.replace(/\D/g, ""));
    await expect.poll(() => count("total")).toBe(4);
    const parts = await Promise.all(["healthy", "unhealthy", "checking", "unknown", "disabled"].map(count));
    expect(parts).toEqual([1, 0, 1, 1, 1]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(await count("total"));
  });

  it("labels each switch with its state, and says a tool count is only declared before the first check", async () => {
    const off = page.locator('li.card[data-path="/off"]');
    expect(await off.locator(".switch-state").textContent()).toBe("Disabled");
    expect(await page.locator('li.card[data-path="/weather"] .switch-state').textContent()).toBe("Enabled");
    expect(await off.getByRole("switch", { name: "Off enabled" }).isChecked()).toBe(false);
    expect(await page.locator('li.card[data-path="/unknown"] .declared').count()).toBe(1);
    expect(await page.locator('li.card[data-path="/weather"] .declared').count()).toBe(0);
    await off.getByRole("switch").check();
    await expect.poll(() => off.locator(".switch-state").textContent()).toBe("Enabled");
    await off.getByRole("switch").uncheck();
    await expect.poll(() => off.locator(".switch-state").textContent()).toBe("Disabled");
  });

  it("keeps the toast off the card that was just used", async () => {
    const phone = await chrome.page({ viewport: { width: 390, height: 700 }, isMobile: true, hasTouch: true });
    await phone.context.addCookies(await context.cookies());
    await phone.page.goto(app.url);
    const card = phone.page.locator('li.card[data-path="/weather"]');
    await card.waitFor();
    // Put the card at the very bottom of the window, where the toast appears.
    await card.evaluate((el) => window.scrollBy(0, el.getBoundingClientRect().bottom - window.innerHeight + 2));
    await card.getByRole("switch").uncheck();
    await phone.page.locator("#toast.show").waitFor();
    await phone.page.waitForTimeout(300); // the toast slides in
    const boxes = await phone.page.evaluate(() => {
      const t = document.getElementById("toast")!.getBoundingClientRect();
      const c = document.querySelector('li.card[data-path="/weather"]')!.getBoundingClientRect();
      return { toastTop: t.top, cardBottom: c.bottom, cardHeight: c.height };
    });
    expect(boxes.cardHeight).toBeGreaterThan(0);
    expect(boxes.cardBottom).toBeLessThanOrEqual(boxes.toastTop);
    await card.getByRole("switch").check();
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });
});

describe("tokens page details", () => {
  it("starts with least privilege, shows how to use a new token, and confirms a revoke", async () => {
    await page.goto(`${app.url}/tokens`);
    await page.getByRole("heading", { name: "Generate JWT Token" }).waitFor();
    await page.locator('input[name="scope"]').first().waitFor();
    const checked = await page.locator('input[name="scope"]').evaluateAll((els) => (els as HTMLInputElement[]).filter((e) => e.checked).map((e) => e.value));
    expect(checked).toEqual(["list_service"]);
    await page.getByLabel("Description").fill("phone check");
    await page.getByRole("button", { name: "Generate token" }).click();
    await expect.poll(() => page.getByLabel("Access token").inputValue()).toMatch(/^ey/);
    const usage = await page.locator("#token-usage").textContent();
    expect(usage).toContain(`curl -s ${app.url}/graphql -H "Authorization: Bearer $MCP_REGISTRY_TOKEN"`);
    expect(usage).toContain("/v0.1/servers");
    const token = await page.getByLabel("Access token").inputValue();
    expect(usage).not.toContain(token);
    // The snippet works as written, with the token in the variable.
    const res = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { username scopes } }" }),
    });
    expect(((await res.json()) as { data: { viewer: { scopes: string[] } } }).data.viewer.scopes).toEqual(["list_service"]);

    const row = page.locator("tr", { hasText: "phone check" });
    await row.getByRole("button", { name: "Revoke token phone check" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await row.locator(".badge").textContent()).toBe("Active");
    await row.getByRole("button", { name: "Revoke token phone check" }).click();
    await dialog.getByRole("button", { name: "Revoke token" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Revoked");
  });

  it("fits a phone without sideways scrolling", async () => {
    const phone = await chrome.page({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
    await phone.context.addCookies(await context.cookies());
    await phone.page.goto(`${app.url}/tokens`);
    await phone.page.locator("#token-table tbody tr").first().waitFor();
    await phone.page.waitForLoadState("networkidle");
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const wrap = phone.page.locator(".table-wrap");
    expect(await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await screenshot(phone.page, "tokens-phone");
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  it("logged no console errors", () => {
    expect(errors).toEqual([]);
  });
});
