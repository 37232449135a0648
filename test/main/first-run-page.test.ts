// The first-run sign-in in a real browser: the page explains where the generated
// password was printed and how to configure OIDC, passes axe, and the password
// (as main.ts would print it) signs the admin in to the dashboard.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { axeViolations, browser, screenshot, signInWithForm, type TestBrowser } from "../support/browser.ts";

let app: TestApp;
let chrome: TestBrowser;

beforeAll(async () => {
  [app, chrome] = await Promise.all([startApp({ env: { ADMIN_USERNAME: "", ADMIN_PASSWORD: "" } }), browser()]);
});

afterAll(async () => {
  await chrome?.close();
  await stopApp(app);
});

describe("the first-run sign-in page", () => {
  it("says where the password was printed and how to use OIDC instead, and the password signs in", async () => {
    const { page, errors } = await chrome.page();
    await page.goto(`${app.url}/login`);
    const section = page.getByRole("region", { name: "First sign-in" });
    expect(await section.isVisible()).toBe(true);
    const text = (await section.textContent()) ?? "";
    expect(text).toContain('Initial admin password for "admin"');
    expect(text).toContain("npm run admin:reset-password");
    expect(text).toContain("OIDC_PROVIDERS");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "first-run-login");
    await signInWithForm(page, app.url, "admin", app.auth.initialAdmin!.takePassword()!);
    await expect.poll(() => page.locator("#empty").isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });
});
