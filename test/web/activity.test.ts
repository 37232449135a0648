// The Activity page in Chromium: the audit log, newest first, filtered by actor, server
// and action as the admin types.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "../../src/audit/log.ts";
import { ADMIN, startApp, stopApp, type TestApp } from "../support/app.ts";
import { axeViolations, browser, signInWithForm, type TestBrowser } from "../support/browser.ts";

let app: TestApp;
let chromium: TestBrowser;

beforeAll(async () => {
  [app, chromium] = await Promise.all([startApp(), browser()]);
  await appendAudit(app.db.prisma, { subject: "dora-sub", username: "dora", authMethod: "session-oidc" }, { action: "server.toggle", serverPath: "/payments", details: { enabled: false } });
  await appendAudit(app.db.prisma, { subject: "eve-sub", username: "eve", authMethod: "bearer-registry" }, { action: "gateway.tools_call", serverPath: "/weather", tool: "forecast", latencyMs: 12, outcome: "denied" });
});
afterAll(async () => {
  await chromium?.close();
  await stopApp(app);
});

describe("Activity page", () => {
  it("lists the audit log and narrows it by actor, server and action", async () => {
    const { page, errors } = await chromium.page();
    await signInWithForm(page, app.url, ADMIN.username, ADMIN.password);
    await page.getByRole("link", { name: "Activity" }).click();
    await page.waitForURL(`${app.url}/activity`);
    const rows = page.locator("#activity-table tbody tr");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    // Newest first: this sign-in, then eve's call, then dora's toggle.
    expect(await rows.nth(0).innerText()).toContain("auth.sign_in");
    expect(await rows.nth(2).innerText()).toContain("dora");
    const first = await rows.nth(1).innerText();
    expect(first).toContain("eve");
    expect(first).toContain("gateway.tools_call forecast");
    expect(first).toContain("/weather");
    expect(first).toContain("denied");
    expect(first).toContain("12 ms");

    await page.getByLabel("Who (user name or subject)").fill("dora");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    expect(await rows.nth(0).innerText()).toContain("/payments");

    await page.getByLabel("Who (user name or subject)").fill("");
    await page.getByLabel("Server path").fill("/weather");
    await page.getByLabel("Action").fill("gateway.tools_call");
    await expect.poll(async () => (await rows.count()) === 1 && (await rows.nth(0).innerText()).includes("eve"), { timeout: 15_000 }).toBe(true);
    await page.getByLabel("Action").fill("server.toggle");
    await expect.poll(() => page.locator("#activity-status").innerText(), { timeout: 15_000 }).toBe("No activity matches.");
    expect(await rows.count()).toBe(0);

    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
