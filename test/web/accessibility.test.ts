// Every page through axe-core (no serious or critical violations), keyboard use,
// the theme switch, and screenshots of the dashboard in light and dark, on a
// desktop and a phone, saved under test-artifacts/screenshots/ for a person to look at.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { ADMIN, startApp, stopApp, type TestApp } from "../support/app.ts";
import { axeViolations, browser, screenshot, signInWithForm, type TestBrowser } from "../support/browser.ts";
import { seedTools } from "../support/seed.ts";

let app: TestApp;
let chrome: TestBrowser;
let context: BrowserContext;
let page: Page;
let errors: string[];

const NOW = Date.now();

beforeAll(async () => {
  [app, chrome] = await Promise.all([startApp(), browser()]);
  const servers = [
    { path: "/weather", name: "Weather", description: "Forecasts and radar for every city, from the national service.", tags: ["weather", "public"], enabled: true, healthStatus: "HEALTHY" as const, numTools: 3 },
    { path: "/finance/ledger", name: "Ledger", description: "Read-only access to the general ledger.", tags: ["finance"], enabled: true, healthStatus: "UNHEALTHY" as const, healthReason: "connection refused", numTools: 5 },
    { path: "/search", name: "Search", description: "Company-wide document search.", tags: ["docs", "search"], enabled: true, healthStatus: "CHECKING" as const, numTools: 0 },
    { path: "/legacy-crm", name: "Legacy CRM", description: "Customer records (being retired).", tags: ["crm"], enabled: false, healthStatus: "HEALTHY" as const, numTools: 12 },
    { path: "/tickets", name: "Tickets", description: "Issue tracker.", tags: ["support"], enabled: true, healthStatus: "HEALTHY" as const, numTools: 4 },
    { path: "/metrics", name: "Metrics", description: "Dashboards and alerts.", tags: ["ops"], enabled: true, healthStatus: "UNKNOWN" as const, numTools: 0 },
  ];
  for (const s of servers) {
    await app.db.prisma.server.create({
      data: { ...s, proxyPassUrl: "http://127.0.0.1:9/mcp", searchText: s.name.toLowerCase(), lastChecked: new Date(NOW - 90_000), toolsChangedAt: new Date(NOW - 3_600_000) },
    });
    if (s.path === "/weather") {
      await seedTools(app, s.path, [
        { name: "get_forecast", description: "Forecast for a city.\n\nArgs:\n    city: the city name", inputSchema: { type: "object", properties: { city: { type: "string", description: "City name" }, days: { type: "integer" } }, required: ["city"] }, annotations: { readOnlyHint: true } },
        { name: "get_alerts", description: "Weather alerts for a region.", inputSchema: { type: "object", properties: { region: { type: "string" } } }, annotations: { readOnlyHint: true, openWorldHint: true } },
      ]);
    }
  }
  ({ context, page, errors } = await chrome.page());
  await signInWithForm(page, app.url, ADMIN.username, ADMIN.password);
  await page.locator("li.card").first().waitFor();
});

afterAll(async () => {
  await chrome?.close();
  await stopApp(app);
});

async function settled(p: Page): Promise<void> {
  await p.waitForLoadState("networkidle");
}

