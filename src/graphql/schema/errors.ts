// Typed errors that mutations return as members of their result unions, so that
// clients see in the schema what can go wrong.
import { builder } from "../builder.ts";

export type FieldErrorShape = { field: string; message: string };

export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(readonly fieldErrors: FieldErrorShape[]) {
    super(`Invalid input: ${fieldErrors.map((e) => `${e.field} ${e.message}`).join("; ")}`);
  }
}

export class NotFoundError extends Error {
  override name = "NotFoundError";
  constructor(
    readonly path: string,
    message = `No server at ${path}`,
  ) {
    super(message);
  }
}

export class ConflictError extends Error {
  override name = "ConflictError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class ForbiddenError extends Error {
  override name = "ForbiddenError";
  constructor(
    readonly permission: string,
    readonly path: string | null,
  ) {
    super(path ? `You may not ${permission.replace(/_/g, " ")} at ${path}` : `You may not ${permission.replace(/_/g, " ")}`);
  }
}

export class ServerDisabledError extends Error {
  override name = "ServerDisabledError";
  constructor(readonly path: string) {
    super(`Server ${path} is disabled`);
  }
}

export class TokenNotFoundError extends Error {
  override name = "TokenNotFoundError";
  constructor(readonly jti: string) {
    super(`No token ${jti} of yours`);
  }
}

const ErrorInterface = builder.interfaceRef<Error>("Error").implement({
  description: "Something a mutation could not do; the concrete type says why.",
  fields: (t) => ({ message: t.exposeString("message") }),
});

export const FieldError = builder.objectRef<FieldErrorShape>("FieldError").implement({
  description: "One problem with one input field. `field` is the input field's name.",
  fields: (t) => ({
    field: t.exposeString("field"),
    message: t.exposeString("message"),
  }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  description: "The input broke one or more rules; nothing was changed.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ fieldErrors: t.field({ type: [FieldError], resolve: (e) => e.fieldErrors }) }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  description: "No server at this path that the caller may see.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeString("path") }),
});

builder.objectType(ConflictError, {
  name: "ConflictError",
  description: "Another server already holds this value; nothing was changed.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString("field") }),
});

builder.objectType(ForbiddenError, {
  name: "ForbiddenError",
  description: "The caller may see the target but lacks the permission; nothing was changed.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    permission: t.exposeString("permission"),
    path: t.exposeString("path", { nullable: true }),
  }),
});

builder.objectType(ServerDisabledError, {
  name: "ServerDisabledError",
  description: "The server is disabled: it is not contacted, and its last tool list is not served. Enable it first.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeString("path") }),
});

builder.objectType(TokenNotFoundError, {
  name: "TokenNotFoundError",
  description: "No such token among the caller's own (or, for admins, any).",
  interfaces: [ErrorInterface],
  fields: (t) => ({ jti: t.exposeString("jti") }),
});

/**
 * True for a unique-constraint violation: Prisma's P2002, or, from the PGlite
 * adapter (which does not map errors), PostgreSQL's SQLSTATE 23505 in `cause`.
 */
export function isUniqueViolation(err: unknown): boolean {
  return hasCode(err, "P2002", "23505", "UniqueConstraintViolation");
}

/** True for "the row to change was not found": Prisma's P2025. */
export function isRecordNotFound(err: unknown): boolean {
  return hasCode(err, "P2025");
}

function hasCode(err: unknown, ...codes: string[]): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { code?: unknown; cause?: { code?: unknown; kind?: unknown } };
  return [e.code, e.cause?.code, e.cause?.kind].some((c) => typeof c === "string" && codes.includes(c));
}
