// `npm run bench -- embedded-db`: the embedded database on the event loop's thread
// (EMBEDDED_DATABASE_THREAD=main) against on a worker thread (worker), on a workload where
// the database is the cost: distinct `ilike` searches over 10,000 servers plus small
// writes, through Prisma, at concurrency 10. Meanwhile a 10 ms timer measures how late
// the event loop runs it (what every other request on the thread waits). Each slot is its
// own process (clean memory figures); an operation's time includes its wait for the event
// loop, as a request's would, on a copy of one seeded directory; the modes
// alternate for BENCH_EMBEDDED_ROUNDS rounds (2) so that a loaded machine hurts both alike.
// Settings: BENCH_EMBEDDED_SERVERS (10000), BENCH_EMBEDDED_SECONDS (5 per slot),
// BENCH_EMBEDDED_ROUNDS (2).
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { openDatabase } from "../src/db/database.ts";
import { createLogger } from "../src/log.ts";
import { freshEnv, dropEnv, ROOT, seed } from "./support.ts";

type Mode = "main" | "worker";

export type SlotResult = {
  mode: Mode;
  /** Operations per second under load (searches and writes). */
  ops: number;
  searchP50: number;
  searchP99: number;
  writeP50: number;
  writeP99: number;
  /** How late a 10 ms timer fired while under load, ms. */
  lagP50: number;
  lagP99: number;
  lagMax: number;
  /** One query at a time, no load: `select 1` without Prisma (the thread hop itself), a lookup by id and one search, p50 ms. */
  pingP50: number;
  lookupP50: number;
  searchAloneP50: number;
  rssMb: number;
  peakMb: number;
  errors: number;
};

const CONCURRENCY = 10;
const DISTINCT_SEARCHES = 200;
const SEARCH = "select id, name, path from servers where name ilike $1 or description ilike $1 order by name limit 20";

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** One slot, in this process: opens the copy in `dataDir`, measures, closes. */
async function runSlot(mode: Mode, dataDir: string, seconds: number): Promise<SlotResult> {
  const db = await openDatabase(
    { kind: "pglite", dir: path.join(dataDir, "pglite"), sharedBuffersMb: 16, thread: mode },
    createLogger({ level: "warn" }),
  );
  try {
    const ids = (await db.prisma.server.findMany({ select: { id: true } })).map((r) => r.id);
    const patterns = Array.from({ length: DISTINCT_SEARCHES }, (_, i) => `%${100 + i}%`);
    // Warm up both paths (plans, caches) before timing anything.
    for (let i = 0; i < 20; i++) {
      await db.prisma.$queryRawUnsafe(SEARCH, patterns[i]!);
      await db.prisma.server.findUnique({ where: { id: ids[i]! } });
    }
    const pings: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const t = performance.now();
      await db.ping();
      pings.push(performance.now() - t);
    }
    const lookups: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      const t = performance.now();
      await db.prisma.server.findUnique({ where: { id: ids[(i * 37) % ids.length]! } });
      lookups.push(performance.now() - t);
    }
    const alone: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await db.prisma.$queryRawUnsafe(SEARCH, patterns[(i * 7) % patterns.length]!);
      alone.push(performance.now() - t);
    }

    const lags: number[] = [];
    let timer: NodeJS.Timeout | undefined;
    const tick = (due: number) => {
      timer = setTimeout(() => {
        const now = performance.now();
        lags.push(now - due);
        tick(now + 10);
      }, 10);
    };
    tick(performance.now() + 10);

    const searches: number[] = [];
    const writes: number[] = [];
    let errors = 0;
    let n = 0;
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) {
          // A request arrives through I/O: yield to the event loop between operations, as a
          // server does, or microtasks alone would keep the timer from ever running.
          const t = performance.now();
          await new Promise((resolve) => setImmediate(resolve));
          const i = n++;
          try {
            if (i % 10 === 9) {
              await db.prisma.server.update({ where: { id: ids[i % ids.length]! }, data: { description: `Edited in round ${i}` } });
              writes.push(performance.now() - t);
            } else {
              await db.prisma.$queryRawUnsafe(SEARCH, patterns[i % patterns.length]!);
              searches.push(performance.now() - t);
            }
          } catch {
            errors++;
          }
        }
      }),
    );
    clearTimeout(timer);
    const sort = (a: number[]) => a.sort((x, y) => x - y);
    [pings, lookups, alone, searches, writes, lags].forEach(sort);
    const status = await fs.readFile("/proc/self/status", "utf8");
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return {
      mode,
      ops: Math.round((searches.length + writes.length) / seconds),
      searchP50: round2(percentile(searches, 50)),
      searchP99: round2(percentile(searches, 99)),
      writeP50: round2(percentile(writes, 50)),
      writeP99: round2(percentile(writes, 99)),
      lagP50: round2(percentile(lags, 50)),
      lagP99: round2(percentile(lags, 99)),
      lagMax: round2(lags.at(-1) ?? 0),
      pingP50: Math.round(percentile(pings, 50) * 1000) / 1000,
      lookupP50: round2(percentile(lookups, 50)),
      searchAloneP50: round2(percentile(alone, 50)),
      rssMb: Math.round(kb("VmRSS") / 1024),
      peakMb: Math.round(kb("VmHWM") / 1024),
      errors,
    };
  } finally {
    await db.close();
  }
}

