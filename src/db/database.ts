// Opens the database the configuration names: embedded PGlite under DATA_DIR, or a
// PostgreSQL server. Both run the same migrations and give the same Prisma client.
import fs from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Logger } from "pino";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient } from "../generated/prisma/client.ts";
import type { Config } from "../config.ts";
import { applyMigrations, pendingMigrations, type SqlRunner } from "./migrate.ts";
import { ChangeFeed, PgChangeFeed } from "./changes.ts";
import { lockDataDir } from "./data-dir-lock.ts";
import { observedAdapter, type QueryObserver } from "./observed-adapter.ts";
import { PgliteThread } from "./pglite-thread.ts";

export type Database = {
  kind: "pglite" | "postgres";
  prisma: PrismaClient;
  /** Writes announced here reach every replica (LISTEN/NOTIFY on PostgreSQL). */
  changes: ChangeFeed;
  /**
   * Tries to become (or stay) the one replica that runs `name`. PostgreSQL: a session
   * advisory lock on a dedicated connection, released when this process dies. PGlite:
   * the DATA_DIR lock admits one process, so always true.
   */
  tryLeadership(name: string): Promise<boolean>;
  /** True when a trivial query succeeds within the timeout. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Whether this replica should take traffic (GET /ready). */
  readiness(timeoutMs?: number): Promise<Readiness>;
  /** PostgreSQL: the pool's connections (for metrics); undefined on the embedded database. */
  poolStats(): { total: number; idle: number; waiting: number; max: number } | undefined;
  /** Present when the embedded database runs on a worker thread. */
  worker?: EmbeddedWorker;
  close(): Promise<void>;
};

export type Readiness = {
  ready: boolean;
  database: "ok" | "unreachable";
  /** pending: this release knows migrations the database has not recorded (unknown while unreachable). */
  migrations: "ok" | "pending" | "unknown";
  /** Changes from other replicas (LISTEN/NOTIFY) reach this one. */
  changeFeed: "ok" | "disconnected";
};

export type DatabaseHooks = {
  observeQuery?: QueryObserver;
  /** EMBEDDED_DATABASE_THREAD=worker: the worker stopped unasked. Default: log and exit 1. */
  onCrash?: (err: Error) => void;
};

/** The embedded database's worker thread (EMBEDDED_DATABASE_THREAD=worker). */
export type EmbeddedWorker = {
  threadId: number;
  /** Stops it at once, as a crash would (tests); close() is the orderly way. */
  terminate(): Promise<void>;
};

export async function openDatabase(settings: Config["database"], log: Logger, hooks: DatabaseHooks = {}): Promise<Database> {
  return settings.kind === "pglite" ? openPglite(settings, log, hooks) : openPostgres(settings, log, hooks);
}

function withHooks(adapter: SqlDriverAdapterFactory, hooks: DatabaseHooks): SqlDriverAdapterFactory {
  return hooks.observeQuery ? observedAdapter(adapter, hooks.observeQuery) : adapter;
}

