// What subscribers hear about servers: lifecycle changes (registered, updated, deleted),
// plus the health and tool-list changes health checking reports. Events ride the change
// feed, so they reach every replica (LISTEN/NOTIFY on PostgreSQL, in-process on PGlite),
// and every write that announces itself also clears response caches.
import type { Change, ChangeFeed } from "../db/changes.ts";
import type { HealthEvent, HealthEventSink, ToolsChangedEvent } from "../health/events.ts";

export type LifecycleEvent = {
  type: "registered" | "updated" | "deleted";
  serverId: string;
  path: string;
};

export type ServerEvent = HealthEvent | ToolsChangedEvent | LifecycleEvent;

const TYPES: ReadonlySet<string> = new Set<ServerEvent["type"]>(["health", "tools", "registered", "updated", "deleted"]);

/** The server event a change carries, if any: the feed's payload narrowed to this capability's kinds. */
export function serverEventOf(change: Change): ServerEvent | undefined {
  const event = change.event;
  if (event === undefined || !TYPES.has(event.type) || typeof event.path !== "string") return undefined;
  // Only ServerEvents.publish writes these kinds, on this replica or another running this code.
  return event as unknown as ServerEvent;
}

export class ServerEvents implements HealthEventSink {
  constructor(private readonly changes: ChangeFeed) {}

  publish(event: ServerEvent): void {
    this.changes.publish({ entity: event.type === "tools" ? "tool" : event.type === "health" ? "health" : "server", path: event.path, event });
  }

  /** Calls `listener` for every event on any replica; returns the unsubscribe function. */
  subscribe(listener: (event: ServerEvent) => void): () => void {
    return this.changes.subscribe((change) => {
      const event = serverEventOf(change);
      if (event) listener(event);
    });
  }
}
