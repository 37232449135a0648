// The embedded database on its own thread (EMBEDDED_DATABASE_THREAD=worker). PGlite runs
// each statement synchronously on the thread that owns it; here that is this worker, so
// the main thread's event loop keeps serving while a statement runs. The main thread
// reaches it through pglite-thread.ts: raw SQL for migrations and probes, and Prisma's
// driver-adapter calls, whose arguments and results are plain data by design.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite, type Transaction as PgliteTransaction } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";
import type { WorkerData, WorkerReply, WorkerRequest, SerializedError } from "./pglite-thread.ts";

const port = parentPort;
if (!port) throw new Error("pglite-worker.ts runs only as a worker thread");
const settings = workerData as WorkerData;

type OpenTransaction =
  | { kind: "raw"; tx: PgliteTransaction; finish: () => void; done: Promise<unknown> }
  | { kind: "prisma"; tx: Transaction };

const transactions = new Map<number, OpenTransaction>();
let nextTransaction = 1;

function serialize(err: unknown): SerializedError {
  if (err instanceof Error) {
    // DriverAdapterError (Prisma's) carries its mapped database error in `cause`.
    if (err.name === "DriverAdapterError") return { kind: "adapter", message: err.message, cause: structuredClone(err.cause) };
    const fields = err as Error & Record<string, unknown>;
    const detail: Record<string, string> = {};
    for (const key of ["code", "detail", "hint", "severity", "position", "schema", "table", "column", "constraint"]) {
      if (typeof fields[key] === "string") detail[key] = fields[key];
    }
    return { kind: "error", name: err.name, message: err.message, fields: detail };
  }
  return { kind: "error", name: "Error", message: String(err), fields: {} };
}

async function open(): Promise<{ pglite: PGlite; adapter: SqlDriverAdapter }> {
  const pglite = await PGlite.create(settings.dir, {
    extensions: { pg_trgm },
    postgresqlconf: [`shared_buffers=${settings.sharedBuffersMb}MB`],
  });
  // See database.ts: 0.6's types name driver-adapter-utils 6.10, which 6.19 runs unchanged.
  const factory = new PrismaPGlite(pglite) as unknown as SqlDriverAdapterFactory;
  return { pglite, adapter: await factory.connect() };
}

function transactionOf(id: number | undefined): OpenTransaction {
  const open = id === undefined ? undefined : transactions.get(id);
  if (!open) throw new Error(`transaction ${id} is not open`);
  return open;
}

async function handle(db: { pglite: PGlite; adapter: SqlDriverAdapter }, req: WorkerRequest): Promise<unknown> {
  const { pglite, adapter } = db;
  switch (req.op) {
    case "query": {
      const target = req.tx === undefined ? pglite : rawTransaction(req.tx);
      return (await target.query(req.sql, req.params)).rows;
    }
    case "exec": {
      const target = req.tx === undefined ? pglite : rawTransaction(req.tx);
      await target.exec(req.sql);
      return undefined;
    }
    case "begin": {
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      let began!: (tx: PgliteTransaction) => void;
      const ready = new Promise<PgliteTransaction>((resolve) => (began = resolve));
      const done = pglite.transaction(async (tx) => {
        began(tx);
        await finished;
      });
      // BEGIN failing rejects `done` before `ready` ever settles.
      const tx = await Promise.race([ready, done.then(() => Promise.reject(new Error("the transaction ended before it began")))]);
      const id = nextTransaction++;
      transactions.set(id, { kind: "raw", tx, finish, done });
      return id;
    }
    case "commit":
    case "rollback": {
      const open = transactionOf(req.tx);
      transactions.delete(req.tx);
      if (open.kind === "prisma") return req.op === "commit" ? open.tx.commit() : open.tx.rollback();
      if (req.op === "rollback") await open.tx.rollback();
      open.finish();
      await open.done;
      return undefined;
    }
    case "queryRaw":
      return req.tx === undefined ? adapter.queryRaw(req.query) : prismaTransaction(req.tx).queryRaw(req.query);
    case "executeRaw":
      return req.tx === undefined ? adapter.executeRaw(req.query) : prismaTransaction(req.tx).executeRaw(req.query);
    case "executeScript":
      return adapter.executeScript(req.script);
    case "startTransaction": {
      const tx = await adapter.startTransaction(req.isolationLevel);
      const id = nextTransaction++;
      transactions.set(id, { kind: "prisma", tx });
      return { id, options: tx.options, adapterName: tx.adapterName };
    }
    case "close":
      await pglite.close();
      return undefined;
  }
}

function rawTransaction(id: number): PgliteTransaction {
  const open = transactionOf(id);
  if (open.kind !== "raw") throw new Error(`transaction ${id} is Prisma's`);
  return open.tx;
}

function prismaTransaction(id: number): Transaction {
  const open = transactionOf(id);
  if (open.kind !== "prisma") throw new Error(`transaction ${id} is not Prisma's`);
  return open.tx;
}

let db: { pglite: PGlite; adapter: SqlDriverAdapter };
try {
  db = await open();
} catch (err) {
  port.postMessage({ id: 0, ok: false, error: serialize(err) } satisfies WorkerReply);
  port.close();
  process.exit(0);
}
port.postMessage({ id: 0, ok: true, value: { adapterName: db.adapter.adapterName } } satisfies WorkerReply);

port.on("message", (req: WorkerRequest) => {
  handle(db, req).then(
    (value) => {
      port.postMessage({ id: req.id, ok: true, value } satisfies WorkerReply);
      // Closed: nothing else may arrive, and the thread ends once the port does.
      if (req.op === "close") port.close();
    },
    (err: unknown) => port.postMessage({ id: req.id, ok: false, error: serialize(err) } satisfies WorkerReply),
  );
});
