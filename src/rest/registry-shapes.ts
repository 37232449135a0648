// The official registry API's shapes: entries as {server, _meta}, lists with
// {servers, metadata}, and the typed GraphQL errors as REST errors.
import type { RegistryEntryFieldsFragment } from "../generated/gql/graphql.ts";
import { HttpError } from "../http/errors.ts";
import { statusOf } from "../http/status-of.ts";

type TypedError = {
  __typename: "ValidationError" | "NotFoundError" | "ConflictError" | "ForbiddenError";
  message: string;
  fieldErrors?: { field: string; message: string }[];
};

/**
 * The official registry's statuses where they differ from the product API's: a document or
 * a parameter that breaks a rule is 422 (the official CLI then asks /validate for details),
 * and a refusal of what the store already holds (a duplicate version, a remote URL another
 * name has, no change to apply) is 400.
 */
const REGISTRY_STATUS = new Map([
  ["ValidationError", { status: 422, code: "VALIDATION_ERROR" }],
  ["ConflictError", { status: 400, code: "CONFLICT" }],
]);

/** A mutation's (or query's) success payload, or its typed error thrown as the REST error. */
export function registrySuccess<S extends { __typename: string }>(result: S | TypedError, what: string): Exclude<S, TypedError> {
  const answer = REGISTRY_STATUS.get(result.__typename) ?? statusOf(result.__typename);
  if (!answer) return result as Exclude<S, TypedError>;
  const error = result as TypedError;
  const { status, code } = answer;
  const problems = error.fieldErrors ?? [];
  const message =
    problems.length > 0 ? `${what}: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}` : error.message;
  throw new HttpError(status, code, message);
}

export type ServerResponse = { server: Record<string, unknown>; _meta: Record<string, unknown> };

export function serverResponse(entry: RegistryEntryFieldsFragment): ServerResponse {
  return { server: entry.server as Record<string, unknown>, _meta: entry.meta as Record<string, unknown> };
}

export function serverList(entries: RegistryEntryFieldsFragment[], nextCursor?: string | null) {
  return {
    servers: entries.map(serverResponse),
    // The spec's nextCursor is a string: on the last page it is left out rather than null.
    metadata: { count: entries.length, ...(nextCursor ? { nextCursor } : {}) },
  };
}
