// The viewer's grants, for resolvers. Every operation has a viewer (generic-auth
// refuses others first); this only narrows the type.
import type { Grants } from "../auth/policy.ts";
import type { Viewer } from "../auth/viewer.ts";
import type { Context } from "./context.ts";

export function viewerOf(ctx: Context): Viewer {
  if (!ctx.viewer) throw new Error("no viewer: the generic-auth plugin should have refused this operation");
  return ctx.viewer;
}

export function grantsOf(ctx: Context): Grants {
  return viewerOf(ctx).grants;
}
