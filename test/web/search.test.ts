// The search page and the tools page's search in Chromium, over tools the registry really
// discovered: ranked hits with scores and highlighted matches, keyboard use, the empty and
// error states, data shown as text (never markup), and axe on each state.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ADMIN, startApp, stopApp, type TestApp } from "../support/app.ts";
import { axeViolations, browser, screenshot, signInWithForm, type TestBrowser } from "../support/browser.ts";
import { DISCOVERY_ENV, discoverServers } from "../support/discovered.ts";
import type { TestMcpServer } from "../support/mcp-server.ts";

let app: TestApp;
let chromium: TestBrowser;
let mcps: TestMcpServer[] = [];
let page: Page;
let errors: string[];

beforeAll(async () => {
  [app, chromium] = await Promise.all([startApp({ env: DISCOVERY_ENV }), browser()]);
  mcps = await discoverServers(app, [
    {
      path: "/weather",
      name: "Weather",
      description: "Forecasts and current conditions for any city",
      tools: [
        { name: "get_forecast", description: "Get the weather forecast for a city", inputSchema: { city: z.string().describe("City name") } },
        { name: "current_conditions", description: "Current temperature and wind", inputSchema: { city: z.string() } },
      ],
    },
    {
      path: "/calendar",
      name: "Calendar",
      description: "Team calendars <img src=x onerror=alert(1)>",
      tools: [
        { name: "create_event", description: "Add an event to a <b>calendar</b> at a given time", inputSchema: { title: z.string(), start: z.string() } },
        { name: "list_events", description: "Events between two dates", inputSchema: { from: z.string(), to: z.string() } },
      ],
    },
    {
      path: "/old-crm",
      name: "Old CRM",
      description: "Customer records, being retired",
      disabled: true,
      tools: [{ name: "find_customer", description: "Find a customer record by name", inputSchema: { name: z.string() } }],
    },
  ]);
  ({ page, errors } = await chromium.page());
  await signInWithForm(page, app.url, ADMIN.username, ADMIN.password);
});

afterAll(async () => {
  await chromium?.close();
  await stopApp(app);
  await Promise.all(mcps.map((m) => m.close()));
});

const hits = () => page.locator("#search-results > li.hit");
const scores = async () => (await page.locator("#search-results > li.hit > .hit-head .score").allTextContents()).map((t) => Number(t.replace(/[^\d.]/g, "")));

