// Everything about server events: the Subscription root, the event types, and the
// per-subscriber stream that carries them from the change feed to one client.
import { GraphQLError } from "graphql";
import { can } from "../../auth/policy.ts";
import type { HealthEvent, ToolsChangedEvent } from "../../health/events.ts";
import type { LifecycleEvent, ServerEvent, ServerEvents } from "../../servers/events.ts";
import { normalizePath } from "../../servers/path.ts";
import { builder } from "../builder.ts";
import type { Context } from "../context.ts";
import { HealthStateEnum } from "./servers.ts";

// builder.ts declares the Query and Mutation roots; the Subscription root lives with
// its only fields until it has more than one domain (then it belongs in builder.ts).

/** How far a subscriber may fall behind before its oldest undelivered events are dropped. */
export const MAX_QUEUED_EVENTS = 1_000;

export type EventStreamOptions<T> = {
  /** Called for every event when it is published: the value to deliver, or undefined to skip it. */
  select: (event: ServerEvent) => T | undefined;
  maxQueued?: number;
  /** Told how many events were dropped, once the subscriber catches up (or leaves). */
  onDrop?: (dropped: number) => void;
};

/**
 * One subscriber's events as an async iterator. Events wait in a bounded queue while
 * the client reads slowly (the transport awaits each send); past the bound the oldest
 * go, so a stuck client costs bounded memory. return() and throw() unsubscribe.
 */
export function eventStream<T>(events: ServerEvents, options: EventStreamOptions<T>): AsyncIterableIterator<T> {
  const maxQueued = options.maxQueued ?? MAX_QUEUED_EVENTS;
  const queue: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let dropped = 0;
  let finished = false;

  const unsubscribe = events.subscribe((event) => {
    if (finished) return;
    const value = options.select(event);
    if (value === undefined) return;
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value, done: false });
      return;
    }
    if (queue.length >= maxQueued) {
      queue.shift();
      dropped += 1;
    }
    queue.push(value);
  });

  const reportDrops = () => {
    if (dropped > 0) options.onDrop?.(dropped);
    dropped = 0;
  };

  const finish = (): IteratorResult<T> => {
    if (!finished) {
      finished = true;
      unsubscribe();
      reportDrops();
      queue.length = 0;
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
    }
    return { value: undefined, done: true };
  };

  return {
    next() {
      if (queue.length === 0) reportDrops();
      if (queue.length > 0) return Promise.resolve({ value: queue.shift() as T, done: false });
      if (finished) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      return Promise.resolve(finish());
    },
    throw(err: unknown) {
      finish();
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * May the subscriber hear about the server at this path? Asked per event, with the
 * viewer the context holds when the event arrives. Only the path is checked, so a
 * server's deletion reaches everyone who could list it.
 */
function mayList(ctx: Context, event: ServerEvent): boolean {
  return ctx.viewer !== null && can(ctx.viewer.grants, "list_service", event.path);
}

function streamFor<T>(ctx: Context, select: (event: ServerEvent) => T | undefined): AsyncIterableIterator<T> {
  return eventStream(ctx.events, {
    select: (event) => (mayList(ctx, event) ? select(event) : undefined),
    onDrop: (dropped) => ctx.log.warn({ dropped }, "subscriber fell behind; dropped its oldest events"),
  });
}

/** The normalised set of paths, or null for "every server". Bad paths are the caller's mistake, so refuse them. */
function pathSet(paths: readonly string[] | null | undefined): Set<string> | null {
  if (!paths) return null;
  const set = new Set<string>();
  paths.forEach((raw, i) => {
    const result = normalizePath(raw);
    if (!result.ok) {
      throw new GraphQLError(`paths[${i}] ${result.message}`, {
        extensions: { code: "INVALID_PATH", field: `paths.${i}` },
      });
    }
    set.add(result.path);
  });
  return set;
}

const dateOrNull = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

const ServerEventRef = builder.interfaceRef<ServerEvent>("ServerEvent").implement({
  description: "Something that happened to a server.",
  fields: (t) => ({
    path: t.exposeString("path", { description: "The server's path when the event happened." }),
    serverId: t.globalID({
      description: "The server's node id (still reported after the server is deleted).",
      resolve: (e) => ({ type: "Server", id: e.serverId }),
    }),
  }),
  resolveType: (e) => (e.type === "health" ? "HealthUpdate" : e.type === "tools" ? "ToolsUpdate" : "LifecycleUpdate"),
});

const HealthUpdate = builder.objectRef<HealthEvent>("HealthUpdate").implement({
  description: "A server's health after a check, or after it was enabled or disabled.",
  interfaces: [ServerEventRef],
  fields: (t) => ({
    health: t.field({ type: HealthStateEnum, description: "Its health now.", resolve: (e) => e.health }),
    healthStatus: t.exposeString("healthStatus", {
      description: "The product's health words: healthy, unhealthy: <reason>, checking, disabled, unknown.",
    }),
    reason: t.exposeString("reason", { nullable: true, description: "Why the check failed; null when it did not." }),
    lastCheckedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When it was checked; null if never.",
      resolve: (e) => dateOrNull(e.lastCheckedAt),
    }),
    numTools: t.exposeInt("numTools", { description: "How many tools it has now." }),
    latencyMs: t.exposeInt("latencyMs", { nullable: true, description: "How long the check took; null when it failed." }),
  }),
});

builder.objectRef<ToolsChangedEvent>("ToolsUpdate").implement({
  description: "The server's tool list changed: tool names added, removed, or whose description or schema changed.",
  interfaces: [ServerEventRef],
  fields: (t) => ({
    added: t.exposeStringList("added", { description: "Names of tools that appeared." }),
    removed: t.exposeStringList("removed", { description: "Names of tools that disappeared." }),
    changed: t.exposeStringList("changed", { description: "Names of tools whose description or schema changed." }),
    at: t.field({ type: "DateTime", description: "When the check noticed.", resolve: (e) => new Date(e.at) }),
  }),
});

const LifecycleChange = builder.enumType("LifecycleChange", {
  description: "What happened to the server.",
  values: {
    REGISTERED: { value: "registered", description: "It was registered." },
    UPDATED: { value: "updated", description: "Its fields changed, or it was enabled or disabled." },
    DELETED: { value: "deleted", description: "It was removed." },
  } as const,
});

builder.objectRef<LifecycleEvent>("LifecycleUpdate").implement({
  description: "A server was registered, updated (including enabled or disabled) or deleted.",
  interfaces: [ServerEventRef],
  fields: (t) => ({
    change: t.field({ type: LifecycleChange, description: "What happened.", resolve: (e) => e.type }),
  }),
});

builder.subscriptionFields((t) => ({
  healthStatus: t.field({
    type: HealthUpdate,
    description:
      "Health updates of the servers the viewer may list: of these paths only when `paths` is given " +
      "(`weather` and `/weather/` name the same server).",
    args: { paths: t.arg.stringList({ required: false, description: "Only these servers' updates; all the viewer may list when left out." }) },
    subscribe: (_root, args, ctx) => {
      const only = pathSet(args.paths);
      return streamFor(ctx, (e) => (e.type === "health" && (!only || only.has(e.path)) ? e : undefined));
    },
    resolve: (event) => event,
  }),
  serverEvents: t.field({
    type: ServerEventRef,
    description: "Health, tool and lifecycle events of the servers the viewer may list.",
    subscribe: (_root, _args, ctx) => streamFor(ctx, (e) => e),
    resolve: (event) => event,
  }),
}));
