// What every resolver receives. Built per request by yoga.ts.
import type { Logger } from "pino";
import type { AuthService } from "../auth/service.ts";
import type { Viewer } from "../auth/viewer.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { ServerEvents } from "../servers/events.ts";
import type { HealthService } from "../health/service.ts";
import type { SearchService } from "../search/service.ts";

export type Context = {
  prisma: PrismaClient;
  db: Database;
  config: Config;
  log: Logger;
  auth: AuthService;
  /** Health, tool and lifecycle events, on every replica. */
  events: ServerEvents;
  health: HealthService;
  /** Ranked search over the servers and tools index. */
  search: SearchService;
  /** The caller; generic-auth refuses operations without one before they run. */
  viewer: Viewer | null;
};
