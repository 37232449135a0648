// What subscribers hear about servers: health changes, tool-list changes and
// lifecycle changes. Events ride the change feed, so they reach every replica
// (LISTEN/NOTIFY on PostgreSQL, in-process on PGlite), and every write that
// announces itself also clears response caches.
import type { ChangeFeed } from "../db/changes.ts";
import type { HealthState } from "./status.ts";

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

export type LifecycleEvent = {
  type: "registered" | "updated" | "deleted";
  serverId: string;
  path: string;
};

export type ServerEvent = HealthEvent | ToolsChangedEvent | LifecycleEvent;

export class ServerEvents {
  constructor(private readonly changes: ChangeFeed) {}

  publish(event: ServerEvent): void {
    this.changes.publish({ entity: event.type === "tools" ? "tool" : event.type === "health" ? "health" : "server", path: event.path, event });
  }

  /** Calls `listener` for every event on any replica; returns the unsubscribe function. */
  subscribe(listener: (event: ServerEvent) => void): () => void {
    return this.changes.subscribe((change) => {
      if (change.event) listener(change.event);
    });
  }
}