describe("accessibility", () => {
  it("the sign-in page has no serious violations", async () => {
    const { page: anonymous, errors: anonErrors } = await chrome.page();
    await anonymous.goto(`${app.url}/login?expired=1`);
    expect(await anonymous.getByRole("alert").textContent()).toContain("Your session has ended");
    expect(await axeViolations(anonymous)).toEqual([]);
    await screenshot(anonymous, "login");
    expect(anonErrors).toEqual([]);
  });

  it.each(["/", "/tools?server=%2Fweather", "/tokens", "/edit/weather"])("%s has no serious violations", async (path) => {
    await page.goto(`${app.url}${path}`);
    await settled(page);
    if (path.startsWith("/tools")) await page.locator("details summary").first().click();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, `page-${path.split("?")[0]!.replace(/\//g, "-").replace(/^-$/, "-dashboard").slice(1)}`);
  });

  it("the register dialog, with errors shown, has no serious violations", async () => {
    await page.goto(app.url);
    await settled(page);
    await page.getByRole("button", { name: "Register a server" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Register" }).click();
    expect(await page.locator("#name-error").isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "register-dialog");
    await page.keyboard.press("Escape");
    expect(await page.getByRole("dialog").isVisible()).toBe(false);
  });

  it("dark mode has no serious violations (contrast included)", async () => {
    const dark = await chrome.page({ colorScheme: "dark" });
    await dark.context.addCookies(await context.cookies());
    await dark.page.goto(app.url);
    await settled(dark.page);
    expect(await axeViolations(dark.page)).toEqual([]);
    expect(dark.errors).toEqual([]);
  });

  it("starts keyboard users at a skip link to the content, with a visible focus ring", async () => {
    await page.goto(app.url);
    await settled(page);
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { text: el.textContent, outline: style.outlineStyle, width: style.outlineWidth };
    });
    expect(focused).toEqual({ text: "Skip to content", outline: "solid", width: "3px" });
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
  });

  it("opens the register dialog from the keyboard, keeps focus in it, and returns focus on Escape", async () => {
    await page.goto(app.url);
    await settled(page);
    await page.getByRole("button", { name: "Register a server" }).focus();
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("name");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("path");
    await page.keyboard.press("Escape");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Register a server");
  });

  it("toggles a server with the keyboard (Space on the switch)", async () => {
    // Start from a settled dashboard: a health event can redraw the card, so the locator (not a held
    // element) focuses the switch and presses Space on it; the mutation may take seconds on a loaded CI machine.
    await page.goto(app.url);
    await settled(page);
    const card = page.locator('li.card[data-path="/tickets"]');
    const badge = () => card.locator(".badge").textContent();
    await card.getByRole("switch").press("Space");
    await expect.poll(badge, { timeout: 15_000 }).toBe("Disabled");
    await expect.poll(() => card.getByRole("switch").isChecked(), { timeout: 15_000 }).toBe(false);
    await expect.poll(() => card.getByRole("switch").isEnabled(), { timeout: 15_000 }).toBe(true);
    await card.getByRole("switch").press("Space");
    await expect.poll(badge, { timeout: 15_000 }).not.toBe("Disabled");
    expect(await card.getByRole("switch").isChecked()).toBe(true);
  });

  it("switches the theme with a button, and remembers it", async () => {
    await page.goto(app.url);
    const toggle = page.locator("#theme-toggle");
    expect(await toggle.textContent()).toBe("Theme: system");
    await toggle.click();
    await toggle.click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await toggle.textContent()).toBe("Theme: dark");
    await toggle.click();
    expect(await page.evaluate(() => localStorage.getItem("theme"))).toBeNull();
  });

  it("the check itself finds a planted violation (an image without alternative text)", async () => {
    await page.goto(`${app.url}/tokens`);
    await settled(page);
    await page.evaluate(() => document.querySelector("main")?.append(Object.assign(document.createElement("img"), { src: "data:," })));
    expect((await axeViolations(page)).map((v) => v.id)).toContain("image-alt");
  });

  it("logged no console errors", () => {
    expect(errors).toEqual([]);
  });
});

describe("screenshots", () => {
  const sizes = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
  for (const scheme of ["light", "dark"] as const) {
    for (const [size, viewport] of Object.entries(sizes)) {
      it(`dashboard, ${scheme}, ${size}`, async () => {
        const shot = await chrome.page({ colorScheme: scheme, viewport, isMobile: size === "phone", hasTouch: size === "phone" });
        await shot.context.addCookies(await context.cookies());
        await shot.page.goto(app.url);
        await shot.page.locator("li.card").nth(5).waitFor();
        await shot.page.waitForLoadState("networkidle");
        const file = await screenshot(shot.page, `dashboard-${scheme}-${size}`);
        expect(file).toMatch(/\.png$/);
        // The layout fits the screen: nothing wider than the viewport.
        expect(await shot.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        expect(shot.errors).toEqual([]);
        await shot.context.close();
      });
    }
  }
});
