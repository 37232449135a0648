// One health check of one server: probe it, then record status, history, server
// info and the tool list (with what changed), and tell subscribers when anything
// a viewer would notice changed.
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import type { Prisma, Server } from "../generated/prisma/client.ts";
import { HealthWriter } from "./writer.ts";
import { authHeaders, type Credentials } from "./credentials.ts";
import { healthEventOf, type HealthEventSink } from "./events.ts";
import type { HealthObserver } from "./observer.ts";
import { probe, type DiscoveredTool, type ProbeResult } from "./probe.ts";
import { inSpan } from "../telemetry/spans.ts";
import type { GuardedFetch } from "./ssrf.ts";
import { healthStringOf } from "./status.ts";
import { diffTools, isEmpty, type ToolDiff } from "./tool-diff.ts";

const NO_DIFF: ToolDiff = { added: [], removed: [], changed: [] };

/** The columns a check reads; a sweep loads them for every server in one query. */
export const CHECKED_FIELDS = {
  id: true,
  path: true,
  enabled: true,
  proxyPassUrl: true,
  transport: true,
  upstreamAuth: true,
  upstreamAuthHeader: true,
  upstreamAuthSecret: true,
  healthStatus: true,
  healthReason: true,
  numTools: true,
  toolsHash: true,
  updatedAt: true,
} as const satisfies Prisma.ServerSelect;
export type CheckedServer = Prisma.ServerGetPayload<{ select: typeof CHECKED_FIELDS }>;

