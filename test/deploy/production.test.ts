// A production install as the container makes one, without a container engine (there is
// none here): the production build into a temporary copy, the Dockerfile's runtime-stage
// files and `npm ci` there (offline: npm's cache holds the packages), then the Dockerfile's
// CMD. It must run with no TypeScript runner, bundler, code generator or other devDependency.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, dropData, freshDataEnv } from "../support/app.ts";
import { dockerCmd, dockerInstall, dockerRuntimeCopies } from "../support/dockerfile.ts";
import { ROOT } from "../support/main-process.ts";

const run = promisify(execFile);

let dir: string;
let data: Record<string, string>;

/** A clean environment: nothing from the test runner (its loaders, npm's lifecycle variables) reaches the install. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? os.homedir() };
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  return env;
}

function serverEnv(): Record<string, string> {
  return {
    ...baseEnv(),
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info",
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    HEALTH_CHECKS: "false",
    ...data,
  };
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "mcp-registry-production-"));
  data = await freshDataEnv();
  // --no-generate: the generated code is current (npm ci made it), and other suites read it meanwhile.
  await run(process.execPath, ["--import", "tsx", "scripts/build.ts", "--out", path.join(dir, "dist"), "--no-generate"], { cwd: ROOT });
  for (const file of dockerRuntimeCopies()) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.cp(path.join(ROOT, file), path.join(dir, file));
  }
  const [npm, ...args] = dockerInstall();
  await run(npm!, [...args, "--offline"], { cwd: dir, env: baseEnv() });
}, 240_000);

afterAll(async () => {
  if (data) await dropData(data);
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe("a production install", () => {
  it("has none of the build's tools: tsx, esbuild, prisma, graphql-codegen, typescript, vitest", async () => {
    for (const tool of ["tsx", "esbuild", "prisma", "@graphql-codegen/cli", "typescript", "vitest"]) {
      await expect(fs.access(path.join(dir, "node_modules", tool)), tool).rejects.toThrow(/ENOENT/);
    }
    await expect(fs.access(path.join(dir, "node_modules", "@prisma/client"))).resolves.toBeUndefined();
  });

  it("applies the migrations with the migration command, without a server", async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(dir, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const [node, ...args] = pkg.scripts["db:migrate:prod"]!.split(" ");
    expect(node).toBe("node");
    const { stdout } = await run(process.execPath, args, { cwd: dir, env: serverEnv() });
    expect(stdout).toMatch(/^migrations are up to date \((pglite|postgres)\)$/m);
  });

  it("starts with the Dockerfile's CMD, answers /health, /ready and a page with its built assets, and stops on SIGTERM", async () => {
    const [node, ...args] = dockerCmd();
    expect(node).toBe("node");
    const child: ChildProcess = spawn(process.execPath, args, { cwd: dir, env: serverEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening" line within 60 s:\n${output}`)), 60_000);
        child.stdout!.on("data", () => {
          const m = /"url":"(http:\/\/[^"]+)","database":"[a-z]+","msg":"listening"/.exec(output);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        void exit.then((code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
      });
      const health = await fetch(`${url}/health`);
      expect([health.status, await health.json()]).toEqual([200, { status: "ok", database: "ok" }]);
      const ready = await fetch(`${url}/ready`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: "ready", database: "ok", migrations: "ok", changeFeed: "ok" }]);
      const login = await fetch(`${url}/login`);
      expect(login.status).toBe(200);
      const assets = [...(await login.text()).matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThan(0);
      for (const asset of assets) expect((await fetch(`${url}${asset}`)).status, asset).toBe(200);
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
      expect(output).toMatch(/"msg":"stopped"/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  }, 90_000);
});
