// A health event as the checker publishes it, for tests that announce one themselves.
import { randomUUID } from "node:crypto";
import type { HealthEvent } from "../../src/health/events.ts";

/** A healthy check of `path` with three tools; `over` changes any field. */
export function healthEventFor(path: string, over: Partial<HealthEvent> = {}): HealthEvent {
  return {
    type: "health",
    serverId: randomUUID(),
    path,
    health: "HEALTHY",
    healthStatus: "healthy",
    reason: null,
    lastCheckedAt: "2026-01-02T03:04:05.000Z",
    numTools: 3,
    latencyMs: 12,
    ...over,
  };
}