/** Order-independent digest of a tool list. */
function hashTools(tools: readonly DiscoveredTool[]): string {
  const sorted = [...tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

/** `changed`: the server was disabled, edited or deleted while it was being checked, and the result was dropped. */
export type CheckOutcome = { result: ProbeResult; diff: ToolDiff } | { skipped: "disabled" | "gone" | "changed" };

export class HealthChecker {
  /** Checks in flight by server id: a refresh during a sweep joins the running check. */
  private readonly running = new Map<string, Promise<CheckOutcome>>();
  private readonly writer: HealthWriter;

  constructor(
    private readonly deps: {
      db: Database;
      events: HealthEventSink;
      credentials: Credentials;
      fetch: GuardedFetch;
      settings: Config["health"];
      log: Logger;
      observer?: HealthObserver;
    },
  ) {
    this.writer = new HealthWriter(deps.db, deps.log);
  }

  /**
   * Checks one server. `trim` keeps its history within the limit now; sweeps pass
   * false and trim every server at once afterwards (one statement instead of one per check).
   */
  check(serverId: string, opts: { trim: boolean; row?: CheckedServer } = { trim: true }): Promise<CheckOutcome> {
    let pending = this.running.get(serverId);
    if (!pending) {
      pending = this.observed(this.run(serverId, opts)).finally(() => this.running.delete(serverId));
      this.running.set(serverId, pending);
    }
    return pending;
  }

  private observed(check: Promise<CheckOutcome>): Promise<CheckOutcome> {
    const observer = this.deps.observer;
    if (!observer) return check;
    const started = performance.now();
    const report = (outcome: Parameters<HealthObserver["checked"]>[0]) => observer.checked(outcome, performance.now() - started);
    check.then(
      (o) => report("result" in o ? (o.result.status === "HEALTHY" ? "healthy" : "unhealthy") : "skipped"),
      () => report("error"),
    );
    return check;
  }

  /** Cuts health history and tool-change history to their limits: for one server, or all of them. */
  async trimHistory(serverId?: string): Promise<void> {
    const { historyLimit, toolChangeLimit } = this.deps.settings;
    const db = this.deps.db.prisma;
    if (serverId) {
      await db.$executeRaw`delete from health_checks where id in (
        select id from health_checks where server_id = ${serverId}::uuid order by checked_at desc offset ${historyLimit})`;
      await db.$executeRaw`delete from tool_changes where id in (
        select id from tool_changes where server_id = ${serverId}::uuid order by changed_at desc offset ${toolChangeLimit})`;
    } else {
      await db.$executeRaw`delete from health_checks where id in (
        select id from (select id, row_number() over (partition by server_id order by checked_at desc) as n
                        from health_checks) ranked where n > ${historyLimit})`;
      await db.$executeRaw`delete from tool_changes where id in (
        select id from (select id, row_number() over (partition by server_id order by changed_at desc) as n
                        from tool_changes) ranked where n > ${toolChangeLimit})`;
    }
  }

  /**
   * A toggle or edit that committed right after this check's write may have published
   * its own state before this check published its result; subscribers keep the last
   * message they got, so tell them the server's state as it is now. One that commits
   * after this read publishes after it, and so after the result.
   */
  private async republishIfChanged(serverId: string, checkedVersion: Date): Promise<void> {
    const now = await this.deps.db.prisma.server.findUnique({
      where: { id: serverId },
      select: { path: true, enabled: true, healthStatus: true, healthReason: true, numTools: true, lastChecked: true, lastLatencyMs: true, updatedAt: true },
    });
    if (!now || now.updatedAt.getTime() === checkedVersion.getTime()) return;
    this.deps.events.publish(healthEventOf({ ...now, id: serverId }));
  }

  private async run(serverId: string, opts: { trim: boolean; row?: CheckedServer }): Promise<CheckOutcome> {
    const { db, settings, log } = this.deps;
    const server = opts.row ?? (await db.prisma.server.findUnique({ where: { id: serverId }, select: CHECKED_FIELDS }));
    if (!server) return { skipped: "gone" };
    if (!server.enabled) return { skipped: "disabled" };

    let secret: string | undefined;
    if (server.upstreamAuthSecret) {
      try {
        secret = this.deps.credentials.decrypt(server.upstreamAuthSecret);
      } catch {
        log.error({ path: server.path }, "cannot decrypt the server's credential (was CREDENTIALS_KEY changed?)");
      }
    }
    // The probe's requests carry this span's traceparent (probe.ts), never the credential in a span.
    const result = await inSpan("health.check", { "mcp.server.path": server.path }, () =>
      probe(server.proxyPassUrl, {
        transport: server.transport,
        timeoutMs: settings.timeoutMs,
        headers: authHeaders(server.upstreamAuth, server.upstreamAuthHeader, secret),
        fetch: this.deps.fetch,
      }),
    );

    const healthy = result.status === "HEALTHY";
    const toolsHash = healthy ? hashTools(result.tools) : null;
    // Most checks find the same tools: then neither read nor write them.
    const toolsSame = !healthy || toolsHash === server.toolsHash;
    // Only discovery writes tools, so a server never discovered (no digest yet) has none to read.
    const stored = toolsSame || server.toolsHash === null ? [] : await db.prisma.tool.findMany({ where: { serverId } });
    const diff = toolsSame ? NO_DIFF : diffTools(stored, result.tools);
    const now = new Date();
    const serverInfo = healthy
      ? { ...(result.serverInfo ?? {}), protocolVersion: result.protocolVersion, capabilities: result.capabilities }
      : null;
    const checkedAt = now.toISOString();
    const byName = new Map(result.tools.map((t) => [t.name, t]));
    const written = await this.writer.write({
      serverId,
      expectedUpdatedAt: server.updatedAt.toISOString(),
      status: result.status,
      reason: result.reason,
      latencyMs: result.latencyMs,
      checkedAt,
      // Once any check has run, the count is what was discovered: 0 before the first successful discovery.
      numTools: healthy ? result.tools.length : server.toolsHash === null ? 0 : null,
      toolsHash,
      serverInfo,
      ...(isEmpty(diff)
        ? {}
        : {
            tools: {
              upsert: [...diff.added, ...diff.changed].map((name) => byName.get(name)!),
              removed: diff.removed,
              changes: [
                ...diff.added.map((toolName) => ({ kind: "ADDED" as const, toolName })),
                ...diff.removed.map((toolName) => ({ kind: "REMOVED" as const, toolName })),
                ...diff.changed.map((toolName) => ({ kind: "CHANGED" as const, toolName })),
              ],
            },
          }),
    });
    if (!written) {
      log.debug({ path: server.path }, "server was disabled or changed during its check; result dropped");
      return { skipped: "changed" };
    }
    const updated: Pick<Server, "path" | "enabled" | "healthStatus" | "healthReason" | "numTools"> = {
      path: server.path,
      enabled: server.enabled,
      healthStatus: result.status,
      healthReason: result.reason,
      numTools: healthy ? result.tools.length : server.toolsHash === null ? 0 : server.numTools,
    };
    const changedHealth =
      updated.healthStatus !== server.healthStatus ||
      updated.healthReason !== server.healthReason ||
      updated.numTools !== server.numTools;
    if (changedHealth) {
      log.info({ path: server.path, status: healthStringOf(updated), latencyMs: result.latencyMs }, "health changed");
      this.deps.events.publish(healthEventOf({ ...updated, id: serverId, lastChecked: now, lastLatencyMs: result.latencyMs }));
    }
    if (!isEmpty(diff)) {
      log.info({ path: server.path, ...diff }, "tools changed");
      this.deps.events.publish({ type: "tools", serverId, path: updated.path, ...diff, at: now.toISOString() });
    }
    if (changedHealth) await this.republishIfChanged(serverId, server.updatedAt);
    if (opts.trim) await this.trimHistory(serverId);
    return { result, diff };
  }
}
