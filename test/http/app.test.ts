import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN, dropData, freshDataEnv, startApp, stopApp, type TestApp } from "../support/app.ts";
import { signInAsAdmin } from "../support/session.ts";
import { GetServer, RegisterServer } from "../support/operations.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("HTTP basics", () => {
  let app: TestApp;
  afterAll(() => stopApp(app));

  it("reports health with the database state", async () => {
    app = await startApp();
    const res = await fetch(`${app.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "ok" });
  });

  it("answers unknown paths with 404 in the error format", async () => {
    const res = await fetch(`${app.url}/no/such/thing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "NOT_FOUND", message: "No route for GET /no/such/thing" } });
  });

  it("shows a browser an HTML page with the same status and message, and API clients the JSON body", async () => {
    const anonymous = await fetch(`${app.url}/no/such/page`, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(anonymous.status).toBe(404);
    expect(anonymous.headers.get("content-type")).toMatch(/^text\/html/);
    expect(anonymous.headers.get("content-security-policy")).toContain("default-src 'self'");
    const page = await anonymous.text();
    expect(page).toContain("<h1>Not found</h1>");
    expect(page).toContain("No route for GET /no/such/page");
    expect(page).toContain('href="/login"');

    const signedIn = await fetch(`${app.url}/edit/no&where`, { headers: { accept: "text/html", authorization: `Bearer ${app.adminToken}` } });
    expect(signedIn.status).toBe(404);
    const html = await signedIn.text();
    expect(html).toContain("Sign out");
    expect(html).toContain("No server at no&#38;where"); // the message is escaped

    const api = await fetch(`${app.url}/edit/nowhere`, { headers: { accept: "application/json", authorization: `Bearer ${app.adminToken}` } });
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: { code: "NOT_FOUND", message: expect.stringContaining("nowhere") } });
  });

  it("sends a browser without a session to /login, and serves GraphiQL once signed in", async () => {
    const anonymous = await fetch(`${app.url}/graphql`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toBe("/login?next=%2Fgraphql");
    const res = await fetch(`${app.url}/graphql`, {
      headers: { accept: "text/html", authorization: `Bearer ${app.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("GraphiQL");
  });

  it("reports 503 when the database is unreachable", async () => {
    await app.db.close();
    const res = await fetch(`${app.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", database: "unreachable" });
  });
});

describe("restarts", () => {
  it("keeps data across a restart of the server", async () => {
    const first = await startApp();
    const input = { name: "Keeper", path: "/keeper", proxyPassUrl: "http://localhost:8000", metadata: { a: 1 } };
    await first.gqlOk(RegisterServer, { input });
    await first.close();
    const second = await startApp({ sameDataAs: first });
    try {
      const { server } = await second.gqlOk(GetServer, { path: "/keeper" });
      expect(server).toMatchObject({ name: "Keeper", metadata: { a: 1 } });
    } finally {
      await stopApp(second);
    }
  });

  it("`npm start` applies migrations, prints its URL, keeps data, and stops cleanly on SIGTERM", async () => {
    const env = await freshDataEnv();
    // Start from nothing, as on a fresh clone: no copied template database.
    await fs.rm(path.join(env.DATA_DIR!, "pglite"), { recursive: true, force: true });
    try {
      const port = String(20_000 + Math.floor(Math.random() * 20_000));
      const run = async (check: (url: string) => Promise<void>) => {
        const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
          cwd: ROOT,
          env: {
            ...process.env,
            ...env,
            PORT: port,
            HOST: "127.0.0.1",
            LOG_LEVEL: "info",
            ADMIN_USERNAME: ADMIN.username,
            ADMIN_PASSWORD: ADMIN.password,
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
          child.stdout.on("data", () => {
            const m = /running at (http:\/\/\S+) /.exec(out);
            if (m?.[1]) {
              clearTimeout(timer);
              resolve(m[1]);
            }
          });
        });
        expect(url).toBe(`http://127.0.0.1:${port}`);
        await check(url);
        const exit = new Promise<number | null>((resolve) => child.on("exit", resolve));
        child.kill("SIGTERM");
        expect(await exit).toBe(0);
        expect(out).toContain('"msg":"stopped"');
        return out;
      };
      const gql = async (url: string, query: string) => {
        const cookie = await signInAsAdmin(url);
        const res = await fetch(`${url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie },
          body: JSON.stringify({ query }),
        });
        return (await res.json()) as { data: Record<string, unknown> };
      };

      const firstRun = await run(async (url) => {
        const r = await gql(url, `mutation { registerServer(input: {name: "P", path: "/persist", proxyPassUrl: "http://127.0.0.1:9/mcp"}) { __typename } }`);
        expect(r.data).toEqual({ registerServer: { __typename: "RegisterServerSuccess" } });
      });
      expect(firstRun).toContain('"migration":"0001_init"');
      const secondRun = await run(async (url) => {
        const r = await gql(url, `{ server(path: "persist") { path } }`);
        expect(r.data).toEqual({ server: { path: "/persist" } });
      });
      expect(secondRun).not.toContain("migration applied");
    } finally {
      await dropData(env);
    }
  }, 120_000);
});
