// The viewer of a resolver's context. Every operation has one (generic-auth refuses the
// others before they run, yoga.ts); this only narrows the type.
import type { Grants, Viewer } from "../auth/policy.ts";
import type { Context } from "./context.ts";

export function signedInViewer(ctx: Context): Viewer {
  if (!ctx.viewer) throw new Error("no viewer: the generic-auth plugin should have refused this operation");
  return ctx.viewer;
}

export function grantsOf(ctx: Context): Grants {
  return signedInViewer(ctx).grants;
}
