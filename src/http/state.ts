import type { Logger } from "pino";
import type { Viewer } from "../auth/viewer.ts";
import type { HttpError } from "./errors.ts";

/** What middleware leaves on ctx.state for the handlers after it. */
export type AppState = {
  log: Logger;
  requestId: string;
  /** The signed-in caller, or null (set by auth/viewer.ts). */
  viewer: Viewer | null;
  authenticatedBy: "bearer" | "cookie" | null;
  /** A credential that was sent but refused; answered with 401 once the request is counted. */
  credentialError?: HttpError;
};
