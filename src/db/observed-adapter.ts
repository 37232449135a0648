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
/** The longest word in KINDS: a longer leading word is "other" without reading it all. */
const LONGEST_KIND = 8;

/** The statement's first word, if a known kind; read by char codes, as it runs for every statement. */
export function operationOf(sql: string): string {
  let i = 0;
  while (i < sql.length && isSpace(sql.charCodeAt(i))) i++;
  let word = "";
  for (; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    if (!isLetter(c)) break;
    if (word.length === LONGEST_KIND) return "other";
    word += String.fromCharCode(c | 0x20); // ASCII lower case
  }
  return KINDS.has(word) ? word : "other";
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

export function observedAdapter(factory: SqlDriverAdapterFactory, observe: QueryObserver): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => observedConnection(await factory.connect(), observe),
  };
}

type Runner = { queryRaw: SqlDriverAdapter["queryRaw"]; executeRaw: SqlDriverAdapter["executeRaw"] };

// One async function per statement, with no closures made for it: this runs for every
// SQL statement, so the wrapper's own allocations are part of what a request costs.
async function timed<K extends keyof Runner>(target: Runner, method: K, q: SqlQuery, observe: QueryObserver): Promise<Awaited<ReturnType<Runner[K]>>> {
  const startedAt = performance.now();
  let failed = true;
  try {
    const value = (await target[method](q)) as Awaited<ReturnType<Runner[K]>>;
    failed = false;
    return value;
  } finally {
    try {
      observe({ operation: operationOf(q.sql), startedAt, ms: performance.now() - startedAt, failed });
    } catch {
      // An observer's failure must not fail the query.
    }
  }
}

function observedConnection(adapter: SqlDriverAdapter, observe: QueryObserver): SqlDriverAdapter {
  const wrapped: SqlDriverAdapter = {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (q: SqlQuery) => timed(adapter, "queryRaw", q, observe),
    executeRaw: (q: SqlQuery) => timed(adapter, "executeRaw", q, observe),
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
    queryRaw: (q: SqlQuery) => timed(tx, "queryRaw", q, observe),
    executeRaw: (q: SqlQuery) => timed(tx, "executeRaw", q, observe),
    commit: () => tx.commit(),
    rollback: () => tx.rollback(),
  };
}
