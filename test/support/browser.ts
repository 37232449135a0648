// browser(): Debian's Chromium driven by playwright-core, with the launch flags that
// work on these machines and a fresh profile; pages that fail the test on console
// errors; the axe-core check; screenshots as test artifacts.
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOT_DIR = path.resolve("test-artifacts/screenshots");

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export type TestBrowser = {
  browser: Browser;
  /** A new context (own cookies) and page; console errors and page errors are collected in `errors`. */
  page(options?: BrowserContextOptions): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  close(): Promise<void>;
};

/** Chromium with this machine's launch flags (the tests' browser() and the dashboard benchmark use it). */
export function launchChromium(): Promise<Browser> {
  // playwright-core gives every launch a fresh temporary profile (--user-data-dir) itself, and refuses one passed as a flag.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export async function browser(): Promise<TestBrowser> {
  const b = await launchChromium();
  return {
    browser: b,
    async page(options = {}) {
      const context = await b.newContext({ viewport: { width: 1280, height: 900 }, ...options });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`console: ${m.text()} (${m.location().url})`);
      });
      page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
      return { context, page, errors };
    },
    async close() {
      await b.close();
    },
  };
}

const axeSource = createRequire(import.meta.url)("node:fs").readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
) as string;

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/**
 * Runs axe-core (WCAG 2.x A and AA rules) in the page and returns the serious and
 * critical violations. Evaluated through the DevTools protocol, so the page's
 * Content-Security-Policy (which forbids inline scripts) does not block it.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const has = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== "undefined");
  if (!has) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in through the sign-in page's local admin form, as a person would. */
export async function signInWithForm(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await Promise.all([page.waitForURL(`${baseUrl}/`), page.getByRole("button", { name: "Sign in" }).click()]);
}
