// The server process as a whole: a shutdown that cannot finish still ends the process in
// time, and a callback that throws does not take the server down.
import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LOCK_FILE } from "../../src/db/data-dir-lock.ts";
import { SHUTDOWN_GRACE_MS } from "../../src/shutdown.ts";
import { dropData, freshDataEnv, onPostgres } from "../support/app.ts";
import { exitWithin, killMain, spawnMain, type MainProcess } from "../support/main-process.ts";

let proc: MainProcess | undefined;
let env: Record<string, string> | undefined;
afterEach(async () => {
  await killMain(proc);
  if (env) await dropData(env);
  proc = undefined;
  env = undefined;
});

describe("shutdown with a hard deadline", () => {
  it("ends the process SHUTDOWN_TIMEOUT_MS plus the grace period after SIGTERM when closing the database hangs, naming what it abandoned", async () => {
    env = await freshDataEnv();
    const timeoutMs = 1_000;
    proc = spawnMain({ ...env, SHUTDOWN_TIMEOUT_MS: String(timeoutMs) }, { preload: ["./wedge-database-close.ts"] });
    const url = await proc.running;
    expect((await fetch(`${url}/health`)).status).toBe(200);

    const signalled = Date.now();
    proc.child.kill("SIGTERM");
    const exit = await exitWithin(proc, timeoutMs + SHUTDOWN_GRACE_MS + 20_000, "the process is still running");
    const elapsed = Date.now() - signalled;

    expect(exit.code).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs + SHUTDOWN_GRACE_MS - 200);
    const deadline = timeoutMs + SHUTDOWN_GRACE_MS;
    expect(proc.stderr()).toContain(`mcp-gateway-registry: shutdown did not finish within ${deadline} ms; abandoned: database\n`);
    expect(proc.output()).toMatch(/"abandoned":\["database"\].*"msg":"shutdown did not finish in time; exiting anyway"/);
    expect(proc.output()).not.toContain('"msg":"stopped"');
    // The embedded database's DATA_DIR lock goes with the process, so a restart needs no takeover.
    if (!onPostgres) await expect(fs.stat(path.join(env.DATA_DIR!, LOCK_FILE))).rejects.toThrow(/ENOENT/);
  }, 120_000);
});

describe("the process-level guard", () => {
  it("logs a throwing timer callback and an unhandled rejection, and keeps serving", async () => {
    env = await freshDataEnv();
    proc = spawnMain(env, { preload: ["./throw-in-callbacks.ts"] });
    const url = await proc.running;
    proc.child.kill("SIGUSR2");
    await expect.poll(() => proc!.output(), { timeout: 10_000 }).toContain("unhandled promise rejection; still serving");
    await expect.poll(() => proc!.output(), { timeout: 10_000 }).toContain("uncaught exception; still serving");
    expect(proc.output()).toContain("thrown from a timer");
    expect(proc.output()).toContain("rejected and never awaited");

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", database: "ok" });
    proc.child.kill("SIGTERM");
    expect((await proc.exit).code).toBe(0);
  }, 120_000);
});
