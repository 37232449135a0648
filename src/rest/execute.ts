// Runs a typed GraphQL operation in-process, with the caller's identity, through
// exactly the pipeline /graphql uses (auth, limits, response cache), by handing
// yoga a request that never touches the network. REST handlers call this and
// nothing else: they hold no business rules and never touch the database.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type DocumentNode, type ExecutionResult } from "graphql";
import type { Logger } from "pino";
import type { Viewer } from "../auth/viewer.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import { HttpError } from "../http/errors.ts";

const printed = new WeakMap<DocumentNode, string>();

export async function runOperation<R, V>(
  graphql: GraphQL,
  document: TypedDocumentNode<R, V>,
  variables: V,
  caller: { viewer: Viewer | null; log: Logger; bypassResultCache?: boolean },
): Promise<R> {
  let query = printed.get(document);
  if (query === undefined) {
    query = print(document);
    printed.set(document, query);
  }
  const response = await graphql.yoga.fetch(
    "http://internal/graphql",
    {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({ query, variables }),
    },
    { log: caller.log, viewer: caller.viewer, bypassResultCache: caller.bypassResultCache },
  );
  const result = (await response.json()) as ExecutionResult<R>;
  if (result.errors?.length) {
    const first = result.errors[0]!;
    const code = first.extensions?.code;
    if (code === "UNAUTHENTICATED") throw new HttpError(401, "UNAUTHENTICATED", "Sign in, or send `Authorization: Bearer <token>`");
    if (code === "QUERY_TOO_COSTLY") throw new HttpError(400, "QUERY_TOO_COSTLY", first.message);
    // A request error (yoga answers those with 400 here): text or nesting the GraphQL layer refuses,
    // or a value the handler passed on that does not fit its declared type. The caller's to fix.
    if (response.status === 400) throw new HttpError(400, "BAD_REQUEST", first.message);
    caller.log.error({ errors: result.errors.map((e) => e.message) }, "operation failed");
    throw new HttpError(500, "INTERNAL", "Internal server error");
  }
  return result.data as R;
}
