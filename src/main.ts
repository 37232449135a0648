// Entry point: config -> logger -> database -> app -> listen; graceful shutdown.
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { DataDirInUseError } from "./db/data-dir-lock.ts";
import { startDemo } from "./demo/register.ts";
import { createLogger } from "./log.ts";
import { installProcessGuard } from "./process-guard.ts";
import { startServer } from "./server.ts";
import { armShutdownDeadline } from "./shutdown.ts";
import { printStartupNotices } from "./startup-notices.ts";

let config: Config;
try {
  // `npm run demo` passes --demo, the same as DEMO=true (a script cannot set a variable on every shell).
  config = loadConfig(process.argv.includes("--demo") ? { ...process.env, DEMO: "true" } : process.env);
} catch (err) {
  // One readable line and exit code 1, never a stack trace, for a bad setting.
  process.stderr.write(`mcp-gateway-registry: ${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(1);
}

const log = createLogger(config.log);
installProcessGuard(log);
try {
  const running = await startServer(config, log);
  const demo = config.demo ? await startDemo({ config, graphql: running.graphql, auth: running.auth, log }) : undefined;
  if (demo) running.httpServer.once("close", () => void demo.close());
  log.info({ url: running.url, database: running.db.kind }, "listening");
  printStartupNotices(config, running, demo);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // A second Ctrl-C: whoever pressed it does not want to wait for the graceful shutdown.
      if (signal === "SIGINT") process.exit(130);
      return;
    }
    stopping = true;
    if (signal === "SIGINT") process.stdout.write("Shutting down… (press Ctrl-C again to exit at once)\n");
    log.info({ signal }, "shutting down");
    armShutdownDeadline({ timeoutMs: config.shutdownTimeoutMs, log, pending: running.pendingShutdownSteps });
    running.close().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
} catch (err) {
  log.fatal({ err }, "could not start");
  const reason = err instanceof DataDirInUseError ? err.message : `could not start: ${(err as Error).message}`;
  process.stderr.write(`mcp-gateway-registry: ${reason}\n`);
  process.exit(1);
}
