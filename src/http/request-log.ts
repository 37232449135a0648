// Gives each request an id (kept from X-Request-Id when sane) and a child logger,
// and logs one line when it ends.
import { randomUUID } from "node:crypto";
import type { Middleware } from "koa";
import type { Logger } from "pino";
import type { AppState } from "./state.ts";

export function requestLog(log: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    const given = ctx.get("x-request-id");
    const requestId = /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = log.child({ requestId });
    ctx.set("X-Request-Id", requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      ctx.state.log.debug(
        { method: ctx.method, path: ctx.path, status: ctx.status, ms: +(performance.now() - started).toFixed(2) },
        "request",
      );
    }
  };
}
