// Runs a typed GraphQL operation in-process, with the caller's identity, through the
// same envelop plugins as /graphql (auth, cost limit, cache). REST handlers call
// this and nothing else: they hold no business rules and never touch the database.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { GraphQLError, type DocumentNode, type ExecutionResult } from "graphql";
import type { Viewer } from "../auth/viewer.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import { HttpError } from "../http/errors.ts";
import type { Logger } from "pino";

const validated = new WeakMap<DocumentNode, readonly GraphQLError[]>();

export async function runOperation<R, V>(
  graphql: GraphQL,
  document: TypedDocumentNode<R, V>,
  variables: V,
  caller: { viewer: Viewer | null; log: Logger },
): Promise<R> {
  const enveloped = graphql.yoga.getEnveloped({ ...caller, request: undefined, params: undefined } as never);
  const errors = validated.get(document) ?? enveloped.validate(enveloped.schema, document);
  validated.set(document, errors);
  if (errors.length > 0) throw new Error(`invalid built-in operation: ${errors.map((e: GraphQLError) => e.message).join("; ")}`);
  const contextValue = await enveloped.contextFactory();
  const result = (await enveloped.execute({
    schema: enveloped.schema,
    document,
    variableValues: variables as Record<string, unknown>,
    contextValue,
  })) as ExecutionResult<R>;
  if (result.errors?.length) {
    const first = result.errors[0]!;
    const code = first.extensions?.code;
    if (code === "UNAUTHENTICATED") throw new HttpError(401, "UNAUTHENTICATED", "Sign in, or send `Authorization: Bearer <token>`");
    if (code === "QUERY_TOO_COSTLY") throw new HttpError(400, "QUERY_TOO_COSTLY", first.message);
    caller.log.error({ errors: result.errors.map((e: GraphQLError) => e.message) }, "operation failed");
    throw new HttpError(500, "INTERNAL", "Internal server error");
  }
  return result.data as R;
}
