import type { Logger } from "pino";
import type { Viewer } from "../auth/viewer.ts";

/** What middleware leaves on ctx.state for the handlers after it. */
export type AppState = {
  log: Logger;
  requestId: string;
  /** The signed-in caller, or null (set by auth/viewer.ts). */
  viewer: Viewer | null;
  authenticatedBy: "bearer" | "cookie" | null;
};
