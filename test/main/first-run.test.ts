// `npm start` as a new user runs it: no settings at all. The registry makes a local
// administrator, prints its one-time password beside "is running at", and with the
// demo on, the first dashboard has healthy example servers with tools. A second
// start prints no new password; a second Ctrl-C exits at once.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { dropData, freshDataEnv, onPostgres } from "../support/app.ts";
import { cookieHeader } from "../support/session.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PASSWORD_LINE = /^Initial admin password for "admin": (\S+) {2}\(shown once; stored hashed in the database\./m;

type Started = {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

const children: ChildProcessWithoutNullStreams[] = [];
const dataEnvs: Record<string, string>[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const env of dataEnvs.splice(0)) await dropData(env).catch(() => undefined);
});

/** What `npm start` runs, with nothing in the environment but the data location and `extra`. */
async function start(data: Record<string, string>, extra: Record<string, string> = {}, args: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", ...data, ...extra },
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  await expect
    .poll(() => (child.exitCode !== null ? `exited: ${stderr}` : stdout), { timeout: 120_000, interval: 100 })
    .toMatch(/running at http:\/\/localhost:\d+ /);
  const port = /running at http:\/\/localhost:(\d+) /.exec(stdout)![1];
  // HOST defaults to 0.0.0.0: IPv4 loopback reaches it on every machine.
  return { child, url: `http://127.0.0.1:${port}`, stdout: () => stdout, stderr: () => stderr, exit };
}

async function stop(s: Started): Promise<void> {
  s.child.kill("SIGTERM");
  expect((await s.exit).code).toBe(0);
}

