// The tests' WebSocket client. GraphQL over WebSocket: graphql-ws's own client on the
// ws package, with a bearer token (connectionParams) or a Cookie header on the
// handshake. Plain sockets (the health feed, hand-written graphql-ws frames,
// refused handshakes): socket(), openSocket(), handshake(), firstMessage().
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type FormattedExecutionResult } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export type WsClientOptions = {
  /** Sent as connectionParams.authorization = "Bearer <token>". */
  token?: string;
  /** Headers for the upgrade request (cookie, origin). */
  headers?: Record<string, string>;
};

export function wsClient(baseUrl: string, options: WsClientOptions = {}, path = "/graphql"): Client {
  const headers = options.headers ?? {};
  // graphql-ws constructs the socket as `new impl(url, protocol)`; this adds the headers.
  class WebSocketWithHeaders extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  return createClient({
    url: `${baseUrl.replace(/^http/, "ws")}${path}`,
    webSocketImpl: WebSocketWithHeaders,
    connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : undefined,
    retryAttempts: 0,
    lazy: true,
  });
}

export type Subscription<T> = {
  /** The next result, or a failure after timeoutMs. */
  next(timeoutMs?: number): Promise<FormattedExecutionResult<T, unknown>>;
  close(): Promise<void>;
};

/** A subscription's document (an operation of test/support/operations.ts), or a query string. */
export type SubscriptionQuery<T> = string | TypedDocumentNode<T, never>;

export function subscribe<T>(
  client: Client,
  query: SubscriptionQuery<T>,
  variables?: Record<string, unknown>,
): Subscription<T> {
  const iterator = client.iterate<T>({ query: typeof query === "string" ? query : print(query), variables });
  return {
    async next(timeoutMs = 5_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no subscription result within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const result = await Promise.race([iterator.next(), timeout]);
        if (result.done) throw new Error("the subscription ended");
        return result.value;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await iterator.return?.();
    },
  };
}

/** Resolves when the client's socket closes, with the close code and when it came. */
export function closedOf(client: Client): Promise<{ code: number; at: number }> {
  return new Promise((resolve) => client.on("closed", (event) => resolve({ code: (event as { code: number }).code, at: Date.now() })));
}

/** Resolves when the server acknowledges the client's connection_init. */
export function acknowledgedOf(client: Client): Promise<void> {
  return new Promise((resolve) => client.on("connected", () => resolve()));
}

/** graphql-ws's subprotocol, which /graphql requires. */
export const GRAPHQL_WS = "graphql-transport-ws";

export type SocketOptions = {
  /** The subprotocol to ask for (GRAPHQL_WS for /graphql); none when left out. */
  protocol?: string;
  /** Headers for the upgrade request (cookie, authorization, origin). */
  headers?: Record<string, string>;
};

/** A plain socket to `path` on the server at `baseUrl` (http://…), not yet open. */
export function socket(baseUrl: string, path: string, options: SocketOptions = {}): WebSocket {
  return new WebSocket(`${baseUrl.replace(/^http/, "ws")}${path}`, options.protocol, { headers: options.headers ?? {} });
}

export type OpenSocket = {
  ws: WebSocket;
  /** Resolves with the close code and when it came. */
  closed: Promise<{ code: number; at: number }>;
  /** The next text message, kept from the moment the socket opened; fails after timeoutMs or once the socket closed. */
  nextMessage(timeoutMs?: number): Promise<string>;
};

/**
 * Opens a plain socket and resolves once it is open; a refused handshake rejects
 * with "refused <status>". `onMessage` sees every text message as it arrives.
 */
export function openSocket(
  baseUrl: string,
  path: string,
  options: SocketOptions & { onMessage?: (text: string) => void } = {},
): Promise<OpenSocket> {
  const ws = socket(baseUrl, path, options);
  const queued: string[] = [];
  const waiting: ((text: string | undefined) => void)[] = [];
  let ended = false;
  ws.on("message", (data: Buffer) => {
    const text = data.toString("utf8");
    options.onMessage?.(text);
    const waiter = waiting.shift();
    if (waiter) waiter(text);
    else queued.push(text);
  });
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.once("close", (code) => {
      ended = true;
      for (const waiter of waiting.splice(0)) waiter(undefined);
      resolve({ code, at: Date.now() });
    }),
  );
  const nextMessage = async (timeoutMs = 5_000): Promise<string> => {
    const ready = queued.shift();
    if (ready !== undefined) return ready;
    if (ended) throw new Error("the socket is closed");
    let timer: NodeJS.Timeout | undefined;
    let waiter: ((text: string | undefined) => void) | undefined;
    try {
      const text = await new Promise<string | undefined>((resolve, reject) => {
        waiter = resolve;
        waiting.push(resolve);
        timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
      });
      if (text === undefined) throw new Error("the socket closed");
      return text;
    } finally {
      clearTimeout(timer);
      const i = waiter ? waiting.indexOf(waiter) : -1;
      if (i >= 0) waiting.splice(i, 1);
    }
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, closed, nextMessage }));
    ws.once("unexpected-response", (_req, res) => {
      reject(new Error(`refused ${res.statusCode}`));
      ws.terminate();
    });
    ws.once("error", reject);
  });
}

/** The HTTP status a handshake to `path` gets, or 101 when it opens (the socket is then closed). */
export function handshake(baseUrl: string, path: string, options: SocketOptions = { protocol: GRAPHQL_WS }): Promise<number> {
  const ws = socket(baseUrl, path, options);
  return new Promise((resolve, reject) => {
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? -1);
      ws.terminate();
    });
    ws.once("open", () => {
      resolve(101);
      ws.close();
    });
    ws.once("error", (err) => {
      if (!err.message.includes("Unexpected server response")) reject(err);
    });
  });
}

/** The first message of a plain socket (the health feed), parsed as JSON; a refused handshake rejects with "refused <status>". */
export function firstMessage(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<unknown> {
  const ws = socket(baseUrl, path, { headers });
  return new Promise((resolve, reject) => {
    ws.once("message", (data: Buffer) => {
      resolve(JSON.parse(data.toString("utf8")));
      ws.terminate();
    });
    ws.once("unexpected-response", (_req, res) => {
      reject(new Error(`refused ${res.statusCode}`));
      ws.terminate();
    });
    ws.once("error", reject);
  });
}

/** graphql-ws's first answer to connection_init on /graphql (its type), or an error naming the close code. */
export function connectionAck(baseUrl: string, payload?: Record<string, string>, headers: Record<string, string> = {}): Promise<string> {
  const ws = socket(baseUrl, "/graphql", { protocol: GRAPHQL_WS, headers });
  return new Promise<string>((resolve, reject) => {
    ws.once("open", () => ws.send(JSON.stringify({ type: "connection_init", payload })));
    ws.once("message", (data: Buffer) => {
      resolve((JSON.parse(data.toString("utf8")) as { type: string }).type);
      ws.terminate();
    });
    ws.once("close", (code) => reject(new Error(`closed ${code}`)));
    ws.once("error", reject);
  });
}
