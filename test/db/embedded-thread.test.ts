// EMBEDDED_DATABASE_THREAD=worker: PGlite on a worker thread behind the same Prisma client,
// migrations, change feed and shutdown as on the main thread; a crash of the worker is a
// clear error and, in a server, exit code 1.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { readMigrations } from "../../src/db/migrate.ts";
import { isUniqueViolation } from "../../src/db/errors.ts";
import { createLogger } from "../../src/log.ts";
import { onPostgres } from "../support/app.ts";
import { exitWithin, killMain, spawnMain, type MainProcess } from "../support/main-process.ts";

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "mcp-registry-thread-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

const quiet = createLogger({ level: "silent" });

function open(dir: string, thread: "main" | "worker", onCrash?: (err: Error) => void): Promise<Database> {
  return openDatabase({ kind: "pglite", dir: path.join(dir, "pglite"), sharedBuffersMb: 8, thread }, quiet, onCrash ? { onCrash } : {});
}

function server(path: string) {
  return { name: path.slice(1), path, proxyPassUrl: "http://127.0.0.1:9/mcp", description: "d", tags: [], metadata: {} };
}

describe("EMBEDDED_DATABASE_THREAD", () => {
  it.each([
    [{}, "main"],
    [{ EMBEDDED_DATABASE_THREAD: "worker" }, "worker"],
    [{ EMBEDDED_DATABASE_THREAD: "MAIN" }, "main"],
  ])("%j selects the %s thread", (env, thread) => {
    expect(loadConfig(env).database).toMatchObject({ kind: "pglite", thread });
  });

  it("refuses another value with a message naming the setting", () => {
    expect(() => loadConfig({ EMBEDDED_DATABASE_THREAD: "child" })).toThrow("invalid setting EMBEDDED_DATABASE_THREAD: must be main or worker");
  });
});

describe.skipIf(onPostgres)("the embedded database on a worker thread", { timeout: 120_000 }, () => {
  it("applies every migration and answers through Prisma, with transactions that commit and roll back", async () => {
    const dir = await dataDir();
    const db = await open(dir, "worker");
    try {
      expect(db.worker?.threadId).toBeGreaterThan(0);
      const applied = await db.prisma.$queryRawUnsafe<{ name: string }[]>("select name from _migrations order by name");
      expect(applied.map((m) => m.name)).toEqual((await readMigrations()).map((m) => m.name));
      expect(await db.readiness()).toEqual({ ready: true, database: "ok", migrations: "ok", changeFeed: "ok" });

      await db.prisma.server.create({ data: server("/kept") });
      await expect(
        db.prisma.$transaction(async (tx) => {
          await tx.server.create({ data: server("/undone") });
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      await db.prisma.$transaction([db.prisma.server.create({ data: server("/batched") })]);
      const paths = (await db.prisma.server.findMany({ select: { path: true }, orderBy: { path: "asc" } })).map((s) => s.path);
      expect(paths).toEqual(["/batched", "/kept"]);

      // Values of every kind come back as on the main thread: bigint, bytes, dates, JSON.
      const [row] = await db.prisma.$queryRawUnsafe<{ b: bigint; y: Uint8Array; t: Date; j: unknown }[]>(
        `select 9007199254740993::bigint as b, '\\x0102ff'::bytea as y, timestamptz '2026-01-02T03:04:05Z' as t, '{"a":[1]}'::jsonb as j`,
      );
      expect(row).toEqual({ b: 9007199254740993n, y: new Uint8Array([1, 2, 255]), t: new Date("2026-01-02T03:04:05Z"), j: { a: [1] } });
    } finally {
      await db.close();
    }
  });

  it("fails a query with the same error as on the main thread", async () => {
    const errors: Record<string, unknown> = {};
    for (const thread of ["main", "worker"] as const) {
      const db = await open(await dataDir(), thread);
      try {
        await db.prisma.server.create({ data: server("/twice") });
        const err = (await db.prisma.server.create({ data: server("/twice") }).catch((e: unknown) => e)) as Error;
        expect(isUniqueViolation(err)).toBe(true);
        errors[thread] = { name: err.name, message: err.message, cause: err.cause };
      } finally {
        await db.close();
      }
    }
    expect(errors.worker).toEqual(errors.main);
  });

  it("lets a transaction wait longer than Prisma's default 2 s for the one before it to end", async () => {
    const db = await open(await dataDir(), "worker");
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = db.prisma.$transaction(
        async (tx) => {
          await tx.server.create({ data: server("/first") });
          await held;
        },
        { timeout: 20_000 },
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = db.prisma.$transaction([db.prisma.server.create({ data: server("/second") })]);
      setTimeout(release, 3_000);
      await Promise.all([first, second]);
      expect(await db.prisma.server.count()).toBe(2);
    } finally {
      await db.close();
    }
  });

  it("keeps the change feed: a publish reaches this process's subscribers", async () => {
    const db = await open(await dataDir(), "worker");
    try {
      const seen: unknown[] = [];
      const off = db.changes.subscribe((c) => seen.push(c));
      db.changes.publish({ entity: "server", path: "/x" });
      off();
      expect(seen).toEqual([{ entity: "server", path: "/x" }]);
    } finally {
      await db.close();
    }
  });

  it("closes with the worker gone and every write on disk: the directory reopens on the main thread with the rows", async () => {
    const dir = await dataDir();
    const db = await open(dir, "worker");
    // Writes still in flight when close is called are finished, not dropped.
    const writes = Array.from({ length: 20 }, (_, i) => db.prisma.server.create({ data: server(`/w${i}`) }));
    await Promise.all(writes);
    await db.close();
    await expect(db.prisma.server.count()).rejects.toThrow();
    const again = await open(dir, "main");
    try {
      expect(await again.prisma.server.count()).toBe(20);
    } finally {
      await again.close();
    }
  });

  it("a crash of the worker fails what was waiting, and everything after, with a clear error", async () => {
    const crashes: Error[] = [];
    const dir = await dataDir();
    const db = await open(dir, "worker", (err) => crashes.push(err));
    const slow = db.prisma.$queryRawUnsafe("select count(*) from generate_series(1, 3000000)");
    await db.worker!.terminate();
    await expect(slow).rejects.toThrow(/worker thread stopped/);
    await expect(db.prisma.server.count()).rejects.toThrow(/worker thread stopped/);
    expect(crashes).toHaveLength(1);
    expect(crashes[0]!.message).toMatch(/the embedded database's worker thread stopped/);
    await db.close();
    // The DATA_DIR lock is released: the directory opens again.
    const again = await open(dir, "main");
    await again.close();
  });

  describe("in a server", () => {
    let main: MainProcess | undefined;
    afterAll(() => killMain(main));

    it("exits with code 1 and says why when the worker crashes", async () => {
      main = spawnMain({ DATA_DIR: await dataDir(), EMBEDDED_DATABASE_THREAD: "worker" }, { preload: ["./crash-embedded-worker.ts"] });
      await main.running;
      expect(main.output()).toMatch(/"thread":"worker"/);
      main.child.kill("SIGUSR2");
      const { code } = await exitWithin(main, 20_000, "the server did not exit after its database's worker crashed");
      expect(code).toBe(1);
      expect(main.output()).toContain("the embedded database stopped; exiting");
    });
  });
});
