// The audit log's gateway observer: one `gateway.tools_call` row per tools/call (who, auth
// method, server, tool, outcome, latency, session; never arguments or results). A call must
// not wait on the database, so rows queue in memory and go out in batches, one transaction
// per batch; the queue is bounded, and when it is full a row is dropped and counted rather
// than held (the drops are logged with each flush).
import type { Logger } from "pino";
import type { Database } from "../db/database.ts";
import { appendAuditBatch } from "./log.ts";

/**
 * One tools/call as the gateway reports it (its ToolCallRecord, described here so that
 * this capability does not depend on the gateway; server.ts plugs one into the other).
 */
export type ToolCallRecord = {
  subject: string;
  authMethod: string;
  path: string;
  tool: string;
  outcome: string;
  latencyMs: number;
  sessionId: string | null;
  username?: string | undefined;
  tokenHint?: string | null | undefined;
};

/** The gateway's observer hooks this one uses; the others do nothing. */
export type ToolCallObserver = {
  toolCall(record: ToolCallRecord): void;
  denied(): void;
  upstreamError(): void;
  rateLimited(): void;
  streamOpened(): () => void;
};

export type GatewayAuditOptions = {
  /** Rows held at most; further rows are dropped and counted until a flush makes room. */
  maxQueue?: number;
  /** A batch goes out this long after its first row... */
  flushMs?: number;
  /** ...or as soon as it has this many rows. */
  batchRows?: number;
};

type Queued = { record: ToolCallRecord; at: Date };

export type GatewayAudit = {
  observer: ToolCallObserver;
  /** Rows dropped because the queue was full, since start. */
  readonly dropped: number;
  /** Writes what is queued (resolves once it is written or has failed). */
  flush(): Promise<void>;
  /** Stops taking rows and writes the last ones. */
  close(): Promise<void>;
};

export function gatewayAudit(db: Database, log: Logger, options: GatewayAuditOptions = {}): GatewayAudit {
  const maxQueue = options.maxQueue ?? 10_000;
  // Few, large batches: on the embedded database each statement pauses the Node thread
  // (about 1.8 ms plus 0.055 ms a row), and a request that arrives meanwhile waits; one
  // flush a second delays a handful of calls a second instead of one in a hundred.
  const flushMs = options.flushMs ?? 1_000;
  const batchRows = options.batchRows ?? 1_000;
  let queue: Queued[] = [];
  let dropped = 0;
  let droppedUnlogged = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const write = async (batch: Queued[]): Promise<void> => {
    try {
      await appendAuditBatch(
        db.prisma,
        batch.map(({ record, at }) => ({
          actor: { subject: record.subject, username: record.username ?? record.subject, authMethod: record.authMethod, jti: record.tokenHint ?? undefined },
          entry: { action: "gateway.tools_call", outcome: outcomeOf(record), serverPath: record.path, tool: record.tool, latencyMs: record.latencyMs, session: record.sessionId, details: { result: record.outcome } },
          at,
        })),
      );
    } catch (err) {
      log.error({ err: (err as Error).message, rows: batch.length }, "could not write gateway audit rows; they are lost");
    }
    if (droppedUnlogged > 0) {
      log.warn({ dropped: droppedUnlogged, total: dropped }, "gateway audit queue was full; rows dropped");
      droppedUnlogged = 0;
    }
  };

  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return writing;
    const batch = queue;
    queue = [];
    // One batch at a time, in order, so the chain holds the calls in the order they ended.
    writing = writing.then(() => write(batch));
    return writing;
  };

  const toolCall = (record: ToolCallRecord) => {
    if (closed) return;
    if (queue.length >= maxQueue) {
      dropped++;
      droppedUnlogged++;
      return;
    }
    queue.push({ record, at: new Date() });
    if (queue.length >= batchRows) void flush();
    else timer ??= setTimeout(() => void flush(), flushMs).unref();
  };

  return {
    observer: { toolCall, denied() {}, upstreamError() {}, rateLimited() {}, streamOpened: () => () => undefined },
    get dropped() {
      return dropped;
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}

/** The audit log's three outcomes; the gateway's finer one goes into the row's details. */
function outcomeOf(record: ToolCallRecord): "ok" | "denied" | "error" {
  if (record.outcome === "ok") return "ok";
  if (record.outcome === "denied" || record.outcome === "rate_limited") return "denied";
  return "error";
}
