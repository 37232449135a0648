// The one table from a typed error to its HTTP answer. A typed error is a domain error of
// src/errors.ts, thrown, or the GraphQL union member of the same name (the classes are the
// GraphQL error types), which the REST mappers receive as `__typename`. Bearer refusals
// carry `WWW-Authenticate` as RFC 6750 (and the MCP SDK's bearerAuth middleware) has it:
// 401 `invalid_token` with a description, 403 `insufficient_scope`, 503 when the identity
// provider cannot be reached.
import {
  AuthUnavailableError,
  ConflictError,
  ForbiddenError,
  InvalidTokenError,
  NotFoundError,
  ServerDisabledError,
  TokenNotFoundError,
  UnauthenticatedError,
  ValidationError,
} from "../errors.ts";
import { HttpError } from "./errors.ts";

export type HttpAnswer = { status: number; code: string };

const STATUS = new Map<string, HttpAnswer>([
  ["ValidationError", { status: 400, code: "VALIDATION_ERROR" }],
  ["NotFoundError", { status: 404, code: "NOT_FOUND" }],
  ["TokenNotFoundError", { status: 404, code: "NOT_FOUND" }],
  ["ConflictError", { status: 409, code: "CONFLICT" }],
  ["ForbiddenError", { status: 403, code: "FORBIDDEN" }],
  ["ServerDisabledError", { status: 400, code: "SERVER_DISABLED" }],
  ["UnauthenticatedError", { status: 401, code: "UNAUTHENTICATED" }],
  ["InvalidTokenError", { status: 401, code: "INVALID_TOKEN" }],
  ["AuthUnavailableError", { status: 503, code: "AUTH_UNAVAILABLE" }],
]);

/** Thrown errors are matched by class, so that another library's error of the same name is not taken for one. */
const DOMAIN_ERRORS = [
  ValidationError,
  NotFoundError,
  TokenNotFoundError,
  ConflictError,
  ForbiddenError,
  ServerDisabledError,
  UnauthenticatedError,
  InvalidTokenError,
  AuthUnavailableError,
];

/** Refusals whose REST code names the reason, for clients that act on it (sign in again, get a new token). */
const TOKEN_CODES = new Map([
  ["expired", "TOKEN_EXPIRED"],
  ["revoked", "TOKEN_REVOKED"],
]);

/** The status and code of a typed error, by its class name or `__typename`; undefined for anything else (a success). */
export function statusOf(typename: string): HttpAnswer | undefined {
  return STATUS.get(typename);
}

/**
 * The REST error for a domain error (an HttpError passes through); undefined when the error is
 * none of them (a bug: the boundary answers 500). `bearer`: the request authenticated with a
 * bearer token, whose client is told a refusal is about the token's scope.
 */
export function httpErrorOf(err: unknown, opts: { bearer?: boolean } = {}): HttpError | undefined {
  if (err instanceof HttpError) {
    // A REST mapper's 403 (a ForbiddenError result of GraphQL) tells a bearer client the same.
    if (err.status !== 403 || !opts.bearer || err.headers["WWW-Authenticate"]) return err;
    return new HttpError(err.status, err.code, err.message, { ...err.headers, "WWW-Authenticate": insufficientScope(err.message) });
  }
  const kind = DOMAIN_ERRORS.find((c) => err instanceof c);
  const answer = kind && STATUS.get(kind.name);
  if (!answer || !(err instanceof Error)) return undefined;
  if (err instanceof InvalidTokenError) {
    const challenge =
      err.reason === "not-bearer"
        ? 'Bearer error="invalid_request"'
        : `Bearer error="invalid_token", error_description="${quoted(err.description)}"`;
    return new HttpError(answer.status, TOKEN_CODES.get(err.reason) ?? answer.code, err.message, { "WWW-Authenticate": challenge });
  }
  if (err instanceof UnauthenticatedError) {
    return new HttpError(answer.status, answer.code, err.message, { "WWW-Authenticate": "Bearer" });
  }
  if (err instanceof ForbiddenError && opts.bearer) {
    return new HttpError(answer.status, answer.code, err.message, { "WWW-Authenticate": insufficientScope(err.message) });
  }
  return new HttpError(answer.status, answer.code, err.message);
}

const insufficientScope = (description: string) => `Bearer error="insufficient_scope", error_description="${quoted(description)}"`;

/** A quoted-string of the header: no double quotes or line breaks inside. */
function quoted(text: string): string {
  return text.replace(/["\\]/g, "'").replace(/[\r\n]+/g, " ");
}
