// What health checking tells subscribers: a server's health changed, or its tool list
// did. The servers capability carries these, with its lifecycle events, on the change
// feed (src/servers/events.ts); health only needs somewhere to publish them.
import type { HealthStatus } from "../generated/prisma/enums.ts";
import { healthStateOf, healthStringOf, type HealthState } from "./status.ts";

export type HealthEvent = {
  type: "health";
  serverId: string;
  path: string;
  health: HealthState;
  /** The product's words: healthy, unhealthy: <reason>, checking, disabled, unknown. */
  healthStatus: string;
  reason: string | null;
  lastCheckedAt: string | null;
  numTools: number;
  latencyMs: number | null;
};

export type ToolsChangedEvent = {
  type: "tools";
  serverId: string;
  path: string;
  added: string[];
  removed: string[];
  changed: string[];
  at: string;
};

/** Where the checker publishes; ServerEvents is one. */
export type HealthEventSink = { publish(event: HealthEvent | ToolsChangedEvent): void };

/** The columns of a server that its health event reports. */
export type HealthEventSource = {
  id: string;
  path: string;
  enabled: boolean;
  healthStatus: HealthStatus;
  healthReason: string | null;
  lastChecked: Date | null;
  numTools: number;
  lastLatencyMs: number | null;
};

/** The one way a server's state becomes a health event: after a check, a toggle, or a write that raced a check. */
export function healthEventOf(server: HealthEventSource): HealthEvent {
  return {
    type: "health",
    serverId: server.id,
    path: server.path,
    health: healthStateOf(server),
    healthStatus: healthStringOf(server),
    reason: server.healthReason,
    lastCheckedAt: server.lastChecked?.toISOString() ?? null,
    numTools: server.numTools,
    latencyMs: server.lastLatencyMs,
  };
}
