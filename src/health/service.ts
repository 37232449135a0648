// Health checking at run time: the SSRF-guarded fetch, the checker, the scheduler
// and the key for upstream credentials, built once at start-up.
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { HealthChecker } from "./checker.ts";
import { Credentials } from "./credentials.ts";
import type { HealthObserver } from "./observer.ts";
import type { HealthEventSink } from "./events.ts";
import { Scheduler } from "./scheduler.ts";
import { createGuardedFetch } from "./ssrf.ts";

export type HealthService = {
  checker: HealthChecker;
  scheduler: Scheduler;
  credentials: Credentials;
  /** Checks a server soon, without waiting (right after it is enabled), unless automatic checks are off. */
  checkSoon(serverId: string): void;
  close(): Promise<void>;
};

export async function createHealth(deps: {
  config: Config;
  db: Database;
  events: HealthEventSink;
  log: Logger;
  observer?: HealthObserver;
}): Promise<HealthService> {
  const { config, db, events, observer } = deps;
  const log = deps.log.child({ component: "health" });
  const credentials = await Credentials.open({
    key: config.health.credentialsKey,
    dataDir: config.dataDir,
    shared: db.kind === "postgres",
    log,
  });
  const fetch = createGuardedFetch(config.health.outbound);
  const checker = new HealthChecker({ db, events, credentials, fetch, settings: config.health, log, observer });
  const scheduler = new Scheduler({ db, checker, settings: config.health, log, observer });
  if (config.health.enabled) scheduler.start();
  else log.warn("HEALTH_CHECKS=false: servers are not checked on a schedule");
  return {
    checker,
    scheduler,
    credentials,
    checkSoon(serverId) {
      if (!config.health.enabled) return;
      checker.check(serverId).catch((err: Error) => log.error({ serverId, err: err.message }, "health check failed"));
    },
    async close() {
      await scheduler.stop();
      await fetch.close();
    },
  };
}
