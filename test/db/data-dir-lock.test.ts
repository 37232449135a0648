// One process per embedded DATA_DIR: the lock file, its stale-lock recovery, races between
// processes starting together, and what `npm start` does when the directory is taken.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  DataDirInUseError,
  HEARTBEAT_MS,
  HEARTBEAT_STALE_MS,
  LOCK_FILE,
  judgeHolder,
  kernelProbe,
  lockDataDir,
  type LockHolder,
  type ProcessProbe,
} from "../../src/db/data-dir-lock.ts";
import { createLogger } from "../../src/log.ts";
import { dropData, freshDataEnv, onPostgres } from "../support/app.ts";
import { ROOT, exitWithin, killMain, spawnMain, type MainProcess } from "../support/main-process.ts";

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger({ level: "warn" }, stream), lines: () => lines.join("") };
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "mcp-registry-lock-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** A holder record as this process would write it, with fields replaced. */
async function lockRecord(overrides: Partial<LockHolder>): Promise<LockHolder> {
  const probeDir = await tempDir();
  const { log } = capturingLogger();
  const own = await lockDataDir(probeDir, log);
  const record = { ...own.holder, nonce: "seeded", ...overrides };
  await own.release();
  return record;
}

async function seedLock(dir: string, holder: LockHolder, ageMs = 0): Promise<void> {
  const file = path.join(dir, LOCK_FILE);
  await fs.writeFile(file, JSON.stringify(holder));
  const at = new Date(Date.now() - ageMs);
  await fs.utimes(file, at, at);
}

