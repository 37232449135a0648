// The gateway's default observer: one log line per tools/call (who, server, tool, outcome,
// latency; never arguments or results) and per refusal. Metrics and the audit log add
// their own observers; `observers` fans one event out to all of them.
import type { Logger } from "pino";
import type { GatewayObserver } from "./target.ts";

export function loggingObserver(log: Logger): GatewayObserver {
  return {
    toolCall: (record) => log.info({ ...record }, "tools/call"),
    denied: (reason, path) => log.info({ reason, path }, "gateway request refused"),
    upstreamError: (path, reason) => log.warn({ path, reason }, "gateway upstream error"),
    rateLimited: (scope, path) => log.info({ scope, path }, "gateway request rate-limited"),
    streamOpened: () => () => undefined,
  };
}

/** One observer calling each of `list`; one that throws does not stop the others or the request. */
export function observers(list: readonly GatewayObserver[], log: Logger): GatewayObserver {
  const safely = (call: () => void) => {
    try {
      call();
    } catch (err) {
      log.error({ err: (err as Error).message }, "gateway observer failed");
    }
  };
  const each = (call: (o: GatewayObserver) => void) => {
    for (const o of list) safely(() => call(o));
  };
  return {
    toolCall: (record) => each((o) => o.toolCall(record)),
    denied: (reason, path) => each((o) => o.denied(reason, path)),
    upstreamError: (path, reason) => each((o) => o.upstreamError(path, reason)),
    rateLimited: (scope, path) => each((o) => o.rateLimited(scope, path)),
    streamOpened: (path) => {
      const ends: (() => void)[] = [];
      each((o) => ends.push(o.streamOpened(path)));
      return () => {
        for (const end of ends.splice(0)) safely(end);
      };
    },
  };
}
