// The empty dashboard in a real browser: it offers the demo (a browser cannot start
// processes, so it says which command to run) and one "Register a server" button,
// which moves to the header once a server exists.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { ADMIN, startApp, stopApp, type TestApp } from "../support/app.ts";
import { browser, signInWithForm, type TestBrowser } from "../support/browser.ts";

let app: TestApp;
let chrome: TestBrowser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  [app, chrome] = await Promise.all([startApp(), browser()]);
  ({ page, errors } = await chrome.page());
});

afterAll(async () => {
  await chrome?.close();
  await stopApp(app);
});

describe("the empty dashboard", () => {
  it("explains npm run demo and offers one Register a server button, in the empty state", async () => {
    await signInWithForm(page, app.url, ADMIN.username, ADMIN.password);
    await expect.poll(() => page.locator("#empty").isVisible()).toBe(true);
    const text = (await page.locator("#empty").textContent()) ?? "";
    expect(text).toContain("npm run demo");
    expect(text).toContain("DEMO=true");
    const buttons = page.getByRole("button", { name: "Register a server" });
    await expect.poll(() => buttons.count()).toBe(1);
    expect(await page.locator("#empty").getByRole("button", { name: "Register a server" }).isVisible()).toBe(true);
    expect(await page.locator("#register-open").isHidden()).toBe(true);
    await buttons.click();
    expect(await page.getByRole("dialog", { name: "Register a server" }).isVisible()).toBe(true);
    await page.getByRole("button", { name: "Cancel" }).click();
    expect(await page.getByRole("dialog", { name: "Register a server" }).isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });

  it("moves the button to the header once a server is registered", async () => {
    await page.getByRole("button", { name: "Register a server" }).click();
    const dialog = page.getByRole("dialog", { name: "Register a server" });
    await dialog.getByLabel("Name", { exact: true }).fill("Example");
    await dialog.getByLabel("Path").fill("/example");
    await dialog.getByLabel("Proxy pass URL").fill("http://127.0.0.1:9/mcp");
    await dialog.getByRole("button", { name: "Register" }).click();
    await expect.poll(() => page.locator('li.card[data-path="/example"]').count()).toBe(1);
    expect(await page.locator("#empty").isHidden()).toBe(true);
    expect(await page.locator("#register-open").isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Register a server" }).count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
