// WebSocket /ws/health_status, as the API document describes it: on connect the whole
// map {"<path>": {"status", "last_checked_iso", "num_tools"}}, then a message in the
// same shape with only the paths that changed (changes within BATCH_MS travel together).
//
// It is another wire format over the GraphQL schema, as subscriptions.ts is graphql-ws
// over it, so it lives beside that file: the map is the query and the changes are the
// subscription of health-feed.graphql, both run in-process (in-process.ts) with the
// caller's viewer. Which servers a client hears about is therefore the subscription's
// own filter (list_service on the path) and its backlog bound; nothing here decides
// visibility. Handshakes reach it through the upgrade router (src/http/upgrade.ts),
// which owns the refusals and caps.
//
// Who reads:
// - Public (HEALTH_FEED_REQUIRE_AUTH=false, the default, as documented): publicReader()
//   (src/auth/public-reader.ts), which may list every server and do nothing else. All
//   public sockets share one subscription. Credentials sent by the client only earn a
//   signed-in slot (the router's reserve); what the client sees is the same.
// - HEALTH_FEED_REQUIRE_AUTH=true: `Authorization: Bearer <token>` on the upgrade request,
//   or the session cookie from the registry's own origin (auth/upgrade.ts's rule);
//   anything else gets HTTP 401. The map is read with the caller's own viewer; sockets
//   whose grants are equal share one subscription run with those grants (equal keys see
//   the same servers, the rule the response cache relies on too), so the cost of a change
//   grows with the number of distinct grants, not of sockets. When the policy changes, a
//   socket whose grants changed moves to the subscription for its new grants and gets a
//   fresh whole map (within POLICY_CHECK_MS). A logout or revocation on any
//   replica closes the sockets holding that credential with 1008 at once (the change feed
//   carries it); the credential is also checked again at every ping, which catches expiry.
//
// Liveness: a ping every PING_INTERVAL_MS, and a socket that has not answered the previous
// one is terminated. Slow clients: a socket with more than MAX_BUFFERED_BYTES unsent is
// skipped and marked stale; nothing is queued for it. Once its buffer drains it gets a
// fresh whole map instead of the changes it missed, so memory per client stays bounded by
// one map.
import type http from "node:http";
import type { Duplex } from "node:stream";
import type { ExecutionResult } from "graphql";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import type { Identity } from "../auth/identity.ts";
import { publicReader } from "../auth/public-reader.ts";
import type { AuthService } from "../auth/service.ts";
import { authorizationHeaderOf, credentialOf, identify, mayEnd, type Credential, type HeldCredential } from "../auth/upgrade.ts";
import { viewerForIdentity, type Viewer } from "../auth/viewer.ts";
import type { ChangeFeed } from "../db/changes.ts";
import { HealthFeedEventsDocument, HealthFeedServersDocument, type HealthFeedEventsSubscription } from "../generated/gql/graphql.ts";
import type { Admission, UpgradeRouter } from "../http/upgrade.ts";
import { queryInProcess, subscribeInProcess } from "./in-process.ts";
import type { GraphQL } from "./yoga.ts";

export type HealthEntry = { status: string; last_checked_iso: string | null; num_tools: number };
export type HealthMap = Record<string, HealthEntry>;

export type HealthFeedSettings = {
  /** Require a bearer token or session cookie, and show only the servers the caller may list. */
  requireAuth: boolean;
  /** Open sockets (and handshakes being authenticated) beyond this are refused with 503. */
  maxConnections: number;
  /** Default /ws/health_status, also served at /api/health/ws/health_status (the original product's clients' path). */
  path?: string;
  /** Changes arriving within this window go out as one message. Default 100 ms. */
  batchMs?: number;
  /** Default 30 s. */
  pingIntervalMs?: number;
  /** A socket with more unsent bytes than this is skipped until it drains. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Besides the request's own host, the one origin a session cookie is accepted from. */
  publicUrl?: string;
  /** Share of maxConnections (whole percent) that anonymous sockets may not take. Default 10. */
  signedInReservePercent?: number;
  /** Anonymous sockets from one client address. Default 10. */
  maxAnonymousPerIp?: number;
  /** Count addresses by X-Forwarded-For (behind a trusted proxy). */
  trustProxy?: boolean;
};

