// GraphQL subscriptions over WebSocket (the graphql-transport-ws protocol) on the
// HTTP server's /graphql path. Operations run through yoga's envelop, as yoga's
// graphql-ws recipe does, so the plugins that guard HTTP requests (generic-auth,
// token and depth limits, error masking) guard these too. Handshakes come through the
// upgrade router (src/http/upgrade.ts), which owns the socket caps: every socket counts
// as anonymous there until its connection_init is accepted.
import type http from "node:http";
import type { Duplex } from "node:stream";
import { getOperationAST, GraphQLError, type ExecutionArgs } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import type { AuthService } from "../auth/service.ts";
import { credentialOf, identify, mayEnd, type HeldCredential } from "../auth/upgrade.ts";
import type { ChangeFeed } from "../db/changes.ts";
import { viewerForIdentity } from "../auth/viewer.ts";
import type { UpgradeRouter } from "../http/upgrade.ts";
import type { GraphQL, ServerContext } from "./yoga.ts";

export type SubscriptionOptions = {
  upgrades: UpgradeRouter;
  graphql: GraphQL;
  auth: AuthService;
  /** Logouts and revocations arrive here (from every replica); sockets holding those credentials close with 4403. */
  changes: ChangeFeed;
  log: Logger;
  /** Default /graphql. */
  path?: string;
  /** Open sockets beyond this are refused with 503. Default 1,000. */
  maxConnections?: number;
  /** A socket that has not sent connection_init by then is closed with 4408. Default 3 s. */
  initTimeoutMs?: number;
  /** Sockets from one address that have not been accepted yet (no connection_init): more get HTTP 429. Default 10. */
  maxUninitialisedPerIp?: number;
  /** Subscriptions open at once on one socket. Default 100. */
  maxSubscriptionsPerSocket?: number;
  /** Subscriptions open at once by one identity, over all its sockets on this replica. Default 500. */
  maxSubscriptionsPerIdentity?: number;
  /** Count addresses by X-Forwarded-For (behind a trusted proxy). */
  trustProxy?: boolean;
  /** Largest message a client may send. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Where browsers load the UI from; besides the request's own host, the one origin a session cookie is accepted from. */
  publicUrl?: string;
};

/**
 * What authenticated the socket. It is checked again for every operation, and a logout or
 * revocation anywhere closes the socket (see `watching`).
 */
type Connection = {
  held: HeldCredential;
  log: Logger;
  subject: string;
  /** Ids of the subscriptions running on this socket (for the caps). */
  running: Set<string>;
};
type Envelope = ReturnType<GraphQL["yoga"]["getEnveloped"]>;
type SocketContext = { extra: { socket: WebSocket } & Partial<Connection> };

const DEFAULT_MAX_CONNECTIONS = 1_000;
const DEFAULT_INIT_TIMEOUT_MS = 3_000;
const DEFAULT_MAX_UNINITIALISED_PER_IP = 10;
const DEFAULT_MAX_SUBSCRIPTIONS_PER_SOCKET = 100;
const DEFAULT_MAX_SUBSCRIPTIONS_PER_IDENTITY = 500;
const DEFAULT_MAX_PAYLOAD_BYTES = 1_048_576;
/** How long clients get to answer our close frame before their sockets are cut. */
const CLOSE_GRACE_MS = 1_000;

