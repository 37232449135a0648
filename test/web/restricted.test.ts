// A restricted user signed in through the OpenID Connect provider sees only the
// servers the policy lets them list, and only the controls it lets them use; the
// server refuses the rest even when asked directly.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { freePort, startApp, stopApp, type TestApp } from "../support/app.ts";
import { axeViolations, browser, type TestBrowser } from "../support/browser.ts";
import { startIdp, type Idp } from "../support/idp.ts";
import { RegisterServer } from "../support/operations.ts";

let app: TestApp;
let idp: Idp;
let chrome: TestBrowser;
let page: Page;
let errors: string[];
let policyDir: string;

beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  [idp, chrome] = await Promise.all([
    startIdp({
      redirectUris: [`${publicUrl}/auth/keycloak/callback`],
      users: [{ username: "bob", password: "bob-pw", groups: ["weather-team"] }],
    }),
    browser(),
  ]);
  policyDir = await fs.mkdtemp(path.join(os.tmpdir(), "policy-"));
  const policyFile = path.join(policyDir, "policy.yaml");
  await fs.writeFile(
    policyFile,
    [
      "groups:",
      "  weather-team:",
      "    - servers: [/weather, /weather/*]",
      "      permissions: [list_service]",
      "    - servers: /weather/eu",
      "      permissions: [toggle_service]",
    ].join("\n"),
  );
  app = await startApp({
    env: {
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      ACCESS_POLICY_FILE: policyFile,
      OIDC_PROVIDERS: "keycloak",
      OIDC_KEYCLOAK_ISSUER: idp.issuer,
      OIDC_KEYCLOAK_CLIENT_ID: idp.webClient.clientId,
      OIDC_KEYCLOAK_CLIENT_SECRET: idp.webClient.clientSecret,
      OIDC_KEYCLOAK_DISPLAY_NAME: "Keycloak",
      OIDC_KEYCLOAK_AUDIENCE: idp.audience,
    },
  });
  for (const p of ["/weather", "/weather/eu", "/finance"]) {
    await app.gqlOk(RegisterServer, { input: { name: `Server ${p}`, path: p, proxyPassUrl: "http://127.0.0.1:9/mcp" } });
  }
  ({ page, errors } = await chrome.page());
});

afterAll(async () => {
  await chrome?.close();
  await stopApp(app);
  await idp?.close();
  await fs.rm(policyDir, { recursive: true, force: true });
});

describe("restricted user", () => {
  it("signs in through the identity provider's page", async () => {
    await page.goto(app.url);
    await page.waitForURL(/\/login\?next=%2F$/);
    await page.getByRole("link", { name: "Sign in with Keycloak" }).click();
    await page.locator('input[name="username"]').fill("bob");
    await page.locator('input[name="password"]').fill("bob-pw");
    await Promise.all([page.waitForURL(`${app.url}/`), page.getByRole("button", { name: "Sign in" }).click()]);
    expect(await page.locator(".who").textContent()).toBe("bob");
  });

  it("sees only the servers the policy lets them list, and counts only those", async () => {
    await expect
      .poll(() => page.locator("li.card").evaluateAll((els) => els.map((e) => e.getAttribute("data-path"))))
      .toEqual(["/weather", "/weather/eu"]);
    await expect.poll(() => page.locator('[data-count="total"]').textContent()).toBe("2");
  });

  it("is shown no admin controls: no register, edit or refresh, and a switch only where toggling is allowed", async () => {
    await page.waitForLoadState("networkidle");
    expect(await page.getByRole("button", { name: "Register a server" }).isVisible()).toBe(false);
    expect(await page.getByRole("link", { name: /^Edit / }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Refresh / }).count()).toBe(0);
    expect(await page.locator('li.card[data-path="/weather"]').getByRole("switch").count()).toBe(0);
    expect(await page.locator('li.card[data-path="/weather/eu"]').getByRole("switch").count()).toBe(1);
  });

  it("is refused by the server when it asks anyway", async () => {
    const result = await page.evaluate(async () => {
      const res = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: 'mutation { toggleServer(path: "/weather", enabled: true) { __typename } }' }),
      });
      return (await res.json()) as { data: { toggleServer: { __typename: string } } };
    });
    expect(result.data.toggleServer.__typename).toBe("ForbiddenError");
    const edit = await page.goto(`${app.url}/edit/finance`);
    expect(edit?.status()).toBe(404);
  });

  it("may generate tokens only with the scopes it holds", async () => {
    await page.goto(`${app.url}/tokens`);
    await expect
      .poll(() => page.locator('input[name="scope"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)))
      .toEqual(["list_service", "toggle_service"]);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("logged no console errors apart from the refused page it asked for", () => {
    expect(errors.filter((e) => !e.includes("404 (Not Found)"))).toEqual([]);
  });
});
