// The README's curl lines for a first session, run as written with bash and curl
// against the real server: sign in with the form, read the viewer through GraphQL
// with the cookie, register a server with the GraphQL mutation. Only the address and
// the example password are swapped for the test server's.
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, startApp, stopApp, type TestApp } from "./support/app.ts";

const run = promisify(execFile);
let app: TestApp;
let readme: string;
let dir: string;

beforeAll(async () => {
  [app, readme, dir] = await Promise.all([
    startApp(),
    fs.readFile(new URL("../README.md", import.meta.url), "utf8"),
    fs.mkdtemp(path.join(os.tmpdir(), "readme-curl-")),
  ]);
});

afterAll(async () => {
  await stopApp(app);
  await fs.rm(dir, { recursive: true, force: true });
});

/** The shell blocks of the README, with `\`-continued lines joined. */
function bashBlocks(text: string): string[] {
  return [...text.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, ""));
}

/** The one README line that starts with `start` (a curl line), adapted to the test server. */
function line(start: string): string {
  const found = bashBlocks(readme)
    .flatMap((b) => b.split("\n"))
    .filter((l) => l.startsWith(start));
  expect(found, `README lines starting with ${start}`).toHaveLength(1);
  return found[0]!.replaceAll("http://localhost:7860", app.url).replaceAll("choose-a-long-password", ADMIN.password);
}

async function sh(command: string): Promise<string> {
  const { stdout } = await run("bash", ["-euo", "pipefail", "-c", command], { cwd: dir, timeout: 30_000 });
  return stdout;
}

describe("README curl lines", () => {
  it("sign in with the form, then read the viewer with the cookie", async () => {
    await sh(line("curl -c cookies.txt -d "));
    const viewer = JSON.parse(await sh(line("curl -b cookies.txt http://localhost:7860/graphql"))) as { data: { viewer: { username: string; isAdmin: boolean } } };
    expect(viewer.data.viewer).toEqual({ username: ADMIN.username, isAdmin: true });
  });

  it("register a server with the GraphQL mutation, signed in by the same cookie", async () => {
    const answer = JSON.parse(await sh(line("curl -s -b cookies.txt http://localhost:7860/graphql"))) as { data: { registerServer: { __typename: string } } };
    expect(answer.data.registerServer.__typename).toBe("RegisterServerSuccess");
    expect(await app.db.prisma.server.count({ where: { path: "/weather" } })).toBe(1);
  });
});
