// GraphQL over WebSocket clients for tests: graphql-ws's own client on the ws package,
// with a bearer token (connectionParams) or a Cookie header on the handshake.
import type { FormattedExecutionResult } from "graphql";
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

export function subscribe<T>(client: Client, query: string, variables?: Record<string, unknown>): Subscription<T> {
  const iterator = client.iterate<T>({ query, variables });
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
