// Web UI benchmark: the dashboard over 5,000 servers in headless Chromium,
// against the server started as `npm start` starts it.
//   - first render: navigation start → the first page of cards in the DOM (the page's
//     own "dashboard-rendered" mark); cold (empty cache) and warm (assets cached);
//   - health update: a toggle sent to the server (from this process) → the card's
//     badge changed in the page (both clocks are this machine's Date.now());
//   - typed search: the input event → the list showing the one matching server.
// Same-run baselines: the static sign-in page's first contentful paint, and the
// dashboard's GraphQL query fetched alone from the page.
import type { Page } from "playwright-core";
import { WebDashboardDocument } from "../src/generated/gql/graphql.ts";
import { print } from "graphql";
import { launchChromium } from "../test/support/browser.ts";
import { ADMIN_ENV, dropEnv, freshEnv, seed, signIn, startProcess } from "./support.ts";

export type WebDashboardResult = {
  servers: number;
  firstRenderColdMs: number;
  firstRenderWarmMs: number[];
  loginFcpMs: number[];
  healthUpdateMs: number[];
  searchMs: number[];
  searchQueryOnlyMs: number[];
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const max = (xs: number[]) => Math.max(...xs);
const round = (ms: number) => Math.round(ms * 10) / 10;

async function firstRender(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName("dashboard-rendered").length > 0, null, { timeout: 30_000 });
  return page.evaluate(() => performance.getEntriesByName("dashboard-rendered")[0]!.startTime);
}

async function fcp(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0);
  return page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]!.startTime);
}

export async function webDashboard(opts: { servers: number }): Promise<WebDashboardResult> {
  const env = await freshEnv({ kind: "pglite" });
  console.error(`seeding ${opts.servers} servers…`);
  await seed(env, opts.servers, 2);
  const proc = await startProcess("src/main.ts", { ...env, ...ADMIN_ENV, HEALTH_CHECKS: "false" });
  const browser = await launchChromium();
  try {
    const cookieHeader = await signIn(proc.url);
    const cookies = cookieHeader.split("; ").map((pair) => {
      const i = pair.indexOf("=");
      return { name: pair.slice(0, i), value: pair.slice(i + 1), url: proc.url };
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies(cookies);
    const page = await context.newPage();

    // Cold: nothing cached yet. Warm: the hashed assets come from the browser's cache.
    const firstRenderColdMs = await firstRender(page, proc.url);
    const firstRenderWarmMs: number[] = [];
    for (let i = 0; i < 7; i += 1) firstRenderWarmMs.push(await firstRender(page, proc.url));
    const loginPage = await browser.newPage();
    const loginFcpMs: number[] = [];
    for (let i = 0; i < 7; i += 1) loginFcpMs.push(await fcp(loginPage, `${proc.url}/login`));
    await loginPage.close();

    // Health: toggle a server on the first page off and on; time until its badge shows it.
    await firstRender(page, proc.url);
    await page.waitForFunction(() => document.getElementById("live-state")?.dataset.state === "live");
    const target = "/bench/s000001";
    const healthUpdateMs: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const enabled = i % 2 === 1;
      const expected = enabled ? "HEALTHY" : "DISABLED";
      const seen = page.evaluate(
        ([path, want]) =>
          new Promise<number>((resolve) => {
            // No named functions in here: tsx's helpers (__name) do not exist in the page.
            const observer = new MutationObserver(() => {
              const badge = document.querySelector(`li.card[data-path="${path}"] .badge`);
              if (badge?.getAttribute("data-health") === want) {
                observer.disconnect();
                resolve(Date.now());
              }
            });
            observer.observe(document.getElementById("servers")!, { subtree: true, childList: true, attributes: true });
          }),
        [target, expected] as const,
      );
      await new Promise((r) => setTimeout(r, 50)); // the observer is in place
      const sent = Date.now();
      const res = await fetch(`${proc.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: cookieHeader, origin: proc.url },
        body: JSON.stringify({ query: `mutation { toggleServer(path: "${target}", enabled: ${enabled}) { __typename } }` }),
      });
      if (!res.ok) throw new Error(`toggle failed: ${res.status} ${await res.text()}`);
      healthUpdateMs.push((await seen) - sent);
      await new Promise((r) => setTimeout(r, 700)); // let the debounced list reload settle
    }

    // Typed search: one input event → the list shows only the matching server.
    const searchMs: number[] = [];
    const searchQueryOnlyMs: number[] = [];
    const queryText = print(WebDashboardDocument);
    for (let i = 0; i < 15; i += 1) {
      const n = 1_000 + i * 211;
      const text = `Server ${n}`;
      const path = `/bench/s${String(n).padStart(6, "0")}`;
      searchMs.push(
        await page.evaluate(
          ([q, want]) =>
            new Promise<number>((resolve) => {
              const list = document.getElementById("servers")!;
              const input = document.getElementById("search") as HTMLInputElement;
              const observer = new MutationObserver(() => {
                const cards = list.querySelectorAll("li.card");
                if (cards.length === 1 && cards[0]!.getAttribute("data-path") === want) {
                  observer.disconnect();
                  resolve(performance.now() - started);
                }
              });
              observer.observe(list, { childList: true });
              input.value = q;
              const started = performance.now();
              input.dispatchEvent(new Event("input", { bubbles: true }));
            }),
          [text, path] as const,
        ),
      );
      searchQueryOnlyMs.push(
        await page.evaluate(
          async ([query, q]) => {
            const started = performance.now();
            const res = await fetch("/graphql", {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ query, variables: { filter: { search: `${q} ` }, first: 48 } }),
            });
            await res.json();
            return performance.now() - started;
          },
          [queryText, text] as const,
        ),
      );
    }
    return { servers: opts.servers, firstRenderColdMs, firstRenderWarmMs, loginFcpMs, healthUpdateMs, searchMs, searchQueryOnlyMs };
  } finally {
    await browser.close();
    await proc.stop();
    await dropEnv(env);
  }
}

export function webDashboardMarkdown(r: WebDashboardResult, date: string, machine: string): string {
  const row = (what: string, xs: number[], target: string) =>
    `| ${what} | ${round(median(xs))} | ${round(max(xs))} | ${xs.length} | ${target} |`;
  return [
    `### Dashboard with ${r.servers.toLocaleString("en")} servers in headless Chromium`,
    "",
    `${date} · ${machine}`,
    "",
    "| measurement | median ms | max ms | runs | target |",
    "|---|---:|---:|---:|---|",
    row("first render, cold (empty cache)", [r.firstRenderColdMs], "≤ 1,500"),
    row("first render, warm (assets cached)", r.firstRenderWarmMs, "≤ 1,500"),
    row("baseline: sign-in page first contentful paint", r.loginFcpMs, "-"),
    row("health update: toggle sent → badge changed", r.healthUpdateMs, "≤ 1,000"),
    row("typed search: input → list filtered", r.searchMs, "≤ 100"),
    row("baseline: the same GraphQL query alone, from the page", r.searchQueryOnlyMs, "-"),
  ].join("\n");
}
