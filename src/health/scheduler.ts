// Checks every enabled server every interval, on one replica at a time. Sweeps never
// overlap: the next starts one interval after the previous started, or when it ends
// if it ran longer. Concurrency is bounded and start times are spread (jitter) so
// upstreams are not hit all at once.
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { CHECKED_FIELDS, type HealthChecker } from "./checker.ts";
import type { HealthObserver, SweepReport } from "./observer.ts";

export type { SweepReport };

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<SweepReport> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: { db: Database; checker: HealthChecker; settings: Config["health"]; log: Logger; observer?: HealthObserver },
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Runs one sweep now (if none is running) and reports it. Used by tests and benchmarks. */
  sweep(): Promise<SweepReport> {
    this.sweeping ??= this.runSweep().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    try {
      if (await this.deps.db.tryLeadership("health-scheduler")) await this.sweep();
    } catch (err) {
      this.deps.log.error({ err: (err as Error).message }, "health sweep failed");
    }
    this.schedule(Math.max(0, started + this.deps.settings.intervalMs - Date.now()));
  }

  private async runSweep(): Promise<SweepReport> {
    const { db, checker, settings, log } = this.deps;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const servers = await db.prisma.server.findMany({ where: { enabled: true }, select: CHECKED_FIELDS, orderBy: { id: "asc" } });
    const queue = [...servers];
    let healthy = 0;
    let unhealthy = 0;
    // Spread the first wave's start over a short window; later ones start as slots free.
    const jitterMs = Math.min(1_000, settings.intervalMs / 10);
    const worker = async (slot: number) => {
      if (slot < settings.concurrency && queue.length > settings.concurrency) {
        await new Promise((r) => setTimeout(r, Math.random() * jitterMs));
      }
      for (let row = queue.shift(); row !== undefined && !this.stopped; row = queue.shift()) {
        const id = row.id;
        try {
          const outcome = await checker.check(id, { trim: false, row });
          if ("result" in outcome) {
            if (outcome.result.status === "HEALTHY") healthy += 1;
            else unhealthy += 1;
          }
        } catch (err) {
          unhealthy += 1;
          log.error({ serverId: id, err: (err as Error).message }, "health check failed");
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, queue.length) }, (_, i) => worker(i)));
    if (servers.length > 0) await checker.trimHistory();
    const used = process.cpuUsage(cpu);
    const report = {
      servers: servers.length,
      ms: Math.round(performance.now() - started),
      cpuMs: Math.round((used.user + used.system) / 1000),
      healthy,
      unhealthy,
    };
    if (report.servers > 0) log.info(report, "health sweep done");
    this.deps.observer?.swept(report);
    return report;
  }
}
