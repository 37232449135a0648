// A CLIENT span per SQL statement, under whatever span ran it. Only the statement's kind
// is recorded (db.operation.name), never its text or arguments.
import { SpanKind } from "@opentelemetry/api";
import type { QueryRecord } from "../db/observed-adapter.ts";
import { recordSpan } from "./spans.ts";

export function querySpan(record: QueryRecord): void {
  recordSpan(
    `db ${record.operation}`,
    record,
    { "db.system.name": "postgresql", "db.operation.name": record.operation },
    { kind: SpanKind.CLIENT, ...(record.failed ? { errorType: "query_failed" } : {}) },
  );
}
