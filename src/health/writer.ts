// Writes health results in batches: one statement records a whole batch of checks
// (history rows and the servers' current state), instead of a transaction per check.
// On the embedded database every statement runs on the one Node thread, so this is
// most of what a sweep of many servers costs.
import type { Logger } from "pino";
import type { Database } from "../db/database.ts";
import type { Prisma } from "../generated/prisma/client.ts";

export type HealthRecord = {
  serverId: string;
  /**
   * The server's updated_at when its check began. A server disabled or changed since then
   * (another URL, another credential) gets nothing written: the result describes what it no longer is.
   */
  expectedUpdatedAt: string;
  status: "HEALTHY" | "UNHEALTHY";
  reason: string | null;
  latencyMs: number;
  checkedAt: string;
  /** Healthy results only: they also carry the tool count, tool-list digest and server info. */
  numTools: number | null;
  toolsHash: string | null;
  serverInfo: Record<string, unknown> | null;
  /** Set when the tool list changed: the tools to insert or update, the names to remove. */
  tools?: {
    upsert: {
      name: string;
      title: string | null;
      description: string;
      inputSchema: unknown;
      outputSchema: unknown;
      annotations: unknown;
    }[];
    removed: string[];
    changes: { kind: "ADDED" | "REMOVED" | "CHANGED"; toolName: string }[];
  };
};

type Pending = { record: HealthRecord; done: (applied: boolean) => void; failed: (err: unknown) => void };

const BATCH_MAX = 200;
const BATCH_WAIT_MS = 20;
/** A sweep's batch of hundreds of servers may queue behind other work; Prisma's 5 s default is too tight for it. */
const TRANSACTION = { maxWait: 30_000, timeout: 60_000 };

export class HealthWriter {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  /** Resolves once the record is committed: true, or false when the server was disabled, changed or deleted meanwhile. */
  write(record: HealthRecord): Promise<boolean> {
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
      (applied) => batch.forEach((p) => p.done(applied.has(p.record.serverId))),
      (err: unknown) => batch.forEach((p) => p.failed(err)),
    );
  }

  /** Returns the ids of the servers whose records were written. */
  private async writeBatch(all: HealthRecord[]): Promise<Set<string>> {
    const applied = await this.db.prisma.$transaction(async (prisma) => {
      // Locks the rows still as their checks saw them: a toggle or edit now waits for this
      // batch, and one that committed first leaves its server out of it.
      const expected = JSON.stringify(all.map((r) => ({ serverId: r.serverId, updatedAt: r.expectedUpdatedAt })));
      const current = await prisma.$queryRaw<{ id: string }[]>`
        select s.id::text as id from servers s
        join jsonb_to_recordset(${expected}::jsonb) as v("serverId" uuid, "updatedAt" timestamptz) on s.id = v."serverId"
        where s.enabled and s.updated_at = v."updatedAt"
        for update of s`;
      const ids = new Set(current.map((r) => r.id));
      const records = all.filter((r) => ids.has(r.serverId));
      if (records.length > 0) await this.writeRecords(prisma, records);
      return ids;
    }, TRANSACTION);
    this.log.debug({ records: all.length, written: applied.size }, "health results written");
    return applied;
  }

  private async writeRecords(prisma: Prisma.TransactionClient, records: HealthRecord[]): Promise<void> {
    const rows = JSON.stringify(
      records.map(({ tools: _tools, expectedUpdatedAt: _expected, ...r }) => ({ ...r, toolsChanged: _tools !== undefined })),
    );
    const withTools = records.filter((r) => r.tools);
    const upserts = JSON.stringify(withTools.flatMap((r) => r.tools!.upsert.map((t) => ({ serverId: r.serverId, ...t }))));
    const removals = JSON.stringify(withTools.flatMap((r) => r.tools!.removed.map((name) => ({ serverId: r.serverId, name }))));
    const changes = JSON.stringify(
      withTools.flatMap((r) => r.tools!.changes.map((c) => ({ serverId: r.serverId, checkedAt: r.checkedAt, ...c }))),
    );
    const toolStatements = withTools.length === 0 ? [] : [
      prisma.$executeRaw`
        delete from tools t using jsonb_to_recordset(${removals}::jsonb) as v("serverId" uuid, name text)
        where t.server_id = v."serverId" and t.name = v.name`,
      prisma.$executeRaw`
        insert into tools (id, server_id, name, title, description, input_schema, output_schema, annotations, updated_at)
        select gen_random_uuid(), v."serverId", v.name, v.title, v.description, coalesce(v."inputSchema", '{}'::jsonb),
               v."outputSchema", v.annotations, now()
        from jsonb_to_recordset(${upserts}::jsonb) as v(
          "serverId" uuid, name text, title text, description text, "inputSchema" jsonb, "outputSchema" jsonb, annotations jsonb)
        where exists (select 1 from servers s where s.id = v."serverId")
        on conflict (server_id, name) do update set
          title = excluded.title, description = excluded.description, input_schema = excluded.input_schema,
          output_schema = excluded.output_schema, annotations = excluded.annotations, updated_at = now()`,
      prisma.$executeRaw`
        insert into tool_changes (id, server_id, kind, tool_name, changed_at)
        select gen_random_uuid(), v."serverId", v.kind, v."toolName", v."checkedAt"
        from jsonb_to_recordset(${changes}::jsonb) as v("serverId" uuid, kind "ToolChangeKind", "toolName" text, "checkedAt" timestamptz)
        where exists (select 1 from servers s where s.id = v."serverId")`,
    ];
    // Servers deleted since their check are skipped (their history would have no owner).
    const state = prisma.$executeRaw`
      with v as (
        select * from jsonb_to_recordset(${rows}::jsonb) as v(
          "serverId" uuid, status "HealthStatus", reason text, "latencyMs" int, "checkedAt" timestamptz,
          "numTools" int, "toolsHash" text, "serverInfo" jsonb, "toolsChanged" boolean)
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
        server_info = coalesce(v."serverInfo", s.server_info),
        tools_changed_at = case when v."toolsChanged" then v."checkedAt" else s.tools_changed_at end
      from v where s.id = v."serverId"`;
    // In the batch's one transaction: a server's new tools and its new digest land together.
    for (const statement of [...toolStatements, state]) await statement;
  }
}