async function signIn(url: string, username: string, password: string): Promise<Response> {
  return fetch(`${url}/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username, password }).toString(),
    redirect: "manual",
  });
}

type ServerRow = { path: string; health: string; proxyPassUrl: string; tools: { name: string }[] };

async function servers(url: string, cookie: string): Promise<ServerRow[]> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ query: "{ servers(first: 50) { edges { node { path health proxyPassUrl tools { name } } } } }" }),
  });
  const body = (await res.json()) as { data: { servers: { edges: { node: ServerRow }[] } } };
  return body.data.servers.edges.map((e) => e.node);
}

/** A data location as a fresh clone has it: on the embedded database, an empty DATA_DIR (initdb and all). */
async function freshClone(): Promise<Record<string, string>> {
  const env = await freshDataEnv();
  dataEnvs.push(env);
  if (!onPostgres) await fs.rm(path.join(env.DATA_DIR!, "pglite"), { recursive: true, force: true });
  return env;
}

const DEMO_PATHS = ["/demo-notes", "/demo-time", "/demo-weather"];

describe("first run", () => {
  it("with no settings, prints a one-time admin password that signs in, and the demo servers turn healthy with tools", async () => {
    const data = await freshClone();
    const first = await start(data, { DEMO: "true" });
    // stdout and stderr are two pipes: each line is waited for, not assumed to have arrived with "running at".
    await expect.poll(() => first.stdout(), { timeout: 5_000 }).toMatch(PASSWORD_LINE);
    await expect.poll(() => first.stderr(), { timeout: 5_000 }).toMatch(/^Warning: HOST=/m);
    const match = PASSWORD_LINE.exec(first.stdout());
    expect(match, first.stdout()).not.toBeNull();
    const password = match![1]!;
    expect(password.length).toBeGreaterThanOrEqual(20);
    // Printed once, as a plain line: never in a JSON log line, never on stderr.
    expect(first.stdout().split("\n").filter((l) => l.includes(password))).toHaveLength(1);
    expect(first.stdout().split("\n").filter((l) => l.startsWith("{") && l.includes(password))).toHaveLength(0);
    expect(first.stderr()).not.toContain(password);
    expect(first.stderr()).toMatch(/^Warning: no sign-in method is configured/m);
    expect(first.stderr()).toMatch(/^Warning: using generated secrets for SESSION_SECRET/m);
    expect(first.stderr()).toMatch(/^Warning: HOST=0\.0\.0\.0 is reachable from other machines and HEALTH_FEED_REQUIRE_AUTH is false/m);
    expect(first.stdout()).toContain("Demo: 3 example MCP servers registered and enabled: /demo-time, /demo-weather, /demo-notes");

    const page = await (await fetch(`${first.url}/login`)).text();
    expect(page).toContain('action="/login"');
    expect(page).toContain('Initial admin password for "admin"');
    expect(page).toContain("OIDC_PROVIDERS");
    expect(page).not.toContain("No sign-in method is configured. Set");

    expect((await signIn(first.url, "admin", `${password}x`)).status).toBe(401);
    expect((await signIn(first.url, "root", password)).status).toBe(401);
    const res = await signIn(first.url, "admin", password);
    expect(res.status).toBe(303);
    const cookie = cookieHeader(res);

    await expect
      .poll(async () => (await servers(first.url, cookie)).map((s) => `${s.path} ${s.health} ${s.tools.length > 0}`), {
        timeout: 30_000,
        interval: 250,
      })
      .toEqual(DEMO_PATHS.map((p) => `${p} HEALTHY true`));
    const firstUrls = (await servers(first.url, cookie)).map((s) => s.proxyPassUrl);
    expect(firstUrls.every((u) => /^http:\/\/127\.0\.0\.1:\d+\/mcp$/.test(u))).toBe(true);
    await stop(first);

    // Second start on the same data, demo again: no new password, the old one still works,
    // and the demo updates its three servers' URLs instead of failing or adding more.
    const second = await start(data, {}, ["--demo"]);
    await expect.poll(() => second.stdout(), { timeout: 5_000 }).toMatch(/^Sign in at /m);
    expect(second.stdout()).not.toMatch(/Initial admin password for/);
    expect(second.stdout()).toMatch(/^Sign in at http:\/\/localhost:\d+\/login as "admin" with the initial admin password printed on the first start/m);
    const again = await signIn(second.url, "admin", password);
    expect(again.status).toBe(303);
    const cookie2 = cookieHeader(again);
    await expect
      .poll(async () => (await servers(second.url, cookie2)).map((s) => `${s.path} ${s.health}`), { timeout: 30_000, interval: 250 })
      .toEqual(DEMO_PATHS.map((p) => `${p} HEALTHY`));
    const secondUrls = (await servers(second.url, cookie2)).map((s) => s.proxyPassUrl);
    expect(secondUrls.some((u, i) => u !== firstUrls[i])).toBe(true);
    await stop(second);
  }, 240_000);

  it("generates no admin when ADMIN_USERNAME and ADMIN_PASSWORD are set", async () => {
    const data = await freshDataEnv();
    dataEnvs.push(data);
    const s = await start(data, { ADMIN_USERNAME: "owner", ADMIN_PASSWORD: "owner-password-1" });
    expect(s.stdout()).not.toMatch(/Initial admin password|initial admin password/);
    expect(s.stderr()).not.toMatch(/no sign-in method/);
    expect(await (await fetch(`${s.url}/login`)).text()).not.toContain("Initial admin password");
    expect((await signIn(s.url, "owner", "owner-password-1")).status).toBe(303);
    await stop(s);
  }, 180_000);

  it("a second Ctrl-C while shutting down exits at once with code 130", async () => {
    const data = await freshDataEnv();
    dataEnvs.push(data);
    // A graceful shutdown waits up to a minute for open requests.
    const s = await start(data, { SHUTDOWN_TIMEOUT_MS: "60000" });
    // A request whose body is still arriving keeps the graceful shutdown waiting.
    const socket = net.connect(Number(new URL(s.url).port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nuser");
    await new Promise((resolve) => setTimeout(resolve, 200));
    s.child.kill("SIGINT");
    await expect.poll(() => s.stdout(), { timeout: 10_000 }).toContain("press Ctrl-C again to exit at once");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(s.child.exitCode).toBeNull(); // still waiting for the open stream
    const sentAt = Date.now();
    s.child.kill("SIGINT");
    expect((await s.exit).code).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    socket.destroy();
  }, 180_000);
});