describe("search page", () => {
  it("the header's box leads to ranked results with scores and the matched words marked", async () => {
    await page.goto(app.url);
    await page.getByRole("searchbox", { name: "Search servers and tools" }).fill("weather forecast for a city");
    await Promise.all([page.waitForURL(/\/search\?q=weather/), page.keyboard.press("Enter")]);
    await expect.poll(() => hits().count(), { timeout: 15_000 }).toBeGreaterThan(1);
    expect(await page.getByRole("searchbox", { name: "Search servers and tools" }).inputValue()).toBe("weather forecast for a city");
    const all = await scores();
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect(all.every((s) => s > 0 && s <= 1)).toBe(true);
    const tool = hits().filter({ has: page.locator("h2 code", { hasText: /^get_forecast$/ }) });
    expect(await tool.getAttribute("data-kind")).toBe("tool");
    expect(await tool.locator(".path").textContent()).toContain("/weather");
    const marked = (await page.locator("#search-results mark").allTextContents()).map((m) => m.toLowerCase());
    expect(marked.some((m) => m.startsWith("forecast"))).toBe(true);
    expect(await page.locator("#search-status").textContent()).toMatch(/match; showing the best \d+\./);
    expect(await page.locator("#search-mode").textContent()).toBe("Ranked by words, synonyms and names");
    // The server hit links to its page; its matching tools are listed under it.
    const server = hits().filter({ has: page.getByRole("link", { name: "Weather", exact: true }) });
    expect(await server.getAttribute("data-kind")).toBe("server");
    expect(await server.getByRole("link", { name: "Weather", exact: true }).getAttribute("href")).toBe("/servers/weather");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "search-results");
  });

  it("moves between results with the arrow keys and back to the box with Escape", async () => {
    const box = page.getByRole("searchbox", { name: "Search servers and tools" });
    await box.focus();
    await page.keyboard.press("ArrowDown");
    const links = page.locator("#search-results a.hit-link");
    const focusedHref = () => page.evaluate(() => (document.activeElement as HTMLAnchorElement | null)?.getAttribute("href") ?? document.activeElement?.id ?? null);
    expect(await focusedHref()).toBe(await links.nth(0).getAttribute("href"));
    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate(() => document.activeElement === document.querySelectorAll("#search-results a.hit-link")[1])).toBe(true);
    await page.keyboard.press("ArrowUp");
    expect(await page.evaluate(() => document.activeElement === document.querySelectorAll("#search-results a.hit-link")[0])).toBe(true);
    await page.keyboard.press("Escape");
    expect(await focusedHref()).toBe("search-query");
    // Enter on a focused result follows it.
    await page.keyboard.press("ArrowDown");
    const href = await links.nth(0).getAttribute("href");
    await Promise.all([page.waitForURL(`${app.url}${href}`), page.keyboard.press("Enter")]);
  });

  it("shows data as text: markup in a description is never markup on the page", async () => {
    await page.goto(`${app.url}/search?q=${encodeURIComponent("add an event to the calendar")}`);
    const tool = hits().filter({ has: page.locator("h2 code", { hasText: /^create_event$/ }) });
    await tool.waitFor({ timeout: 15_000 });
    expect(await page.locator("#search-results b, #search-results img").count()).toBe(0);
    expect(await tool.locator(".context").textContent()).toContain("<b>");
    expect(await tool.locator(".context mark").count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it("leaves disabled servers out unless asked", async () => {
    await page.goto(`${app.url}/search?q=${encodeURIComponent("find a customer record")}`);
    await expect.poll(() => page.locator("#search-empty").isVisible(), { timeout: 15_000 }).toBe(true);
    await page.getByLabel("Include disabled servers").check();
    await expect.poll(() => page.locator("#search-results h2 code").allTextContents(), { timeout: 15_000 }).toContain("find_customer");
    expect(await page.locator("#search-results .badge.disabled").count()).toBeGreaterThan(0);
    expect(page.url()).toContain("disabled=1");
  });

  it("has an empty state before a query and when nothing is relevant", async () => {
    await page.goto(`${app.url}/search`);
    await expect.poll(() => page.locator("#search-empty-text").textContent()).toContain("Describe what you want to do");
    expect(await hits().count()).toBe(0);
    await page.getByRole("searchbox", { name: "Search servers and tools" }).fill("translate a poem into Latin");
    await expect.poll(() => page.locator("#search-empty-text").textContent(), { timeout: 15_000 }).toContain("Nothing relevant to “translate a poem into Latin”");
    expect(await hits().count()).toBe(0);
    expect(await page.locator("#search-status").textContent()).toBe("No results.");
    expect(await axeViolations(page)).toEqual([]);
  });

  it("has an error state when the registry cannot be reached", async () => {
    const { page: offline, errors: offlineErrors } = await chromium.page();
    await signInWithForm(offline, app.url, ADMIN.username, ADMIN.password);
    await offline.route("**/graphql", (route) => route.abort("connectionrefused"));
    await offline.goto(`${app.url}/search?q=weather`);
    const alert = offline.getByRole("alert");
    await expect.poll(() => alert.textContent(), { timeout: 15_000 }).toContain("Search failed: The registry cannot be reached");
    expect(await offline.locator("#search-results > li").count()).toBe(0);
    expect(await axeViolations(offline)).toEqual([]);
    await offline.context().close();
    // The aborted fetch is the only console error the page may log.
    expect(offlineErrors.filter((e) => !e.includes("/graphql") && !e.includes("ERR_CONNECTION_REFUSED"))).toEqual([]);
  });
});

describe("tools page", () => {
  it("searches tools by meaning, best first, where a substring would find nothing", async () => {
    await page.goto(`${app.url}/tools`);
    await page.getByLabel("Search tools by what they do").fill("events calendar");
    const names = () => page.locator("#tools li.tool.hit h2 code").allTextContents();
    await expect.poll(names, { timeout: 15_000 }).toContain("create_event");
    expect(await names()).toContain("list_events");
    expect(await names()).not.toContain("get_forecast");
    expect(page.url()).toContain("search=events+calendar");
    const first = page.locator("#tools li.tool.hit").first();
    expect(await first.locator(".path").textContent()).toContain("/calendar");
    // The snippet came from the description, so the description itself carries the marks, and is not repeated.
    expect(await first.locator(".description mark").count()).toBeGreaterThan(0);
    expect(await first.locator(".context").count()).toBe(0);
    expect(await page.locator("#tools-status").textContent()).toMatch(/^Showing the \d+ best of \d+ matching tools$/);
    await first.locator("details summary").click();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "tools-search");
  });

  it("narrows a search to one server's tools, and says when none fit", async () => {
    await page.goto(`${app.url}/tools?server=${encodeURIComponent("/weather")}&search=${encodeURIComponent("forecast")}`);
    // Best first; with query expansion (forecast ⇄ weather) the server's other tool may follow, never another server's.
    await expect.poll(async () => (await page.locator("#tools li.tool.hit h2 code").allTextContents())[0], { timeout: 15_000 }).toBe("get_forecast");
    const shown = await page.locator("#tools li.tool.hit h2 code").allTextContents();
    expect(shown.every((name) => ["get_forecast", "current_conditions"].includes(name))).toBe(true);
    await page.getByLabel("Search tools by what they do").fill("events calendar");
    await expect.poll(() => page.locator("#tools-status").textContent(), { timeout: 15_000 }).toBe("No tools of /weather fit this search.");
    // Without search text, the page lists every tool grouped by server, as before.
    await page.getByLabel("Search tools by what they do").fill("");
    await expect.poll(() => page.locator("#tools li.tool h3 code").allTextContents(), { timeout: 15_000 }).toEqual(["current_conditions", "get_forecast"]);
    expect(errors).toEqual([]);
  });
});
