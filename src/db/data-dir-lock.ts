// One process per embedded data directory. PGlite has no lock of its own: two processes
// on one directory both accept writes, and some acknowledged writes are lost. The lock
// is a file created with O_EXCL (only one creator can win, however close together two
// processes start) that names its holder. A holder that is gone leaves the file behind;
// whoever finds such a stale lock takes it over, one taker at a time.
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";

export const LOCK_FILE = "registry.lock";
/** A holder we cannot check directly (another host or container) refreshes the file this often... */
export const HEARTBEAT_MS = 10_000;
/** ...and is gone once the file is older than this. */
export const HEARTBEAT_STALE_MS = 30_000;
/** An empty lock file younger than this belongs to a process between create and write. */
const UNWRITTEN_GRACE_MS = 5_000;

export type LockHolder = {
  pid: number;
  hostname: string;
  /** Hostname plus PID namespace: PIDs are comparable only within one scope. */
  scope: string;
  /** Linux boot id: PIDs from before a reboot mean nothing. */
  bootId: string | null;
  /** Start time of the process in clock ticks since boot (/proc/PID/stat), to tell a reused PID. */
  startTicks: string | null;
  startedAt: string;
  /** Tells this lock file from any other with the same PID. */
  nonce: string;
};

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: Pick<LockHolder, "pid" | "hostname" | "scope">,
  ) {
    const where = holder.scope === ownScope() ? "" : ` on ${holder.hostname}`;
    super(`DATA_DIR ${dataDir} is in use by another process (PID ${holder.pid}${where}); stop it or use another DATA_DIR`);
    this.name = "DataDirInUseError";
  }
}

export type DataDirLock = {
  file: string;
  holder: LockHolder;
  release(): Promise<void>;
};

/** What the kernel can tell about a PID in our own scope. */
export type ProcessProbe = {
  alive(pid: number): boolean;
  startTicks(pid: number): string | null;
};

export type Self = { pid: number; scope: string; bootId: string | null };

/**
 * Whether the process named in a lock file still holds it. `heartbeatAgeMs` is the lock
 * file's age since its holder last touched it.
 */
export function judgeHolder(holder: LockHolder, self: Self, probe: ProcessProbe, heartbeatAgeMs: number): "held" | "stale" {
  if (holder.scope !== self.scope) return heartbeatAgeMs > HEARTBEAT_STALE_MS ? "stale" : "held";
  if (holder.bootId && self.bootId && holder.bootId !== self.bootId) return "stale";
  // Our own PID, and not a lock this process holds (checked before): a previous run that
  // had the same PID, as a server that is PID 1 in its container always has.
  if (holder.pid === self.pid) return "stale";
  if (!probe.alive(holder.pid)) return "stale";
  const ticks = probe.startTicks(holder.pid);
  if (holder.startTicks && ticks && holder.startTicks !== ticks) return "stale";
  return "held";
}

export const kernelProbe: ProcessProbe = {
  alive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      // EPERM: it exists but belongs to another user.
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  },
  startTicks(pid) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      // Field 2 (the command) is in parentheses and may hold spaces; starttime is field 22.
      return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
    } catch {
      return null;
    }
  },
};

function readOptional(file: string, transform: (s: string) => string = (s) => s.trim()): string | null {
  try {
    return transform(fs.readFileSync(file, "utf8")) || null;
  } catch {
    return null;
  }
}

let scope: string | undefined;
function ownScope(): string {
  scope ??= `${os.hostname()}/${(() => {
    try {
      return fs.readlinkSync("/proc/self/ns/pid");
    } catch {
      return "";
    }
  })()}`;
  return scope;
}

function describeSelf(): LockHolder {
  return {
    pid: process.pid,
    hostname: os.hostname(),
    scope: ownScope(),
    bootId: readOptional("/proc/sys/kernel/random/boot_id"),
    startTicks: kernelProbe.startTicks(process.pid),
    startedAt: new Date().toISOString(),
    nonce: randomBytes(12).toString("hex"),
  };
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid !== "number" || typeof v.nonce !== "string" || typeof v.scope !== "string") return null;
    return {
      pid: v.pid,
      hostname: typeof v.hostname === "string" ? v.hostname : "?",
      scope: v.scope,
      bootId: typeof v.bootId === "string" ? v.bootId : null,
      startTicks: typeof v.startTicks === "string" ? v.startTicks : null,
      startedAt: typeof v.startedAt === "string" ? v.startedAt : "",
      nonce: v.nonce,
    };
  } catch {
    return null;
  }
}

