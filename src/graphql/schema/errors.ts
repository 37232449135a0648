// Typed errors that mutations return as members of their result unions, so that
// clients see in the schema what can go wrong.
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ServerDisabledError,
  TokenNotFoundError,
  ValidationError,
  type Problem,
} from "../../errors.ts";
import { builder } from "../builder.ts";

// The domain errors are the GraphQL error types themselves: a service throws one, and the
// errors plugin returns it as its union member; nothing is translated in between.
export { ConflictError, ForbiddenError, NotFoundError, ServerDisabledError, TokenNotFoundError, ValidationError };
export type FieldErrorShape = Problem;

const ErrorInterface = builder.interfaceRef<Error>("Error").implement({
  description: "Something a mutation could not do; the concrete type says why.",
  fields: (t) => ({ message: t.exposeString("message", { description: "What went wrong, in words for a person." }) }),
});

export const FieldError = builder.objectRef<FieldErrorShape>("FieldError").implement({
  description: "One problem with one input field. `field` is the input field's name.",
  fields: (t) => ({
    field: t.exposeString("field", { description: "The input field's name, e.g. `path` or `upstreamAuth.type`." }),
    message: t.exposeString("message", { description: "What is wrong with it, e.g. `is required`." }),
  }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  description: "The input broke one or more rules; nothing was changed.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    fieldErrors: t.field({ type: [FieldError], description: "Every problem found, one per field and rule.", resolve: (e) => e.fieldErrors }),
  }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  description: "No server at this path that the caller may see.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeString("path", { description: "The path that was asked for." }) }),
});

builder.objectType(ConflictError, {
  name: "ConflictError",
  description: "Another server already holds this value; nothing was changed.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString("field", { description: "The input field whose value is taken, e.g. `path`." }) }),
});

builder.objectType(ForbiddenError, {
  name: "ForbiddenError",
  description: "The caller may see the target but lacks the permission; nothing was changed.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    permission: t.exposeString("permission", { description: "The permission that is missing, e.g. `modify_service`." }),
    path: t.exposeString("path", { nullable: true, description: "The server it was needed for; null for actions on no server." }),
  }),
});

builder.objectType(ServerDisabledError, {
  name: "ServerDisabledError",
  description: "The server is disabled: it is not contacted, and its last tool list is not served. Enable it first.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeString("path", { description: "The disabled server's path." }) }),
});

builder.objectType(TokenNotFoundError, {
  name: "TokenNotFoundError",
  description: "No such token among the caller's own (or, for admins, any).",
  interfaces: [ErrorInterface],
  fields: (t) => ({ jti: t.exposeString("jti", { description: "The token id that was asked for." }) }),
});

/**
 * Names and documents a field's result union (`<Field>Result`), its success type
 * (`<Field>Success`) and the success type's one field, for `errors:` options.
 */
export function resultOf(fieldName: string, dataField: string, description: string) {
  return {
    dataField: { name: dataField, description },
    result: { description: `\`${fieldName}\` succeeded: ${description[0]?.toLowerCase()}${description.slice(1)}` },
    union: { description: `What \`${fieldName}\` returns: its success type, or one of the typed errors saying why not.` },
  };
}

export { isRecordNotFound, isUniqueViolation } from "../../db/errors.ts";