export type HealthFeedOptions = {
  upgrades: UpgradeRouter;
  graphql: GraphQL;
  auth: AuthService;
  /** Logouts and revocations, from every replica. */
  changes: ChangeFeed;
  log: Logger;
  settings: HealthFeedSettings;
};

/**
 * One running subscription and the sockets it feeds: every public socket, or the signed-in
 * sockets whose grants are equal (the same key: they may see exactly the same servers).
 */
type Source = {
  /** The grants' key, or PUBLIC for the public reader. */
  key: string;
  clients: Set<Client>;
  /** Changes since the last message, one entry per path. */
  batch: Map<string, HealthEntry>;
  timer: NodeJS.Timeout | undefined;
  stream: AsyncGenerator<ExecutionResult<HealthFeedEventsSubscription>, void, void>;
  stopped: boolean;
};

type Client = {
  ws: WebSocket;
  /** Who the socket belongs to; undefined on the public feed (publicReader reads for it). */
  identity: Identity | undefined;
  /** With HEALTH_FEED_REQUIRE_AUTH: the credential it connected with, checked again on logout, revocation and ping. */
  held: HeldCredential | undefined;
  source: Source | undefined;
  alive: boolean;
  /** Its whole map is being read; changes meanwhile wait in `missed` (one entry per path). */
  syncing: boolean;
  missed: Map<string, HealthEntry>;
  /** Skipped because its buffer was full; gets a whole map when it drains. */
  stale: boolean;
};

type Caller = { identity: Identity | undefined; credential: Credential | undefined };

const DEFAULT_PATH = "/ws/health_status";
const API_PATH = "/api/health/ws/health_status";
const BATCH_MS = 100;
const PING_INTERVAL_MS = 30_000;
const MAX_BUFFERED_BYTES = 1_048_576;
/** Clients send nothing; anything larger than this closes the socket. */
const MAX_PAYLOAD_BYTES = 4_096;
const CLOSE_GRACE_MS = 1_000;
const SIGNED_IN_RESERVE_PERCENT = 10;
const MAX_ANONYMOUS_PER_IP = 10;
/** Signed-in sockets follow a policy change within this long (other replicas reload it a moment after the change). */
const POLICY_CHECK_MS = 250;
const PUBLIC = "\u0000public";
const DELETED: HealthEntry = { status: "deleted", last_checked_iso: null, num_tools: 0 };

/** A subscription result as a feed entry; undefined for events the feed does not carry. */
function entryOf(result: ExecutionResult<HealthFeedEventsSubscription>): [string, HealthEntry] | undefined {
  const event = result.data?.serverEvents;
  if (!event) return undefined;
  if (event.__typename === "HealthUpdate") {
    return [event.path, { status: event.healthStatus, last_checked_iso: event.lastCheckedAt, num_tools: event.numTools }];
  }
  // Without this a client would keep showing a server that no longer exists. Tool lists
  // change numTools through a health event; a new server shows up when it is enabled.
  if (event.__typename === "LifecycleUpdate" && event.change === "DELETED") return [event.path, DELETED];
  return undefined;
}

