// Applies prisma/migrations/*/migration.sql in name order, each in its own
// transaction, and records them. This replaces `prisma migrate deploy`, whose
// WebAssembly engine cannot migrate a PostgreSQL server through @prisma/adapter-pg 6.19
// (it fails with "Column type 'name' could not be deserialized"); one runner then serves
// PGlite and PostgreSQL alike.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";

type Queryable = {
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
};

export type SqlRunner = Queryable & {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs fn while holding a lock that other replicas also take before migrating. */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
};

type Migration = { name: string; sql: string; checksum: string };

const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await fs.readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

let knownNames: Promise<string[]> | undefined;

/** This release's migrations that the database has not recorded (for GET /ready). */
export async function pendingMigrations(query: Queryable["query"]): Promise<string[]> {
  knownNames ??= readMigrations().then((all) => all.map((m) => m.name));
  const known = await knownNames;
  const applied = new Set((await query<{ name: string }>("select name from _migrations")).map((r) => r.name));
  return known.filter((name) => !applied.has(name));
}

/** Returns the names of the migrations it applied. */
export async function applyMigrations(db: SqlRunner, log: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  return db.withLock(async () => {
    await db.exec(`create table if not exists _migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const applied = new Map(
      (await db.query<{ name: string; checksum: string }>("select name, checksum from _migrations")).map((r) => [
        r.name,
        r.checksum,
      ]),
    );
    const known = new Set(migrations.map((m) => m.name));
    const unknown = [...applied.keys()].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new Error(
        `the database has migrations this version does not know (${unknown.join(", ")}); it was migrated by a newer release`,
      );
    }
    const done: string[] = [];
    for (const m of migrations) {
      const previous = applied.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum) log.warn({ migration: m.name }, "migration file changed after it was applied");
        continue;
      }
      const started = performance.now();
      await db.transaction(async (tx) => {
        await tx.exec(m.sql);
        await tx.query("insert into _migrations (name, checksum) values ($1, $2)", [m.name, m.checksum]);
      });
      log.info({ migration: m.name, ms: Math.round(performance.now() - started) }, "migration applied");
      done.push(m.name);
    }
    return done;
  });
}
