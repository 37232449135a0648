// Times every SQL statement Prisma sends through its driver adapter (PGlite or pg), for
// metrics and traces. Only the statement's kind is reported, never its text or arguments.
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from "@prisma/driver-adapter-utils";

export type QueryRecord = {
  /** select, insert, update, delete, begin, commit, rollback or other. */
  operation: string;
  /** performance.now() at the start. */
  startedAt: number;
  ms: number;
  failed: boolean;
};

/** Called after each statement, in the async context of the code that ran the query. */
export type QueryObserver = (record: QueryRecord) => void;

const KINDS: ReadonlySet<string> = new Set(["select", "insert", "update", "delete", "with", "begin", "commit", "rollback"]);

export function operationOf(sql: string): string {
  const word = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toLowerCase();
  return word !== undefined && KINDS.has(word) ? word : "other";
}

export function observedAdapter(factory: SqlDriverAdapterFactory, observe: QueryObserver): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => observedConnection(await factory.connect(), observe),
  };
}

function timed<T>(sql: string, observe: QueryObserver, run: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  const report = (failed: boolean) => {
    try {
      observe({ operation: operationOf(sql), startedAt, ms: performance.now() - startedAt, failed });
    } catch {
      // An observer's failure must not fail the query.
    }
  };
  return run().then(
    (value) => {
      report(false);
      return value;
    },
    (err: unknown) => {
      report(true);
      throw err;
    },
  );
}

function observedConnection(adapter: SqlDriverAdapter, observe: QueryObserver): SqlDriverAdapter {
  const wrapped: SqlDriverAdapter = {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (q: SqlQuery) => timed(q.sql, observe, () => adapter.queryRaw(q)),
    executeRaw: (q: SqlQuery) => timed(q.sql, observe, () => adapter.executeRaw(q)),
    executeScript: (script: string) => adapter.executeScript(script),
    startTransaction: async (isolationLevel) => observedTransaction(await adapter.startTransaction(isolationLevel), observe),
    dispose: () => adapter.dispose(),
  };
  if (adapter.getConnectionInfo) wrapped.getConnectionInfo = () => adapter.getConnectionInfo!();
  return wrapped;
}

function observedTransaction(tx: Transaction, observe: QueryObserver): Transaction {
  return {
    provider: tx.provider,
    adapterName: tx.adapterName,
    options: tx.options,
    queryRaw: (q: SqlQuery) => timed(q.sql, observe, () => tx.queryRaw(q)),
    executeRaw: (q: SqlQuery) => timed(q.sql, observe, () => tx.executeRaw(q)),
    commit: () => tx.commit(),
    rollback: () => tx.rollback(),
  };
}