type Found = { holder: LockHolder | null; id: string; ageMs: number };

async function readLock(file: string): Promise<Found | undefined> {
  try {
    const [text, stat] = await Promise.all([fsp.readFile(file, "utf8"), fsp.stat(file)]);
    const holder = parseHolder(text);
    return { holder, id: holder?.nonce ?? `unreadable-${stat.ino}-${stat.mtimeMs}`, ageMs: Date.now() - stat.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lock files this process holds, released (synchronously) if it exits without closing. */
const heldHere = new Map<string, string>();
let exitHook = false;
function releaseAllSync(): void {
  for (const [file, nonce] of heldHere) {
    try {
      if (parseHolder(fs.readFileSync(file, "utf8"))?.nonce === nonce) fs.unlinkSync(file);
    } catch {
      // Gone already: nothing to release.
    }
  }
  heldHere.clear();
}

/**
 * Takes `DATA_DIR/registry.lock`, or throws DataDirInUseError naming the holder.
 * `probe` is the kernel's view of processes; tests pass another to play PID reuse.
 */
export async function lockDataDir(dataDir: string, log: Logger, probe: ProcessProbe = kernelProbe): Promise<DataDirLock> {
  await fsp.mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const me = describeSelf();
  if (heldHere.has(file)) throw new DataDirInUseError(dataDir, me);
  const content = `${JSON.stringify(me)}\n`;
  const self: Self = { pid: me.pid, scope: me.scope, bootId: me.bootId };

  for (let attempt = 0; attempt < 400; attempt++) {
    try {
      await fsp.writeFile(file, content, { flag: "wx", mode: 0o600 });
      return held(file, me, log);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const found = await readLock(file);
    if (!found) continue;
    if (!found.holder) {
      // Created but not yet written by a process starting right now, or left empty by a crash.
      if (found.ageMs < UNWRITTEN_GRACE_MS) {
        await sleep(25);
        continue;
      }
    } else if (judgeHolder(found.holder, self, probe, found.ageMs) === "held") {
      throw new DataDirInUseError(dataDir, found.holder);
    }
    await takeOver(file, found, content, dataDir, log);
  }
  throw new Error(`could not lock DATA_DIR ${dataDir}: ${file} kept changing`);
}

/**
 * Removes a stale lock, if it is still the one judged stale. Taking over is guarded by a
 * second O_EXCL file named for that lock, so that of two processes that found the same
 * stale lock, the slower one cannot remove the lock the faster one has just made.
 */
async function takeOver(file: string, stale: Found, content: string, dataDir: string, log: Logger): Promise<void> {
  const guard = `${file}.takeover-${stale.id}`;
  try {
    await fsp.writeFile(guard, content, { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    // Another process is taking it over; one that crashed doing so left the guard behind.
    const age = await fsp.stat(guard).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > UNWRITTEN_GRACE_MS) await fsp.rm(guard, { force: true });
    await sleep(25);
    return;
  }
  try {
    const now = await readLock(file);
    if (now?.id === stale.id) {
      await fsp.rm(file, { force: true });
      log.warn(
        { dataDir, pid: stale.holder?.pid, hostname: stale.holder?.hostname, since: stale.holder?.startedAt },
        "took over the DATA_DIR lock of a process that is gone",
      );
    }
  } finally {
    await fsp.rm(guard, { force: true });
  }
}

function held(file: string, me: LockHolder, log: Logger): DataDirLock {
  heldHere.set(file, me.nonce);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", releaseAllSync);
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    fsp.utimes(file, now, now).catch((err: unknown) => log.warn({ err, file }, "could not refresh the DATA_DIR lock"));
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    file,
    holder: me,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      heldHere.delete(file);
      const found = await readLock(file);
      if (found?.id === me.nonce) await fsp.rm(file, { force: true });
    },
  };
}
