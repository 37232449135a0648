// The client's only ways to the server: typed GraphQL operations over HTTP (the
// generated documents from codegen) and subscriptions over graphql-ws.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql/language/printer.js";
import { createClient, type Client } from "graphql-ws/client";

export class ApiError extends Error {}

const printed = new WeakMap<object, string>();

function queryText(doc: TypedDocumentNode<unknown, unknown>): string {
  let text = printed.get(doc);
  if (text === undefined) {
    text = print(doc);
    printed.set(doc, text);
  }
  return text;
}

function goToSignIn(): void {
  location.assign(`/login?expired=1&next=${encodeURIComponent(location.pathname + location.search)}`);
}

function toSignIn(): never {
  goToSignIn();
  throw new ApiError("Your session has ended; sign in again.");
}

export async function request<R, V>(doc: TypedDocumentNode<R, V>, variables: V, signal?: AbortSignal): Promise<R> {
  let res: Response;
  try {
    res = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
      body: JSON.stringify({ query: queryText(doc as TypedDocumentNode<unknown, unknown>), variables }),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError("The registry cannot be reached. Check your connection and try again.");
  }
  if (res.status === 401) toSignIn();
  const body = (await res.json().catch(() => ({}))) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[] };
  const first = body.errors?.[0];
  if (first) {
    if (first.extensions?.code === "UNAUTHENTICATED") toSignIn();
    throw new ApiError(first.message);
  }
  if (!body.data) throw new ApiError(`The registry answered ${res.status}.`);
  return body.data;
}

let ws: Client | undefined;

export type LiveState = "connecting" | "live" | "offline";

/** One socket per page, opened on first use, reconnecting until the page goes away. */
export function live(onState?: (state: LiveState) => void): Client {
  ws ??= createClient({
    url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`,
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    on: {
      connecting: () => onState?.("connecting"),
      connected: () => onState?.("live"),
      closed: (event) => {
        // 4403: the server no longer accepts this session (signed out, expired).
        if ((event as CloseEvent | undefined)?.code === 4403) goToSignIn();
        onState?.("offline");
      },
    },
  });
  return ws;
}

export function subscribe<R, V>(doc: TypedDocumentNode<R, V>, variables: V, onData: (data: R) => void, onState?: (state: LiveState) => void): () => void {
  return live(onState).subscribe<R>(
    { query: queryText(doc as TypedDocumentNode<unknown, unknown>), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.data) onData(result.data);
      },
      error: () => onState?.("offline"),
      complete: () => {},
    },
  );
}
