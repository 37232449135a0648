// Writes health results in batches: one statement records a whole batch of checks
// (history rows and the servers' current state), instead of a transaction per check.
// On the embedded database every statement runs on the one Node thread, so this is
// most of what a sweep of many servers costs.
import type { Logger } from "pino";
import type { Database } from "../db/database.ts";

export type HealthRecord = {
  serverId: string;
  status: "HEALTHY" | "UNHEALTHY";
  reason: string | null;
  latencyMs: number;
  checkedAt: string;
  /** Healthy results only: they also carry the tool count, tool-list digest and server info. */
  numTools: number | null;
  toolsHash: string | null;
  serverInfo: Record<string, unknown> | null;
};

type Pending = { record: HealthRecord; done: () => void; failed: (err: unknown) => void };

const BATCH_MAX = 200;
const BATCH_WAIT_MS = 20;

export class HealthWriter {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  /** Resolves once the record is committed. */
  write(record: HealthRecord): Promise<void> {
    return new Promise((done, failed) => {
      this.queue.push({ record, done, failed });
      if (this.queue.length >= BATCH_MAX) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), BATCH_WAIT_MS);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.writeBatch(batch.map((p) => p.record)).then(
      () => batch.forEach((p) => p.done()),
      (err: unknown) => batch.forEach((p) => p.failed(err)),
    );
  }

  private async writeBatch(records: HealthRecord[]): Promise<void> {
    const rows = JSON.stringify(records);
    // Servers deleted since their check are skipped (their history would have no owner).
    await this.db.prisma.$executeRaw`
      with v as (
        select * from jsonb_to_recordset(${rows}::jsonb) as v(
          "serverId" uuid, status "HealthStatus", reason text, "latencyMs" int, "checkedAt" timestamptz,
          "numTools" int, "toolsHash" text, "serverInfo" jsonb)
        where exists (select 1 from servers s where s.id = v."serverId")
      ), history as (
        insert into health_checks (id, server_id, status, reason, latency_ms, checked_at)
        select gen_random_uuid(), "serverId", status, reason, "latencyMs", "checkedAt" from v
      )
      update servers s set
        health_status = v.status,
        health_reason = v.reason,
        last_checked = v."checkedAt",
        last_latency_ms = v."latencyMs",
        num_tools = coalesce(v."numTools", s.num_tools),
        tools_hash = coalesce(v."toolsHash", s.tools_hash),
        server_info = coalesce(v."serverInfo", s.server_info)
      from v where s.id = v."serverId"`;
    this.log.debug({ records: records.length }, "health results written");
  }
}
