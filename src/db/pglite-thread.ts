// The main thread's side of the embedded database on a worker thread (pglite-worker.ts):
// a Prisma driver adapter and a raw SQL runner whose every call is a message to the
// worker. Nothing here runs SQL; a statement's cost is the worker's, and this thread pays
// only for copying arguments and results across.
import { Worker } from "node:worker_threads";
import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
  TransactionOptions,
} from "@prisma/driver-adapter-utils";
import type { SqlRunner } from "./migrate.ts";

export type WorkerData = { dir: string; sharedBuffersMb: number };

type Tx = { tx?: number };
export type WorkerRequest = { id: number } & (
  | ({ op: "query"; sql: string; params: unknown[] } & Tx)
  | ({ op: "exec"; sql: string } & Tx)
  | { op: "begin" }
  | { op: "commit" | "rollback"; tx: number }
  | ({ op: "queryRaw" | "executeRaw"; query: SqlQuery } & Tx)
  | { op: "executeScript"; script: string }
  | { op: "startTransaction"; isolationLevel?: IsolationLevel }
  | { op: "close" }
);

export type SerializedError =
  | { kind: "adapter"; message: string; cause: unknown }
  | { kind: "error"; name: string; message: string; fields: Record<string, string> };

export type WorkerReply = { id: number } & ({ ok: true; value: unknown } | { ok: false; error: SerializedError });

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Call = DistributiveOmit<WorkerRequest, "id">;

/** A database error from the worker, with PostgreSQL's fields (code, detail, ...) as on PGlite's own. */
export class EmbeddedDatabaseError extends Error {
  constructor(
    message: string,
    readonly fields: Record<string, string>,
  ) {
    super(message);
    this.name = "EmbeddedDatabaseError";
    Object.assign(this, fields);
  }
}

function revive(error: SerializedError): Error {
  // Prisma recognises a driver error by its name and reads the mapped error from `cause`.
  if (error.kind === "adapter") return new DriverAdapterError(error.cause as ConstructorParameters<typeof DriverAdapterError>[0]);
  return new EmbeddedDatabaseError(error.message, error.fields);
}

// The production build compiles the worker to .js beside this module. Under tsx
// (development, tests, benchmarks) it is the .ts file, and a worker does not inherit the
// main thread's loader: a small bootstrap registers tsx in the worker before importing it.
const SELF = new URL(import.meta.url);
const FROM_SOURCE = SELF.pathname.endsWith(".ts");

function workerEntry(): { entry: URL | string; eval: boolean } {
  const worker = new URL(FROM_SOURCE ? "./pglite-worker.ts" : "./pglite-worker.js", SELF);
  if (!FROM_SOURCE) return { entry: worker, eval: false };
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(worker.href)}); })`;
  return { entry: bootstrap, eval: true };
}

export type PgliteThreadOptions = WorkerData & {
  /** The worker stopped without being asked (a crash): the process cannot go on without its database. */
  onCrash(err: Error): void;
};

export class PgliteThread {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  private closing = false;
  private failure: Error | undefined;
  private adapterName = "pglite-prisma-adapter";

  private constructor(
    private readonly worker: Worker,
    private readonly onCrash: (err: Error) => void,
  ) {}

  static async start(options: PgliteThreadOptions): Promise<PgliteThread> {
    const { onCrash, ...data } = options;
    const { entry, eval: evaluate } = workerEntry();
    const worker = new Worker(entry, { eval: evaluate, workerData: data satisfies WorkerData });
    const thread = new PgliteThread(worker, onCrash);
    const opened = new Promise<unknown>((resolve, reject) => thread.pending.set(0, { resolve, reject }));
    worker.on("message", (reply: WorkerReply) => thread.settle(reply));
    worker.on("error", (err) => thread.stopped(err));
    worker.on("exit", (code) => thread.stopped(new Error(`exit code ${code}`)));
    try {
      const { adapterName } = (await opened) as { adapterName: string };
      thread.adapterName = adapterName;
    } catch (err) {
      thread.closing = true;
      await worker.terminate();
      throw err;
    }
    return thread;
  }

  private settle(reply: WorkerReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(revive(reply.error));
  }

  /** The worker ended: expected after close(), a crash otherwise. Either way nothing more can run. */
  private stopped(cause: Error): void {
    if (this.failure) return;
    const expected = this.closing && this.pending.size === 0;
    this.failure = new Error(`the embedded database's worker thread stopped (${cause.message})`, { cause });
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
    if (!expected) this.onCrash(this.failure);
  }

  call<T>(request: Call): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  /** Raw SQL for migrations and probes; the DATA_DIR lock makes this the only process on the data. */
  runner(): SqlRunner {
    const on = (tx?: number) => ({
      exec: async (sql: string) => void (await this.call({ op: "exec", sql, tx })),
      query: <T>(sql: string, params: unknown[] = []) => this.call<T[]>({ op: "query", sql, params, tx }),
    });
    return {
      ...on(),
      transaction: async (fn) => {
        const tx = await this.call<number>({ op: "begin" });
        let result;
        try {
          result = await fn(on(tx));
        } catch (err) {
          await this.call({ op: "rollback", tx }).catch(() => undefined);
          throw err;
        }
        await this.call({ op: "commit", tx });
        return result;
      },
      withLock: (fn) => fn(),
    };
  }

  adapterFactory(): SqlDriverAdapterFactory {
    const call = <T>(request: Call) => this.call<T>(request);
    const adapterName = this.adapterName;
    const queryable = (tx?: number) => ({
      provider: "postgres" as const,
      adapterName,
      queryRaw: (query: SqlQuery) => call<SqlResultSet>({ op: "queryRaw", query, tx }),
      executeRaw: (query: SqlQuery) => call<number>({ op: "executeRaw", query, tx }),
    });
    const adapter: SqlDriverAdapter = {
      ...queryable(),
      executeScript: (script) => call<void>({ op: "executeScript", script }),
      async startTransaction(isolationLevel): Promise<Transaction> {
        const { id, options } = await call<{ id: number; options: TransactionOptions }>({ op: "startTransaction", isolationLevel });
        return {
          ...queryable(id),
          options,
          commit: () => call<void>({ op: "commit", tx: id }),
          rollback: () => call<void>({ op: "rollback", tx: id }),
        };
      },
      getConnectionInfo: () => ({ supportsRelationJoins: true }),
      dispose: async () => undefined,
    };
    return { provider: "postgres", adapterName, connect: async () => adapter };
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  /** Closes PGlite (its last writes reach the directory) and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.closing = true;
    await this.call({ op: "close" });
    await exited;
  }
}
