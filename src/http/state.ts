import type { Logger } from "pino";

/**
 * The signed-in caller. Empty here and filled in by src/auth/viewer.ts (declaration merging,
 * as Koa's own DefaultState is), so that the HTTP layer names the caller without importing auth.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- auth/viewer.ts merges the Viewer into it
export interface StateViewer {}

/** What middleware leaves on ctx.state for the handlers after it. */
export type AppState = {
  log: Logger;
  requestId: string;
  /** The signed-in caller, or null (set by auth/viewer.ts). */
  viewer: StateViewer | null;
  authenticatedBy: "bearer" | "cookie" | null;
  /** A credential that was sent but refused (a domain error); answered once the request is counted. */
  credentialError?: Error;
};
