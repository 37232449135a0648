// The web UI's pages and assets over plain HTTP: who gets a page, caching headers,
// and the GraphQL fields the UI relies on to show only usable controls.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { signInAsAdmin } from "../support/session.ts";
import { FilteredCounts, WebPermissions } from "../support/operations.ts";

let app: TestApp;
let cookie: string;

beforeAll(async () => {
  app = await startApp();
  cookie = await signInAsAdmin(app.url);
  const rows = [
    { path: "/a", enabled: true, healthStatus: "HEALTHY" as const },
    { path: "/b", enabled: true, healthStatus: "UNHEALTHY" as const },
    { path: "/c", enabled: false, healthStatus: "HEALTHY" as const },
    { path: "/d", enabled: true, healthStatus: "CHECKING" as const },
  ];
  await app.db.prisma.server.createMany({
    data: rows.map((r) => ({ ...r, name: r.path, proxyPassUrl: "http://127.0.0.1:9/mcp", searchText: r.path })),
  });
});
afterAll(() => stopApp(app));

const html = { accept: "text/html,application/xhtml+xml" };

describe("pages", () => {
  it.each(["/", "/tools", "/search", "/tokens"])("%s sends an anonymous browser to sign in, and answers an API client 401", async (path) => {
    const browser = await fetch(`${app.url}${path}`, { headers: html, redirect: "manual" });
    expect(browser.status).toBe(302);
    expect(browser.headers.get("location")).toBe(`/login?next=${encodeURIComponent(path)}`);
    const api = await fetch(`${app.url}${path}`, { headers: { accept: "application/json" } });
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
  });

  it.each(["/", "/tools", "/search?q=weather", "/tokens", "/edit/a"])("%s is served to a signed-in user, never cached, under a strict CSP", async (path) => {
    const res = await fetch(`${app.url}${path}`, { headers: { ...html, cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.text();
    expect(body).toMatch(/<script src="\/assets\/main-[A-Z0-9]+\.js" defer><\/script>/);
    expect(body).toContain(">admin</span>");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("the tokens page carries the token file's context as data, not script", async () => {
    const body = await (await fetch(`${app.url}/tokens`, { headers: { ...html, cookie } })).text();
    const data = /<script type="application\/json" id="page-data">(.*?)<\/script>/.exec(body)?.[1];
    expect(JSON.parse(data ?? "null")).toEqual({ registryUrl: app.config.publicUrl, keycloakUrl: null, realm: null, clientId: null });
  });
});

describe("assets", () => {
  async function assetUrls(): Promise<string[]> {
    const body = await (await fetch(`${app.url}/`, { headers: { ...html, cookie } })).text();
    return [...body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  }

  it("serves hashed assets for a year, immutable, with an ETag answered by 304, compressed when asked", async () => {
    const urls = await assetUrls();
    expect(urls).toHaveLength(3);
    for (const url of urls) {
      const res = await fetch(`${app.url}${url}`, { headers: { "accept-encoding": "br, gzip" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("content-encoding")).toBe("br");
      expect(res.headers.get("content-type")).toMatch(url.endsWith(".css") ? /^text\/css/ : /^text\/javascript/);
      expect((await res.text()).length).toBeGreaterThan(50);
      const etag = res.headers.get("etag");
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await fetch(`${app.url}${url}`, { headers: { "if-none-match": etag! } });
      expect(again.status).toBe(304);
    }
  });

  it("needs no sign-in for assets (the sign-in page may use them), and 404s unknown names", async () => {
    const [first] = await assetUrls();
    expect((await fetch(`${app.url}${first}`)).status).toBe(200);
    expect((await fetch(`${app.url}/assets/main-NOPE.js`)).status).toBe(404);
  });
});

describe("GraphQL fields for the UI", () => {
  it("counts servers by health state in one query, disabled ones as disabled whatever their last check", async () => {
    const data = await app.gqlOk(WebPermissions, {});
    expect(data.serverCounts).toEqual({ total: 4, healthy: 1, unhealthy: 1, checking: 1, unknown: 0, disabled: 1 });
    const filtered = await app.gqlOk(FilteredCounts, { filter: { search: "/a" } });
    expect(filtered.serverCounts).toEqual({ total: 1, healthy: 1, disabled: 0 });
  });

  it("tells an admin every control is usable", async () => {
    const data = await app.gqlOk(WebPermissions, {});
    expect(data.viewer.canRegister).toBe(true);
    expect(data.servers.edges.every((e) => e.node.viewerCan.modify && e.node.viewerCan.toggle && e.node.viewerCan.refresh)).toBe(true);
  });

  it("tells a token cut to some scopes only what those scopes allow", async () => {
    const token = await tokenFor(app, {
      subject: "ops",
      username: "ops",
      groups: [app.config.auth.adminGroup],
      scopes: ["list_service", "toggle_service"],
    });
    const result = await app.gql(WebPermissions, {}, { authorization: `Bearer ${token}` });
    expect(result.errors).toBeUndefined();
    expect(result.data?.viewer.canRegister).toBe(false);
    expect(result.data?.servers.edges[0]?.node.viewerCan).toEqual({ modify: false, toggle: true, refresh: false });
  });
});
