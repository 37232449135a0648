// Domain errors: what a service refuses, in the domain's words. Services throw them; the
// boundaries map them once: GraphQL returns them as typed union members (their classes are
// the GraphQL error types), REST and the HTTP error boundary map them to status codes.
/** One problem with one input field: `field` names it (e.g. `path`, `upstreamAuth.type`). */
export type Problem = { field: string; message: string };

export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(readonly fieldErrors: Problem[]) {
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

/** Why a bearer token was refused; the HTTP boundary names it in its code and `WWW-Authenticate`. */
export type InvalidTokenReason =
  | "not-bearer"
  | "malformed"
  | "algorithm"
  | "untrusted-issuer"
  | "wrong-issuer"
  | "wrong-audience"
  | "not-yet-valid"
  | "missing-claim"
  | "expired"
  | "revoked"
  | "bad-signature"
  | "unknown-key"
  | "unverifiable";

/** A credential was sent and is no good. `description` says what failed, never echoing the token. */
export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
  constructor(
    readonly reason: InvalidTokenReason,
    readonly description: string,
  ) {
    super(reason === "not-bearer" ? description : `Invalid bearer token: ${description}`);
  }
}

/** No credential where one is needed. */
export class UnauthenticatedError extends Error {
  override name = "UnauthenticatedError";
  constructor(message = "Sign in, or send `Authorization: Bearer <token>`") {
    super(message);
  }
}

/** A credential could not be checked now (the identity provider or its key set is unreachable). */
export class AuthUnavailableError extends Error {
  override name = "AuthUnavailableError";
  constructor(cause?: unknown) {
    super("Could not verify the token now (identity provider unreachable); try again", { cause });
  }
}
