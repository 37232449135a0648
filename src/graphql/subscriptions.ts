// GraphQL subscriptions over WebSocket (the graphql-transport-ws protocol) on the
// HTTP server's /graphql path. Operations run through yoga's envelop, as yoga's
// graphql-ws recipe does, so the plugins that guard HTTP requests (generic-auth,
// token and depth limits, error masking) guard these too.
import http from "node:http";
import type { Duplex } from "node:stream";
import { getOperationAST, GraphQLError, type ExecutionArgs } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import type { AuthService } from "../auth/service.ts";
import { credentialOf, identify, pathnameOf, type Credential } from "../auth/upgrade.ts";
import { viewerOf } from "../auth/viewer.ts";
import type { GraphQL, ServerContext } from "./yoga.ts";

export type SubscriptionOptions = {
  server: http.Server;
  graphql: GraphQL;
  auth: AuthService;
  log: Logger;
  /** Default /graphql. */
  path?: string;
  /** Open sockets beyond this are refused with 503. Default 1,000. */
  maxConnections?: number;
  /** Largest message a client may send. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Where browsers load the UI from; besides the request's own host, the one origin a session cookie is accepted from. */
  publicUrl?: string;
};

/** What authenticated the socket; checked again for every operation, so logout and revocation end new ones. */
type Connection = { credential: Credential; log: Logger };
type Envelope = ReturnType<GraphQL["yoga"]["getEnveloped"]>;

const DEFAULT_MAX_CONNECTIONS = 1_000;
const DEFAULT_MAX_PAYLOAD_BYTES = 1_048_576;
/** How long clients get to answer our close frame before their sockets are cut. */
const CLOSE_GRACE_MS = 1_000;

export function attachSubscriptions(opts: SubscriptionOptions): { close(): Promise<void> } {
  const { server, graphql, auth, log } = opts;
  const path = opts.path ?? "/graphql";
  const maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const publicOrigin = opts.publicUrl ? new URL(opts.publicUrl).origin : undefined;
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES });
  // execute/subscribe receive the args onSubscribe built; this finds the envelope they came from.
  const envelopes = new WeakMap<object, Envelope>();

  const disposable = useServer<Record<string, unknown> | undefined, Connection>(
    {
      // In production graphql-ws hides internal error messages in close reasons; always do.
      isProd: true,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams;
        // X-Authorization too, as the original product's clients name it (src/auth/viewer.ts).
        const authorization = params?.authorization ?? params?.Authorization ?? params?.["X-Authorization"] ?? params?.["x-authorization"];
        const credential = credentialOf(authorization, ctx.extra.request, auth, publicOrigin);
        const identity = credential && (await identify(credential, auth));
        if (!credential || !identity) return false; // 4403 Forbidden
        ctx.extra.credential = credential;
        ctx.extra.log = log.child({ subscriber: identity.username, via: credential.kind });
        ctx.extra.log.debug({ connections: wss.clients.size }, "subscriber connected");
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        const { credential, log: connectionLog = log } = ctx.extra;
        const identity = credential && (await identify(credential, auth));
        if (!identity) {
          ctx.extra.socket.close(4403, "Forbidden");
          return [new GraphQLError("Sign in again", { extensions: { code: "UNAUTHENTICATED" } })];
        }
        // Grants are computed per operation, so each one sees the policy current when it starts.
        const initial: ServerContext & { req: http.IncomingMessage } = {
          log: connectionLog,
          viewer: viewerOf(identity, auth),
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
        const contextValue = (await envelope.contextFactory()) as object;
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
      onClose: (ctx, code) => {
        ctx.extra.log?.debug({ code }, "subscriber disconnected");
      },
    },
    wss,
  );

  let closing = false;
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathnameOf(req.url) !== path) {
      // Other paths belong to other upgrade listeners. Node leaves an upgrade socket
      // alone once anyone listens, so when nobody else does, refuse it here.
      if (server.listenerCount("upgrade") === 1) refuse(socket, 404, "Not Found");
      return;
    }
    if (closing) return refuse(socket, 503, "Service Unavailable");
    if (wss.clients.size >= maxConnections) {
      log.warn({ maxConnections }, "refused a subscriber: too many open sockets");
      return refuse(socket, 503, "Service Unavailable");
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  };
  server.on("upgrade", onUpgrade);

  return {
    async close() {
      if (closing) return;
      closing = true;
      server.off("upgrade", onUpgrade);
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


function refuse(socket: Duplex, status: number, message: string): void {
  socket.once("finish", () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