function slotInChild(mode: Mode, dataDir: string, seconds: number): Promise<SlotResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--slot", mode, dataDir, String(seconds)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`the ${mode} slot exited with ${code}`));
      resolve(JSON.parse(out) as SlotResult);
    });
  });
}

export async function embeddedDb(opts: { servers: number; seconds: number; rounds: number }): Promise<SlotResult[]> {
  const env = await freshEnv({ kind: "pglite" });
  const copies: string[] = [];
  try {
    await seed(env, opts.servers, 0);
    const results: SlotResult[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      // Alternate which goes first, so that neither always runs on the warmer machine.
      const order: Mode[] = round % 2 === 0 ? ["main", "worker"] : ["worker", "main"];
      for (const mode of order) {
        const copy = await fs.mkdtemp(path.join(os.tmpdir(), "mcp-registry-bench-embedded-"));
        copies.push(copy);
        await fs.cp(path.join(env.DATA_DIR!, "pglite"), path.join(copy, "pglite"), { recursive: true });
        console.error(`embedded-db: round ${round + 1}, ${mode}…`);
        results.push(await slotInChild(mode, copy, opts.seconds));
      }
    }
    return results;
  } finally {
    await dropEnv(env);
    for (const copy of copies) await fs.rm(copy, { recursive: true, force: true });
  }
}

export function embeddedDbMarkdown(rows: SlotResult[], opts: { servers: number; seconds: number; date: string; machine: string }): string {
  return [
    `### Embedded database on the main thread vs a worker thread (${opts.servers.toLocaleString("en")} servers; ${DISTINCT_SEARCHES} distinct \`ilike\` searches + 10 % small writes through Prisma, concurrency ${CONCURRENCY}, ${opts.seconds} s per slot)`,
    "",
    `${opts.date} · ${opts.machine}`,
    "",
    "| thread | ops/s | search p50 / p99 ms | write p50 / p99 ms | event-loop lag p50 / p99 / max ms | alone: `select 1` p50 ms | alone: lookup p50 ms | alone: search p50 ms | RSS MB (peak) | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.mode} | ${r.ops} | ${r.searchP50} / ${r.searchP99} | ${r.writeP50} / ${r.writeP99} | ${r.lagP50} / ${r.lagP99} / ${r.lagMax} | ${r.pingP50} | ${r.lookupP50} | ${r.searchAloneP50} | ${r.rssMb} (${r.peakMb}) | ${r.errors} |`,
    ),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === "--slot") {
  const [mode, dataDir, seconds] = process.argv.slice(3) as [Mode, string, string];
  const result = await runSlot(mode, dataDir, Number(seconds));
  process.stdout.write(JSON.stringify(result));
}