/** The PID of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "0"]);
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}

type Holder = { child: ChildProcess; out: () => string };
const holders: ChildProcess[] = [];
afterEach(() => {
  for (const c of holders.splice(0)) c.kill("SIGKILL");
});

async function startHolders(dir: string, count: number): Promise<Holder[]> {
  const started = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/lock-holder.ts", dir], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "inherit"],
    });
    holders.push(child);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    return { child, out: () => out };
  });
  for (const h of started) await expect.poll(h.out, { timeout: 60_000, interval: 50 }).toContain("READY");
  return started;
}

type Result = { won: boolean; pid: number; holder: number | null; message?: string };
const resultsOf = (h: Holder) => [...h.out().matchAll(/RESULT (.*)\n/g)].map((m) => JSON.parse(m[1]!) as Result);
async function go(hs: Holder[]): Promise<Result[]> {
  const before = hs.map((h) => resultsOf(h).length);
  for (const h of hs) h.child.stdin!.write("go\n");
  const results: Result[] = [];
  for (const [i, h] of hs.entries()) {
    await expect.poll(() => resultsOf(h).length, { timeout: 30_000, interval: 20 }).toBe(before[i]! + 1);
    results.push(resultsOf(h).at(-1)!);
  }
  return results;
}

describe("judging the holder named in a lock file", () => {
  const self = { pid: 100, scope: "here/pid:[1]", bootId: "boot-a" };
  const base: LockHolder = {
    pid: 200,
    hostname: "here",
    scope: "here/pid:[1]",
    bootId: "boot-a",
    startTicks: "5000",
    startedAt: "",
    nonce: "n",
  };
  const probe = (alive: boolean, ticks: string | null): ProcessProbe => ({ alive: () => alive, startTicks: () => ticks });
  it.each<[string, Partial<LockHolder>, ProcessProbe, number, "held" | "stale"]>([
    ["a live process with the recorded start time holds it", {}, probe(true, "5000"), 0, "held"],
    ["a live process whose start time cannot be read holds it", {}, probe(true, null), 0, "held"],
    ["a dead PID is stale", {}, probe(false, null), 0, "stale"],
    ["a PID now used by a process started later is stale", {}, probe(true, "9999"), 0, "stale"],
    ["our own PID (a previous run, as PID 1 in a container) is stale", { pid: 100 }, probe(true, "5000"), 0, "stale"],
    ["a PID from before a reboot is stale", { bootId: "boot-b" }, probe(true, "5000"), 0, "stale"],
    ["another host with a fresh heartbeat holds it", { scope: "there/pid:[1]" }, probe(false, null), 1_000, "held"],
    ["another host whose heartbeat stopped is stale", { scope: "there/pid:[1]" }, probe(true, "5000"), HEARTBEAT_STALE_MS + 1, "stale"],
  ])("%s", (_name, overrides, p, age, verdict) => {
    expect(judgeHolder({ ...base, ...overrides }, self, p, age)).toBe(verdict);
  });
});

describe("the DATA_DIR lock", () => {
  it("is refused while another live process holds it, naming that process; released, it can be taken", async () => {
    const dir = await tempDir();
    const [holder] = await startHolders(dir, 1);
    const [result] = await go([holder!]);
    expect(result).toMatchObject({ won: true });
    const { log } = capturingLogger();
    const refusal = await lockDataDir(dir, log).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(DataDirInUseError);
    expect((refusal as Error).message).toBe(
      `DATA_DIR ${dir} is in use by another process (PID ${holder!.child.pid}); stop it or use another DATA_DIR`,
    );
    // Closing its stdin makes the holder release the lock and exit.
    const exited = new Promise((resolve) => holder!.child.on("exit", resolve));
    holder!.child.stdin!.end();
    await exited;
    await expect(fs.stat(path.join(dir, LOCK_FILE))).rejects.toThrow(/ENOENT/);
    const lock = await lockDataDir(dir, log);
    await lock.release();
  });

  it("is taken over, with a warning, after its holder was killed with SIGKILL", async () => {
    const dir = await tempDir();
    const [holder] = await startHolders(dir, 1);
    expect((await go([holder!]))[0]).toMatchObject({ won: true });
    const exited = new Promise((resolve) => holder!.child.on("exit", resolve));
    holder!.child.kill("SIGKILL");
    await exited;
    const { log, lines } = capturingLogger();
    const lock = await lockDataDir(dir, log);
    expect(lock.holder.pid).toBe(process.pid);
    expect(lines()).toContain("took over the DATA_DIR lock of a process that is gone");
    expect(lines()).toContain(`"pid":${holder!.child.pid}`);
    await lock.release();
  });

  it("is recovered from a lock file naming a dead PID", async () => {
    const dir = await tempDir();
    await seedLock(dir, await lockRecord({ pid: await deadPid() }));
    const { log, lines } = capturingLogger();
    const lock = await lockDataDir(dir, log);
    expect(JSON.parse(await fs.readFile(lock.file, "utf8"))).toMatchObject({ pid: process.pid, nonce: lock.holder.nonce });
    expect(lines()).toContain("took over the DATA_DIR lock");
    await lock.release();
  });

  it("tells a reused PID by its start time: a live process started after the lock was written does not hold it", async () => {
    const dir = await tempDir();
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    holders.push(sleeper);
    await expect.poll(() => kernelProbe.startTicks(sleeper.pid!), { timeout: 10_000 }).not.toBeNull();
    const { log } = capturingLogger();

    await seedLock(dir, await lockRecord({ pid: sleeper.pid!, startTicks: kernelProbe.startTicks(sleeper.pid!) }));
    await expect(lockDataDir(dir, log)).rejects.toThrow(`(PID ${sleeper.pid})`);

    await seedLock(dir, await lockRecord({ pid: sleeper.pid!, startTicks: "1" }));
    const lock = await lockDataDir(dir, log);
    await lock.release();
  });

  it("from another host or container holds while its heartbeat is fresh, and is taken over once it stops", async () => {
    const dir = await tempDir();
    const { log } = capturingLogger();
    const elsewhere = await lockRecord({ pid: 1, hostname: "elsewhere", scope: "elsewhere/pid:[9]" });
    await seedLock(dir, elsewhere, 1_000);
    await expect(lockDataDir(dir, log)).rejects.toThrow(`(PID 1 on elsewhere)`);
    await seedLock(dir, elsewhere, HEARTBEAT_STALE_MS + 5_000);
    const lock = await lockDataDir(dir, log);
    await lock.release();
  });

  it("is refreshed by its holder, so that a process in another container does not take it for gone", async () => {
    const dir = await tempDir();
    const { log } = capturingLogger();
    const lock = await lockDataDir(dir, log);
    const old = new Date(Date.now() - HEARTBEAT_STALE_MS * 2);
    await fs.utimes(lock.file, old, old);
    await expect
      .poll(async () => Date.now() - (await fs.stat(lock.file)).mtimeMs, { timeout: HEARTBEAT_MS + 10_000, interval: 500 })
      .toBeLessThan(HEARTBEAT_MS + 5_000);
    await lock.release();
  }, HEARTBEAT_MS + 20_000);

  it("is refused to a second open in the same process", async () => {
    const dir = await tempDir();
    const { log } = capturingLogger();
    const lock = await lockDataDir(dir, log);
    await expect(lockDataDir(dir, log)).rejects.toBeInstanceOf(DataDirInUseError);
    await lock.release();
  });

  it.each([
    ["an empty directory", async () => undefined],
    ["a stale lock", async (dir: string) => seedLock(dir, await lockRecord({ pid: await deadPid() }))],
  ])("goes to exactly one of several processes that ask at the same instant (%s)", async (_name, prepare) => {
    const dir = await tempDir();
    const racers = await startHolders(dir, 5);
    // A lost race is a matter of microseconds: run several rounds with the same processes.
    for (let round = 0; round < 6; round++) {
      await prepare(dir);
      const results = await go(racers);
      const winners = results.filter((r) => r.won);
      expect(winners, `round ${round}: ${JSON.stringify(results)}`).toHaveLength(1);
      for (const loser of results.filter((r) => !r.won)) expect(loser.holder).toBe(winners[0]!.pid);
      const record = JSON.parse(await fs.readFile(path.join(dir, LOCK_FILE), "utf8")) as LockHolder;
      expect(record.pid).toBe(winners[0]!.pid);
      const winner = racers.find((h) => h.child.pid === winners[0]!.pid)!;
      const released = (winner.out().match(/RELEASED/g) ?? []).length;
      winner.child.stdin!.write("release\n");
      await expect.poll(() => (winner.out().match(/RELEASED/g) ?? []).length, { timeout: 10_000 }).toBe(released + 1);
    }
  }, 180_000);
});

describe.runIf(!onPostgres)("`npm start` on a DATA_DIR that is in use (embedded database)", () => {
  let env: Record<string, string>;
  const started: MainProcess[] = [];
  afterAll(async () => {
    for (const p of started) await killMain(p);
    if (env) await dropData(env);
  });

  it("the second process exits 1 with one line naming the directory and the first's PID; the first keeps serving", async () => {
    env = await freshDataEnv();
    const first = spawnMain(env);
    started.push(first);
    const url = await first.running;

    const second = spawnMain(env);
    started.push(second);
    expect((await exitWithin(second, 90_000, "the second process is still running")).code).toBe(1);
    expect(second.stderr()).toBe(
      `mcp-gateway-registry: DATA_DIR ${env.DATA_DIR} is in use by another process (PID ${first.pid}); stop it or use another DATA_DIR\n`,
    );
    expect(second.output()).not.toContain("embedded database opened");

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", database: "ok" });
  }, 180_000);

  it("after the first is killed with SIGKILL, a new process takes the directory over and stops cleanly", async () => {
    const first = started[0]!;
    first.child.kill("SIGKILL");
    await first.exit;
    const next = spawnMain(env);
    started.push(next);
    const url = await next.running;
    expect(next.output()).toContain("took over the DATA_DIR lock of a process that is gone");
    expect((await fetch(`${url}/health`)).status).toBe(200);
    next.child.kill("SIGTERM");
    expect((await next.exit).code).toBe(0);
    await expect(fs.stat(path.join(env.DATA_DIR!, LOCK_FILE))).rejects.toThrow(/ENOENT/);
  }, 180_000);
});
