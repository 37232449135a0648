// Typed operations run inside the process for a given viewer, through the pipeline the
// sockets and /graphql use (generic-auth, limits, the response cache for queries), for
// endpoints that speak another wire format over the same schema (the health feed).
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type DocumentNode, type ExecutionResult } from "graphql";
import type { GraphQL, ServerContext } from "./yoga.ts";

const printed = new WeakMap<DocumentNode, string>();

function textOf(document: DocumentNode): string {
  let query = printed.get(document);
  if (query === undefined) {
    query = print(document);
    printed.set(document, query);
  }
  return query;
}

/** A query through yoga's whole request pipeline (a request that never touches the network). */
export async function queryInProcess<R, V>(
  graphql: GraphQL,
  document: TypedDocumentNode<R, V>,
  variables: V,
  caller: ServerContext,
): Promise<ExecutionResult<R>> {
  const response = await graphql.yoga.fetch(
    "http://internal/graphql",
    {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({ query: textOf(document), variables }),
    },
    caller,
  );
  return (await response.json()) as ExecutionResult<R>;
}

/**
 * A subscription through yoga's envelope, as the graphql-ws sockets run theirs
 * (subscriptions.ts): the same context, plugins, visibility filter and event backlog.
 * The document is the caller's own typed one, already validated by codegen. Resolves once
 * the subscription listens; return() on the iterator ends it.
 */
export async function subscribeInProcess<R, V>(
  graphql: GraphQL,
  document: TypedDocumentNode<R, V>,
  variables: V,
  caller: ServerContext,
): Promise<AsyncGenerator<ExecutionResult<R>, void, void>> {
  const envelope = graphql.yoga.getEnveloped({ ...caller, params: { query: textOf(document), variables } });
  const contextValue = await envelope.contextFactory();
  const result = (await envelope.subscribe({
    schema: envelope.schema,
    document,
    contextValue,
    variableValues: variables as Record<string, unknown>,
  })) as AsyncGenerator<ExecutionResult<R>, void, void> | ExecutionResult<R>;
  if (Symbol.asyncIterator in result) return result;
  throw new Error(`subscription refused: ${result.errors?.map((e) => e.message).join("; ") ?? "no stream"}`);
}
