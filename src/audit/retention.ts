// Trims the audit log to AUDIT_RETENTION_DAYS once an hour, on one replica at a time
// (the leader of "audit-retention"); the first run is soon after start.
import type { Logger } from "pino";
import type { Database } from "../db/database.ts";
import { trimAudit } from "./log.ts";

const HOUR_MS = 3_600_000;

export function startAuditRetention(deps: { db: Database; retentionDays: number; log: Logger; firstRunMs?: number }): { close(): void } {
  if (deps.retentionDays === 0) return { close() {} };
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const run = async () => {
    try {
      if (closed || !(await deps.db.tryLeadership("audit-retention"))) return;
      const removed = await trimAudit(deps.db.prisma, deps.retentionDays);
      if (removed > 0) deps.log.info({ removed, retentionDays: deps.retentionDays }, "audit log trimmed");
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, "audit log trim failed; trying again in an hour");
    } finally {
      if (!closed) timer = setTimeout(() => void run(), HOUR_MS).unref();
    }
  };
  timer = setTimeout(() => void run(), deps.firstRunMs ?? 60_000).unref();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