async function openPglite(settings: Extract<Config["database"], { kind: "pglite" }>, log: Logger, hooks: DatabaseHooks): Promise<Database> {
  // The directory is DATA_DIR/pglite; the lock is on DATA_DIR, which the error message names.
  const lock = await lockDataDir(path.dirname(settings.dir), log);
  try {
    return await openLockedPglite(settings, log, lock.release, hooks);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

type Engine = {
  runner: SqlRunner;
  adapter: SqlDriverAdapterFactory;
  ping(): Promise<unknown>;
  close(): Promise<void>;
  worker?: EmbeddedWorker;
};

async function openLockedPglite(
  settings: Extract<Config["database"], { kind: "pglite" }>,
  log: Logger,
  unlock: () => Promise<void>,
  hooks: DatabaseHooks,
): Promise<Database> {
  await fs.mkdir(settings.dir, { recursive: true });
  const started = performance.now();
  let engine: Engine;
  try {
    engine = settings.thread === "worker" ? await workerEngine(settings, log, hooks) : await mainThreadEngine(settings);
  } catch (err) {
    throw new Error(`could not open the embedded database in ${settings.dir}: ${(err as Error).message}`, { cause: err });
  }
  log.info({ dir: settings.dir, thread: settings.thread, ms: Math.round(performance.now() - started) }, "embedded database opened");
  const { runner } = engine;
  try {
    await applyMigrations(runner, log);
  } catch (err) {
    await engine.close().catch(() => undefined);
    throw err;
  }
  const prisma = new PrismaClient({
    adapter: withHooks(engine.adapter, hooks),
    // On the main thread, Prisma's 2 s wait for a transaction to start can only be checked
    // when the thread is free, which is after PGlite has begun it; with the worker, that
    // clock runs while the worker works through the statements queued before it, which on
    // a loaded machine took longer than 2 s at start-up (seen in the test suites).
    ...(settings.thread === "worker" ? { transactionOptions: { maxWait: 10_000 } } : {}),
  });
  const changes = new ChangeFeed();
  let closed = false;
  return {
    kind: "pglite",
    prisma,
    changes,
    worker: engine.worker,
    tryLeadership: async () => true,
    ping: (timeoutMs = 2_000) => pingWith(() => engine.ping(), timeoutMs),
    readiness: (timeoutMs = 2_000) => readinessOf(runner, changes, timeoutMs),
    poolStats: () => undefined,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await engine.close();
      await unlock();
    },
  };
}

async function mainThreadEngine(settings: Extract<Config["database"], { kind: "pglite" }>): Promise<Engine> {
  const pglite = await PGlite.create(settings.dir, {
    extensions: { pg_trgm },
    postgresqlconf: [`shared_buffers=${settings.sharedBuffersMb}MB`],
  });
  const runner: SqlRunner = {
    exec: async (sql) => void (await pglite.exec(sql)),
    query: async <T>(sql: string, params: unknown[] = []) => (await pglite.query<T>(sql, params)).rows,
    transaction: (fn) =>
      pglite.transaction((tx) =>
        fn({
          exec: async (sql) => void (await tx.exec(sql)),
          query: async <T>(sql: string, params: unknown[] = []) => (await tx.query<T>(sql, params)).rows,
        }),
      ),
    withLock: (fn) => fn(), // the DATA_DIR lock makes this the only process on the directory
  };
  // pglite-prisma-adapter 0.6 pins driver-adapter-utils 6.10, whose types differ from
  // 6.19's only by name; TOOLCHAIN.md records this pairing as working at run time.
  const adapter = new PrismaPGlite(pglite) as unknown as SqlDriverAdapterFactory;
  return { runner, adapter, ping: () => pglite.query("select 1"), close: () => pglite.close() };
}

async function workerEngine(settings: Extract<Config["database"], { kind: "pglite" }>, log: Logger, hooks: DatabaseHooks): Promise<Engine> {
  const onCrash =
    hooks.onCrash ??
    ((err: Error) => {
      // Every query from here on would fail: exit, so that the supervisor starts a fresh process.
      log.fatal({ err: err.message }, "the embedded database stopped; exiting");
      process.exit(1);
    });
  const thread = await PgliteThread.start({ dir: settings.dir, sharedBuffersMb: settings.sharedBuffersMb, onCrash });
  const runner = thread.runner();
  return {
    runner,
    adapter: thread.adapterFactory(),
    ping: () => runner.query("select 1"),
    close: () => thread.close(),
    worker: { threadId: thread.threadId, terminate: () => thread.terminate() },
  };
}

/** `?schema=` selects a PostgreSQL schema, as in Prisma's own URLs; pg itself must not see it. */
function splitSchema(url: string): { url: string; schema: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? "public";
  parsed.searchParams.delete("schema");
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`DATABASE_URL: schema "${schema}" must be a plain identifier`);
  }
  return { url: parsed.toString(), schema };
}

