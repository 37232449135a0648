// WebSocket /ws/health_status, as the API document describes it: on connect the whole
// map {"<path>": {"status", "last_checked_iso", "num_tools"}}, then a message in the
// same shape with only the paths that changed (changes within BATCH_MS travel together).
//
// What it shows: path and health, never URLs or credentials. The map comes from a
// GraphQL operation (operations/health-feed.graphql) selecting only those fields; the
// changes come from ServerEvents.
//
// Who may connect:
// - Public (HEALTH_FEED_REQUIRE_AUTH=false, the default, as documented): everyone sees
//   every server's path and health. The map is read with an internal viewer whose grants
//   come from grantsFor() for an admin-group identity cut to the `list_service` scope: it
//   may list every server and do nothing else (no admin, no writes), and only the fields
//   of that one document are ever read with it. Credentials sent by the client are ignored.
// - HEALTH_FEED_REQUIRE_AUTH=true: `Authorization: Bearer <token>` on the upgrade request,
//   or the session cookie from the registry's own origin (subscriptions.ts's rule);
//   anything else gets HTTP 401. The map is read with the caller's own viewer, and changes
//   are filtered by can(grants, "list_service", path) with the policy current at sending
//   time. A logout or revocation on any replica closes the sockets holding that credential
//   with 1008 at once (the change feed carries it); the credential is also checked again
//   at every ping, which catches expiry.
//
// Resources: at most `maxConnections` sockets (then HTTP 503 on upgrade). Anonymous
// sockets (the public feed, without a working credential on the upgrade request) may
// take at most `maxAnonymousPerIp` from one address (then 429), and never the last
// `signedInReservePercent` of the slots, so that signed-in clients still get in. A ping every
// PING_INTERVAL_MS, and a socket that has not answered the previous one is terminated.
// Slow clients: a socket with more than MAX_BUFFERED_BYTES unsent is skipped and marked
// stale; nothing is queued for it. Once its buffer drains it gets a fresh whole map
// instead of the changes it missed, so memory per client stays bounded by one map.
import http from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import type { Identity } from "../auth/identity.ts";
import { can, grantsFor } from "../auth/policy.ts";
import type { AuthService } from "../auth/service.ts";
import { authorizationHeaderOf, clientIpOf, credentialOf, identify, mayEnd, pathnameOf, type HeldCredential } from "../auth/upgrade.ts";
import { viewerForIdentity, type Viewer } from "../auth/viewer.ts";
import type { ChangeFeed } from "../db/changes.ts";
import { HealthFeedServersDocument } from "../generated/gql/graphql.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import type { ServerEvent, ServerEvents } from "../servers/events.ts";
import { HttpError } from "../http/errors.ts";
import { runOperation } from "./execute.ts";

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
  server: http.Server;
  graphql: GraphQL;
  auth: AuthService;
  events: ServerEvents;
  /** Logouts and revocations, from every replica. */
  changes: ChangeFeed;
  log: Logger;
  settings: HealthFeedSettings;
};


type Client = {
  ws: WebSocket;
  /** Who the socket belongs to; undefined on the public feed (the service viewer reads for it). */
  identity: Identity | undefined;
  /** With HEALTH_FEED_REQUIRE_AUTH: the credential it connected with, checked again on logout, revocation and ping. */
  held: HeldCredential | undefined;
  alive: boolean;
  /** Its whole map is being read; changes meanwhile wait in `missed` (one entry per path). */
  syncing: boolean;
  missed: Map<string, HealthEntry>;
  /** Skipped because its buffer was full; gets a whole map when it drains. */
  stale: boolean;
};

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