export function attachHealthFeed(opts: HealthFeedOptions): { close(): Promise<void> } {
  const { graphql, auth, settings } = opts;
  const log = opts.log.child({ component: "health-feed" });
  const batchMs = settings.batchMs ?? BATCH_MS;
  const maxBuffered = settings.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const publicOrigin = settings.publicUrl ? new URL(settings.publicUrl).origin : undefined;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  const clients = new Set<Client>();
  const reserve = Math.floor((settings.maxConnections * (settings.signedInReservePercent ?? SIGNED_IN_RESERVE_PERCENT)) / 100);
  /** Running subscriptions by grants key. */
  const sources = new Map<string, Promise<Source>>();
  let closing = false;

  /** Who reads for a socket, and the subscription it belongs in, as the policy stands now. */
  const placeOf = (client: Client): { key: string; viewer: Viewer } => {
    if (!client.identity) return { key: PUBLIC, viewer: publicReader() };
    const viewer = viewerForIdentity(client.identity, auth);
    return { key: viewer.grants.key, viewer };
  };

  async function readMap(viewer: Viewer): Promise<HealthMap> {
    const map: HealthMap = {};
    let after: string | null | undefined;
    do {
      const result = await queryInProcess(graphql, HealthFeedServersDocument, { after }, { viewer, log });
      if (result.errors?.length || !result.data) {
        const code = result.errors?.[0]?.extensions?.code;
        throw Object.assign(new Error(result.errors?.[0]?.message ?? "no data"), { code });
      }
      const { servers } = result.data;
      for (const { node } of servers.edges) {
        map[node.path] = { status: node.healthStatus, last_checked_iso: node.lastCheckedAt ?? null, num_tools: node.numTools };
      }
      after = servers.pageInfo.hasNextPage ? servers.pageInfo.endCursor : undefined;
    } while (after);
    return map;
  }

  /** Sends unless the socket is backed up; a backed-up socket becomes stale instead. */
  function send(client: Client, message: string): void {
    const { ws } = client;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > maxBuffered) {
      if (!client.stale) log.warn({ bufferedBytes: ws.bufferedAmount }, "health feed client is too slow; skipping it until it drains");
      client.stale = true;
      return;
    }
    ws.send(message, (err) => {
      // Runs once this message has left the process: the buffer has drained at least this far.
      if (!err && client.stale && !client.syncing && ws.bufferedAmount <= maxBuffered) void sync(client);
    });
  }

  /** Sends the whole map (on connect, and to a stale client that has drained). */
  async function sync(client: Client): Promise<void> {
    if (client.syncing) return;
    client.syncing = true;
    client.stale = false;
    client.missed.clear();
    try {
      const map = await readMap(placeOf(client).viewer);
      // Changes that arrived while reading are at least as new as what was read.
      for (const [p, entry] of client.missed) map[p] = entry;
      client.missed.clear();
      client.syncing = false;
      send(client, JSON.stringify(map));
    } catch (err) {
      client.syncing = false;
      const signedOut = (err as { code?: unknown }).code === "UNAUTHENTICATED";
      if (!signedOut) log.error({ err: (err as Error).message }, "could not read the health map");
      client.ws.close(signedOut ? 1008 : 1011, signedOut ? "Sign in again" : "Internal error");
    }
  }

  // ---- changes: one subscription per source, batched ----
  function flush(source: Source): void {
    source.timer = undefined;
    if (source.batch.size === 0) return;
    const changes = source.batch;
    source.batch = new Map();
    // One serialisation for every socket the source feeds (on the public feed: everyone).
    let message: string | undefined;
    for (const client of source.clients) {
      // One client's failure must not stop the others, nor escape this timer and end the process.
      try {
        if (client.syncing) {
          for (const [p, entry] of changes) client.missed.set(p, entry);
          continue;
        }
        if (client.stale) continue;
        message ??= JSON.stringify(Object.fromEntries(changes));
        send(client, message);
      } catch (err) {
        log.error({ err: (err as Error).message, user: client.identity?.username }, "could not send a health change to a client; closing it");
        client.ws.close(1011, "Internal error");
      }
    }
  }

  async function startSource(key: string, viewer: Viewer): Promise<Source> {
    // The event filter reads only the viewer's grants, which every member of the source shares.
    const stream = await subscribeInProcess(graphql, HealthFeedEventsDocument, {}, { viewer, log });
    const source: Source = { key, clients: new Set(), batch: new Map(), timer: undefined, stream, stopped: false };
    void pump(source);
    return source;
  }

  async function pump(source: Source): Promise<void> {
    try {
      for await (const result of source.stream) {
        const change = entryOf(result);
        if (!change) {
          if (result.errors?.length) log.error({ errors: result.errors.map((e) => e.message) }, "health feed subscription result failed");
          continue;
        }
        source.batch.set(change[0], change[1]);
        source.timer ??= setTimeout(() => flush(source), batchMs);
      }
    } catch (err) {
      log.error({ err: (err as Error).message }, "health feed subscription failed");
    }
    if (source.stopped) return;
    // Ended without being asked to: its sockets would hear nothing more, so let them reconnect.
    log.error("health feed subscription ended unexpectedly; closing its sockets");
    stopSource(source);
    for (const client of source.clients) client.ws.close(1011, "Internal error");
  }

  function stopSource(source: Source): void {
    if (source.stopped) return;
    source.stopped = true;
    void sources.get(source.key)?.then((s) => {
      if (s === source) sources.delete(source.key);
    }, () => {});
    if (source.timer) clearTimeout(source.timer);
    source.batch.clear();
    void source.stream.return().catch((err: Error) => log.warn({ err: err.message }, "could not end a health feed subscription"));
  }

  function sourceFor(key: string, viewer: Viewer): Promise<Source> {
    let source = sources.get(key);
    if (!source) {
      const started = startSource(key, viewer).catch((err: unknown) => {
        if (sources.get(key) === started) sources.delete(key);
        throw err;
      });
      sources.set(key, started);
      source = started;
    }
    return source;
  }

  /** A signed-in source ends with its last socket; the public one stays for the next. */
  function release(source: Source): void {
    if (source.clients.size === 0 && source.key !== PUBLIC) stopSource(source);
  }

  /** Subscribes first, then reads the map, so that no change falls between the two. */
  async function join(client: Client): Promise<void> {
    try {
      // A source may end between being found and being joined (its last socket left): find another.
      for (let attempt = 0; attempt < 3; attempt++) {
        const { key, viewer } = placeOf(client);
        const source = await sourceFor(key, viewer);
        if (closing || client.ws.readyState !== client.ws.OPEN) return release(source);
        if (source.stopped) continue;
        client.source = source;
        source.clients.add(client);
        await sync(client);
        return;
      }
      throw new Error("no subscription to join");
    } catch (err) {
      log.error({ err: (err as Error).message }, "could not subscribe a health feed client");
      client.ws.close(1011, "Internal error");
    }
  }

  function leave(client: Client): void {
    const { source } = client;
    client.source = undefined;
    client.missed.clear();
    if (!source) return;
    source.clients.delete(client);
    release(source);
  }

  /** Moves signed-in sockets whose grants changed (policy or identity) to the subscription for their new grants. */
  function regroup(client: Client): void {
    if (!client.identity || !client.source || client.ws.readyState !== client.ws.OPEN) return;
    if (placeOf(client).key === client.source.key) return;
    leave(client);
    void join(client);
  }
  let policySeen = auth.policy.current;
  const policyWatch = setInterval(() => {
    if (auth.policy.current === policySeen) return;
    policySeen = auth.policy.current;
    for (const client of clients) {
      try {
        regroup(client);
      } catch (err) {
        log.error({ err: (err as Error).message, user: client.identity?.username }, "could not apply a policy change to a health feed client; closing it");
        client.ws.close(1011, "Internal error");
      }
    }
  }, POLICY_CHECK_MS);
  policyWatch.unref();

  /** Checks a client's credential again; closes the socket once it no longer works. */
  function recheck(client: Client, held: HeldCredential): void {
    identify(held.credential, auth)
      .then((identity) => {
        if (!identity) return client.ws.close(1008, "Sign in again");
        client.identity = identity;
        regroup(client);
      })
      .catch((err: Error) => log.warn({ err: err.message }, "could not check a health feed client's credential"));
  }

  // A logout or revocation on any replica.
  const stopWatching = opts.changes.subscribe((change) => {
    if (change.entity !== "session" && change.entity !== "token") return;
    for (const client of clients) {
      try {
        if (client.held && mayEnd(change, client.held)) recheck(client, client.held);
      } catch (err) {
        log.error({ err: (err as Error).message }, "could not re-check a health feed client's credential");
      }
    }
  });

  // ---- liveness, and (with authentication) credentials that stopped working ----
  const pinger = setInterval(() => {
    for (const client of clients) {
      try {
        if (!client.alive) {
          log.debug("health feed client did not answer a ping; terminating it");
          client.ws.terminate();
          continue;
        }
        client.alive = false;
        client.ws.ping();
        if (client.stale && !client.syncing && client.ws.bufferedAmount <= maxBuffered) void sync(client);
        if (client.held) recheck(client, client.held);
      } catch (err) {
        log.error({ err: (err as Error).message }, "could not ping a health feed client");
      }
    }
  }, settings.pingIntervalMs ?? PING_INTERVAL_MS);
  pinger.unref();

  function accept(ws: WebSocket, caller: Caller | undefined): void {
    const identity = settings.requireAuth ? caller?.identity : undefined;
    const held = settings.requireAuth && caller?.credential ? { credential: caller.credential, jti: identity?.jti } : undefined;
    const client: Client = { ws, identity, held, source: undefined, alive: true, syncing: false, missed: new Map(), stale: false };
    clients.add(client);
    ws.on("pong", () => {
      client.alive = true;
    });
    ws.on("error", (err) => log.debug({ err: err.message }, "health feed socket error"));
    ws.on("close", () => {
      clients.delete(client);
      leave(client);
    });
    log.debug({ connections: clients.size, user: identity?.username }, "health feed client connected");
    void join(client);
  }

  async function admit(req: http.IncomingMessage): Promise<Admission<Caller>> {
    // On the public feed a credential only earns a reserved slot; what the client sees is the same.
    const authorization = authorizationHeaderOf(req);
    const credential =
      settings.requireAuth || authorization !== undefined || req.headers.cookie !== undefined
        ? credentialOf(authorization, req, auth, publicOrigin)
        : undefined;
    const identity = credential && (await identify(credential, auth));
    if (settings.requireAuth && !identity) {
      return { accept: false, status: 401, message: "Unauthorized", headers: { "WWW-Authenticate": "Bearer" } };
    }
    return { accept: true, signedIn: identity !== undefined, value: { identity, credential } };
  }

  const route = opts.upgrades.add<Caller>({
    name: "health feed",
    paths: settings.path ? [settings.path] : [DEFAULT_PATH, API_PATH],
    maxConnections: settings.maxConnections,
    maxAnonymousPerIp: settings.maxAnonymousPerIp ?? MAX_ANONYMOUS_PER_IP,
    maxAnonymous: settings.maxConnections - reserve,
    trustProxy: settings.trustProxy ?? false,
    admit,
    upgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer, caller: Caller | undefined) =>
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, caller)),
  });

  return {
    async close() {
      if (closing) return;
      closing = true;
      route.remove();
      stopWatching();
      clearInterval(pinger);
      clearInterval(policyWatch);
      const open = [...clients].map((c) => new Promise<void>((resolve) => {
        if (c.ws.readyState === c.ws.CLOSED) return resolve();
        c.ws.once("close", () => resolve());
        c.ws.close(1001, "Server shutting down");
      }));
      const timer = setTimeout(() => {
        for (const c of clients) c.ws.terminate();
      }, CLOSE_GRACE_MS);
      try {
        await Promise.all(open);
      } finally {
        clearTimeout(timer);
      }
      await Promise.all([...sources.values()].map((source) => source.then(stopSource, () => {})));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
