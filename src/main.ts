// Entry point: config -> logger -> database -> app -> listen; graceful shutdown.
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { DataDirInUseError } from "./db/data-dir-lock.ts";
import { createLogger } from "./log.ts";
import { installProcessGuard } from "./process-guard.ts";
import { startServer } from "./server.ts";
import { armShutdownDeadline } from "./shutdown.ts";

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  // One readable line and exit code 1, never a stack trace, for a bad setting.
  process.stderr.write(`mcp-gateway-registry: ${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(1);
}

const log = createLogger(config.log);
installProcessGuard(log);
try {
  const running = await startServer(config, log);
  log.info({ url: running.url, database: running.db.kind }, "listening");
  process.stdout.write(`MCP Gateway Registry is running at ${running.url} (GraphQL: ${running.url}/graphql)\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
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