export function attachHealthFeed(opts: HealthFeedOptions): { close(): Promise<void> } {
  const { server, graphql, auth, events, settings } = opts;
  const log = opts.log.child({ component: "health-feed" });
  const paths = new Set(settings.path ? [settings.path] : [DEFAULT_PATH, API_PATH]);
  const batchMs = settings.batchMs ?? BATCH_MS;
  const maxBuffered = settings.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const publicOrigin = settings.publicUrl ? new URL(settings.publicUrl).origin : undefined;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  const clients = new Set<Client>();
  const reserve = Math.floor((settings.maxConnections * (settings.signedInReservePercent ?? SIGNED_IN_RESERVE_PERCENT)) / 100);
  const maxAnonymous = settings.maxConnections - reserve;
  const maxAnonymousPerIp = settings.maxAnonymousPerIp ?? MAX_ANONYMOUS_PER_IP;
  /** Anonymous sockets open or being upgraded, in all and by client address. */
  let anonymous = 0;
  const anonymousByIp = new Map<string, number>();
  /** Handshakes admitted but not yet upgraded (authenticating): they count against the cap. */
  let admitting = 0;
  let closing = false;

  /** Lists every server and nothing more: see the header. Grants follow the policy current when it reads. */
  const serviceIdentity: Identity = {
    subject: "system:health-feed",
    username: "health-feed",
    groups: [auth.adminGroup],
    scopes: ["list_service"],
    authMethod: "session-local",
  };
  const viewerFor = (client: Client): Viewer =>
    client.identity
      ? viewerForIdentity(client.identity, auth)
      : { identity: serviceIdentity, grants: grantsFor(serviceIdentity, auth.policy.current, auth.adminGroup) };

  async function readMap(viewer: Viewer): Promise<HealthMap> {
    const map: HealthMap = {};
    let after: string | null | undefined;
    do {
      const { servers } = await runOperation(graphql, HealthFeedServersDocument, { after }, { viewer, log });
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
      const map = await readMap(viewerFor(client));
      // Changes that arrived while reading are at least as new as what was read.
      for (const [p, entry] of client.missed) map[p] = entry;
      client.missed.clear();
      client.syncing = false;
      send(client, JSON.stringify(map));
    } catch (err) {
      client.syncing = false;
      const status = err instanceof HttpError ? err.status : 500;
      if (status !== 401) log.error({ err: (err as Error).message }, "could not read the health map");
      client.ws.close(status === 401 ? 1008 : 1011, status === 401 ? "Sign in again" : "Internal error");
    }
  }

  // ---- changes, batched ----
  let batch = new Map<string, HealthEntry>();
  let flushTimer: NodeJS.Timeout | undefined;

  function flush(): void {
    flushTimer = undefined;
    const changes = batch;
    batch = new Map();
    if (changes.size === 0) return;
    // One serialisation per distinct set of grants (on the public feed: one for everyone).
    const all = [...changes];
    const messages = new Map<string, string>();
    for (const client of clients) {
      // One client's failure (a policy that cannot be evaluated for it) must not stop the
      // others, nor escape this timer and end the process.
      try {
        // Grants as the policy stands now, so a policy change applies to the next message.
        const grants = client.identity ? viewerForIdentity(client.identity, auth).grants : undefined;
        const visible = grants ? all.filter(([p]) => can(grants, "list_service", p)) : all;
        if (visible.length === 0) continue;
        if (client.syncing) {
          for (const [p, entry] of visible) client.missed.set(p, entry);
          continue;
        }
        if (client.stale) continue;
        const key = grants ? grants.key : "\u0000public";
        let message = messages.get(key);
        if (message === undefined) {
          message = JSON.stringify(Object.fromEntries(visible));
          messages.set(key, message);
        }
        send(client, message);
      } catch (err) {
        log.error({ err: (err as Error).message, user: client.identity?.username }, "could not send a health change to a client; closing it");
        client.ws.close(1011, "Internal error");
      }
    }
  }

  function onEvent(event: ServerEvent): void {
    let entry: HealthEntry;
    if (event.type === "health") {
      entry = { status: event.healthStatus, last_checked_iso: event.lastCheckedAt, num_tools: event.numTools };
    } else if (event.type === "deleted") {
      // Without this a client would keep showing a server that no longer exists.
      entry = { status: "deleted", last_checked_iso: null, num_tools: 0 };
    } else {
      // Tool lists change numTools through a health event; a new server shows up when it is enabled.
      return;
    }
    batch.set(event.path, entry);
    flushTimer ??= setTimeout(() => {
      try {
        flush();
      } catch (err) {
        log.error({ err: (err as Error).message }, "could not send health changes");
      }
    }, batchMs);
  }
  const unsubscribe = events.subscribe(onEvent);

  /** Checks a client's credential again; closes the socket once it no longer works. */
  function recheck(client: Client, held: HeldCredential): void {
    identify(held.credential, auth)
      .then((identity) => {
        if (identity) client.identity = identity;
        else client.ws.close(1008, "Sign in again");
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

  function accept(ws: WebSocket, identity: Identity | undefined, held: HeldCredential | undefined): void {
    const client: Client = { ws, identity, held, alive: true, syncing: false, missed: new Map(), stale: false };
    clients.add(client);
    ws.on("pong", () => {
      client.alive = true;
    });
    ws.on("error", (err) => log.debug({ err: err.message }, "health feed socket error"));
    ws.on("close", () => {
      clients.delete(client);
      client.missed.clear();
    });
    log.debug({ connections: clients.size, user: identity?.username }, "health feed client connected");
    void sync(client);
  }

  async function admit(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // On the public feed a credential only earns a reserved slot; what the client sees is the same.
    const authorization = authorizationHeaderOf(req);
    const credential =
      settings.requireAuth || authorization !== undefined || req.headers.cookie !== undefined
        ? credentialOf(authorization, req, auth, publicOrigin)
        : undefined;
    const identity = credential && (await identify(credential, auth));
    if (settings.requireAuth && !identity) return refuse(socket, 401, "Unauthorized", "WWW-Authenticate: Bearer\r\n");
    if (!credential) await Promise.resolve();
    // Another upgrade listener may have answered this socket meanwhile: leave it to that one.
    if (closing || socket.destroyed || socket.writableEnded) {
      if (!socket.destroyed && !socket.writableEnded) refuse(socket, 503, "Service Unavailable");
      return;
    }
    if (!identity) {
      const ip = clientIpOf(req, settings.trustProxy ?? false);
      const fromIp = anonymousByIp.get(ip) ?? 0;
      if (fromIp >= maxAnonymousPerIp) {
        log.warn({ ip, maxAnonymousPerIp }, "refused an anonymous health feed client: too many sockets from its address");
        return refuse(socket, 429, "Too Many Requests");
      }
      if (anonymous >= maxAnonymous) {
        log.warn({ maxAnonymous }, "refused an anonymous health feed client: the remaining slots are kept for signed-in clients");
        return refuse(socket, 503, "Service Unavailable");
      }
      anonymous += 1;
      anonymousByIp.set(ip, fromIp + 1);
      socket.once("close", () => {
        anonymous -= 1;
        const n = (anonymousByIp.get(ip) ?? 1) - 1;
        if (n > 0) anonymousByIp.set(ip, n);
        else anonymousByIp.delete(ip);
      });
    }
    const held = settings.requireAuth && credential ? { credential, jti: identity?.jti } : undefined;
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, settings.requireAuth ? identity : undefined, held));
  }

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      route(req, socket, head);
    } catch (err) {
      log.error({ err: (err as Error).message }, "health feed handshake failed");
      if (!socket.destroyed && !socket.writableEnded) refuse(socket, 500, "Internal Server Error");
    }
  };
  const route = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!paths.has(pathnameOf(req.url))) {
      // Node leaves an upgrade socket alone once anyone listens for upgrades, and
      // subscriptions.ts refuses unknown paths only while it listens alone. So: when
      // nobody has answered a socket by the next turn of the event loop, nobody serves
      // its path, and it gets 404 here.
      if (server.listenerCount("upgrade") === 1) return refuse(socket, 404, "Not Found");
      setImmediate(() => {
        try {
          if (!socket.destroyed && !socket.writableEnded && bytesWritten(socket) === 0) refuse(socket, 404, "Not Found");
        } catch (err) {
          log.error({ err: (err as Error).message }, "could not refuse an upgrade nobody serves");
        }
      });
      return;
    }
    if (closing) return refuse(socket, 503, "Service Unavailable");
    if (clients.size + admitting >= settings.maxConnections) {
      log.warn({ maxConnections: settings.maxConnections }, "refused a health feed client: too many open sockets");
      return refuse(socket, 503, "Service Unavailable");
    }
    admitting += 1;
    admit(req, socket, head)
      .catch((err: Error) => {
        log.error({ err: err.message }, "health feed handshake failed");
        if (!socket.destroyed && !socket.writableEnded) refuse(socket, 500, "Internal Server Error");
      })
      .finally(() => {
        admitting -= 1;
      });
  };
  server.on("upgrade", onUpgrade);

  return {
    async close() {
      if (closing) return;
      closing = true;
      server.off("upgrade", onUpgrade);
      unsubscribe();
      stopWatching();
      clearInterval(pinger);
      if (flushTimer) clearTimeout(flushTimer);
      batch.clear();
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
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Bytes written to the socket so far, queued ones included: more than 0 once anyone has answered it. */
function bytesWritten(socket: Duplex): number {
  return (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? socket.writableLength;
}

function refuse(socket: Duplex, status: number, message: string, headers = ""): void {
  socket.once("finish", () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${message}\r\n${headers}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}
