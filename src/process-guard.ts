// A throw from a timer or socket callback, or a promise nobody awaited, would otherwise
// end the process and every request in flight with it. Node's advice is to exit after an
// uncaught exception, because state may be half-updated; here every request and every
// scheduled job keeps its state in the database (in transactions) or rebuilds it on its
// next run, so one failed callback costs that callback only, and the server keeps serving.
// The error is logged at error level so that it is seen and fixed.
import type { Logger } from "pino";

export function installProcessGuard(log: Logger): void {
  process.on("uncaughtException", (err, origin) => {
    log.error({ err, origin }, "uncaught exception; still serving");
  });
  process.on("unhandledRejection", (reason) => {
    log.error({ err: reason }, "unhandled promise rejection; still serving");
  });
}
