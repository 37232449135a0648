import type { Logger } from "pino";

/** What middleware leaves on ctx.state for the handlers after it. */
export type AppState = {
  log: Logger;
  requestId: string;
};