export function attachSubscriptions(opts: SubscriptionOptions): { close(): Promise<void> } {
  const { graphql, auth, log } = opts;
  const path = opts.path ?? "/graphql";
  const maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const maxUninitialisedPerIp = opts.maxUninitialisedPerIp ?? DEFAULT_MAX_UNINITIALISED_PER_IP;
  const maxPerSocket = opts.maxSubscriptionsPerSocket ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_SOCKET;
  const maxPerIdentity = opts.maxSubscriptionsPerIdentity ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_IDENTITY;
  const publicOrigin = opts.publicUrl ? new URL(opts.publicUrl).origin : undefined;
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES });
  // execute/subscribe receive the args onSubscribe built; this finds the envelope they came from.
  const envelopes = new WeakMap<object, Envelope>();
  /** Accepted sockets, by the subject they belong to (for the per-identity cap). */
  const bySubject = new Map<string, Set<SocketContext>>();
  /** Takes an accepted socket out of the router's anonymous count. */
  const signedIn = new WeakMap<WebSocket, () => void>();

  const subscriptionsOf = (subject: string): number => {
    let n = 0;
    for (const c of bySubject.get(subject) ?? []) n += c.extra.running?.size ?? 0;
    return n;
  };
  const forget = (ctx: SocketContext): void => {
    const subject = ctx.extra.subject;
    const set = subject === undefined ? undefined : bySubject.get(subject);
    set?.delete(ctx);
    if (set?.size === 0 && subject !== undefined) bySubject.delete(subject);
  };

  // A logout or revocation on any replica: sockets whose credential it may concern check it
  // again, and close when it no longer works. The change feed carries these within milliseconds.
  const stopWatching = opts.changes.subscribe((change) => {
    if (change.entity !== "session" && change.entity !== "token") return;
    for (const set of bySubject.values()) {
      for (const ctx of set) {
        // Runs inside the change feed's publish: nothing may escape to the publisher.
        try {
          const { held } = ctx.extra;
          if (!held || !mayEnd(change, held)) continue;
          identify(held.credential, auth)
            .then((identity) => {
              if (identity) return;
              ctx.extra.log?.info("subscriber's credential ended (logout or revocation); closing its socket");
              ctx.extra.socket.close(4403, "Forbidden");
            })
            .catch((err: Error) => log.warn({ err: err.message }, "could not re-check a subscriber's credential"));
        } catch (err) {
          log.error({ err: (err as Error).message }, "could not re-check a subscriber's credential");
        }
      }
    }
  });

  const disposable = useServer<Record<string, unknown> | undefined, Connection>(
    {
      // In production graphql-ws hides internal error messages in close reasons; always do.
      isProd: true,
      // Until a socket is acknowledged it counts against the caps but shows no credential.
      connectionInitWaitTimeout: opts.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams;
        // X-Authorization too, as the original product's clients name it (src/auth/viewer.ts).
        const authorization = params?.authorization ?? params?.Authorization ?? params?.["X-Authorization"] ?? params?.["x-authorization"];
        const credential = credentialOf(authorization, ctx.extra.request, auth, publicOrigin);
        const identity = credential && (await identify(credential, auth));
        if (!credential || !identity) return false; // 4403 Forbidden
        // Closed while its credential was being checked: never accept it (nothing would forget it).
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
        ctx.extra.held = { credential, jti: identity.jti };
        ctx.extra.subject = identity.subject;
        ctx.extra.running = new Set();
        ctx.extra.log = log.child({ subscriber: identity.username, via: credential.kind });
        let set = bySubject.get(identity.subject);
        if (!set) bySubject.set(identity.subject, (set = new Set()));
        set.add(ctx);
        signedIn.get(ctx.extra.socket)?.();
        ctx.extra.log.debug({ connections: wss.clients.size }, "subscriber connected");
        return true;
      },
      onSubscribe: async (ctx, id, params) => {
        const { held, log: connectionLog = log, running = new Set<string>() } = ctx.extra;
        const identity = held && (await identify(held.credential, auth));
        if (!identity) {
          ctx.extra.socket.close(4403, "Forbidden");
          return [new GraphQLError("Sign in again", { extensions: { code: "UNAUTHENTICATED" } })];
        }
        // Grants are computed per operation, so each one sees the policy current when it starts.
        const initial: ServerContext & { req: http.IncomingMessage } = {
          log: connectionLog,
          viewer: viewerForIdentity(identity, auth),
          req: ctx.extra.request,
        };
        const envelope = graphql.yoga.getEnveloped({ ...initial, params });
        let document;
        try {
          document = envelope.parse(params.query);
        } catch (err) {
          if (err instanceof GraphQLError) return [err];
          throw err;
        }
        const errors = envelope.validate(envelope.schema, document);
        if (errors.length > 0) return errors;
        // Queries and mutations need yoga's whole request pipeline (the response cache
        // keys results by the HTTP request), which a socket does not go through.
        if (getOperationAST(document, params.operationName)?.operation !== "subscription") {
          return [
            new GraphQLError("This socket carries subscriptions; send queries and mutations to /graphql over HTTP", {
              extensions: { code: "SUBSCRIPTIONS_ONLY" },
            }),
          ];
        }
        // Every subscription holds a listener on the event feed, and every event runs through
        // all of them: the caps keep one user from slowing the process for everyone.
        // Checked and counted with no await in between, so a burst cannot slip past.
        if (running.size >= maxPerSocket) {
          return [tooMany(`At most ${maxPerSocket} subscriptions may be open on one socket; complete one first`, maxPerSocket)];
        }
        if (subscriptionsOf(identity.subject) >= maxPerIdentity) {
          return [tooMany(`At most ${maxPerIdentity} subscriptions may be open at once for one user; complete one first`, maxPerIdentity)];
        }
        running.add(id);
        let contextValue: object;
        try {
          contextValue = (await envelope.contextFactory()) as object;
        } catch (err) {
          running.delete(id);
          throw err;
        }
        envelopes.set(contextValue, envelope);
        return {
          schema: envelope.schema,
          document,
          contextValue,
          variableValues: params.variables,
          operationName: params.operationName,
        } satisfies ExecutionArgs;
      },
      // Unused while only subscriptions are accepted; here so that nothing could run outside envelop.
      execute: (args) => envelopeOf(envelopes, args).execute(args),
      subscribe: (args) => envelopeOf(envelopes, args).subscribe(args),
      onComplete: (ctx, id) => {
        ctx.extra.running?.delete(id);
      },
      onClose: (ctx, code) => {
        forget(ctx);
        ctx.extra.log?.debug({ code }, "subscriber disconnected");
      },
    },
    wss,
  );

  const route = opts.upgrades.add({
    name: "graphql subscriptions",
    paths: [path],
    maxConnections,
    // Sockets that have not signed in yet cost the same as others: one address may hold only a few.
    maxAnonymousPerIp: maxUninitialisedPerIp,
    trustProxy: opts.trustProxy ?? false,
    upgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer, _value, slot) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        signedIn.set(ws, slot.signedIn);
        wss.emit("connection", ws, req);
      }),
  });

  let closing = false;
  return {
    async close() {
      if (closing) return;
      closing = true;
      route.remove();
      stopWatching();
      // dispose() sends every client 1001 and waits for their sockets to close; cut the slow ones.
      const timer = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, CLOSE_GRACE_MS);
      try {
        await disposable.dispose();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function envelopeOf(envelopes: WeakMap<object, Envelope>, args: ExecutionArgs): Envelope {
  const envelope = envelopes.get(args.contextValue as object);
  if (!envelope) throw new Error("operation did not come through onSubscribe");
  return envelope;
}


function tooMany(message: string, limit: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "TOO_MANY_SUBSCRIPTIONS", limit } });
}