async function openPostgres(settings: Extract<Config["database"], { kind: "postgres" }>, log: Logger, hooks: DatabaseHooks): Promise<Database> {
  const { url, schema } = splitSchema(settings.url);
  const poolConfig: pg.PoolConfig = {
    connectionString: url,
    max: settings.poolSize,
    // Tables live in `schema`; extensions (pg_trgm) are installed in public.
    options: `-c search_path="${schema}",public`,
    connectionTimeoutMillis: 10_000,
  };
  const pool = new pg.Pool(poolConfig);
  pool.on("error", (err) => log.error({ err: err.message }, "idle database connection failed"));
  try {
    await pool.query(`create schema if not exists "${schema}"`);
  } catch (err) {
    await pool.end();
    throw new Error(`could not connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  log.info({ url: redactUrl(url), schema }, "connected to PostgreSQL");
  const runner: SqlRunner = {
    exec: async (sql) => void (await pool.query(sql)),
    query: async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const result = await fn({
          exec: async (sql) => void (await client.query(sql)),
          query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
        });
        await client.query("commit");
        return result;
      } catch (err) {
        await client.query("rollback").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    // Replicas starting together must not apply the same migration twice. The lock is
    // database-wide because the shared pg_trgm extension is created by the first migration.
    async withLock(fn) {
      const client = await pool.connect();
      try {
        await client.query("select pg_advisory_lock(hashtext('mcp-registry:migrations'))");
        try {
          return await fn();
        } finally {
          await client.query("select pg_advisory_unlock(hashtext('mcp-registry:migrations'))");
        }
      } finally {
        client.release();
      }
    },
  };
  await applyMigrations(runner, log);
  const changes = await PgChangeFeed.start(poolConfig, schema, log);
  const prisma = new PrismaClient({ adapter: withHooks(new PrismaPg(pool, { schema }), hooks) });
  const leadership = new Leadership(poolConfig, schema, log);
  let closed = false;
  return {
    kind: "postgres",
    prisma,
    changes,
    tryLeadership: (name) => leadership.try(name),
    ping: (timeoutMs = 2_000) => pingWith(() => pool.query("select 1"), timeoutMs),
    readiness: (timeoutMs = 2_000) => readinessOf(runner, changes, timeoutMs),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: settings.poolSize }),
    async close() {
      if (closed) return;
      closed = true;
      await leadership.close();
      await changes.close();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function readinessOf(runner: SqlRunner, changes: ChangeFeed, timeoutMs: number): Promise<Readiness> {
  let pending: string[] | undefined;
  const reachable = await pingWith(async () => (pending = await pendingMigrations(runner.query)), timeoutMs);
  const migrations = pending === undefined ? "unknown" : pending.length === 0 ? "ok" : "pending";
  const changeFeed = changes.connected ? "ok" : "disconnected";
  return {
    ready: reachable && migrations === "ok" && changeFeed === "ok",
    database: reachable ? "ok" : "unreachable",
    migrations,
    changeFeed,
  };
}

async function pingWith(query: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      query().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

/** Session advisory locks held on one dedicated connection; losing it loses them all. */
class Leadership {
  private client: pg.Client | undefined;
  private readonly held = new Set<string>();

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly schema: string,
    private readonly log: Logger,
  ) {}

  async try(name: string): Promise<boolean> {
    if (this.held.has(name) && this.client) return true;
    try {
      const client = await this.connection();
      const { rows } = await client.query<{ ok: boolean }>("select pg_try_advisory_lock(hashtext($1)) as ok", [
        `mcp-registry:${this.schema}:${name}`,
      ]);
      if (rows[0]?.ok) {
        this.held.add(name);
        this.log.info({ role: name }, "this replica now leads");
        return true;
      }
      return false;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "leadership check failed");
      return false;
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(this.config);
    client.on("error", (err) => {
      this.log.error({ err: err.message }, "leadership connection lost; giving up leadership");
      this.held.clear();
      this.client = undefined;
      void client.end().catch(() => undefined);
    });
    await client.connect();
    this.client = client;
    return client;
  }

  async close(): Promise<void> {
    this.held.clear();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
