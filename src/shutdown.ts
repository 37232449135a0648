// Graceful shutdown with a hard deadline: however a close step hangs (a wedged database,
// a socket that never ends), the process is gone SHUTDOWN_TIMEOUT_MS plus a grace period
// after the signal, and says which steps it abandoned.
import type { Logger } from "pino";

/** Time after SHUTDOWN_TIMEOUT_MS for the steps that follow closing connections. */
export const SHUTDOWN_GRACE_MS = 5_000;

/** Names the close steps that have started and not finished. */
export class ShutdownSteps {
  private readonly running = new Set<string>();

  async run<T>(name: string, step: () => T | Promise<T>): Promise<T> {
    this.running.add(name);
    try {
      return await step();
    } finally {
      this.running.delete(name);
    }
  }

  get pending(): string[] {
    return [...this.running];
  }
}

export type DeadlineOptions = {
  timeoutMs: number;
  log: Logger;
  /** What is still pending when the deadline passes. */
  pending: () => string[];
  exit?: (code: number) => void;
};

/** Arms the deadline; returns the function that disarms it once shutdown has finished. */
export function armShutdownDeadline({ timeoutMs, log, pending, exit = (code) => process.exit(code) }: DeadlineOptions): () => void {
  const deadlineMs = timeoutMs + SHUTDOWN_GRACE_MS;
  const timer = setTimeout(() => {
    const abandoned = pending();
    log.error({ deadlineMs, abandoned }, "shutdown did not finish in time; exiting anyway");
    process.stderr.write(
      `mcp-gateway-registry: shutdown did not finish within ${deadlineMs} ms; abandoned: ${abandoned.join(", ") || "nothing named"}\n`,
    );
    exit(1);
  }, deadlineMs);
  return () => clearTimeout(timer);
}
