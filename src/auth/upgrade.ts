// Who opens a WebSocket: both socket endpoints (GraphQL subscriptions, the health
// feed) read the credential of an upgrade request the same way.
import http from "node:http";
import Cookies from "cookies";
import type { Change } from "../db/changes.ts";
import { AuthUnavailableError, InvalidTokenError } from "../errors.ts";
import { bearerCredentialOf, identityOf, sessionCredentialOf, type Credential } from "./credential.ts";
import type { Identity } from "./identity.ts";
import type { AuthService } from "./service.ts";

export type { Credential } from "./credential.ts";

/**
 * `authorization` ("Bearer <token>", from a header or graphql-ws connection params), else
 * the session cookie of the upgrade request. Browsers send cookies with cross-site
 * WebSocket handshakes too, so a cookie counts only from our own origin (or from a
 * client that names none: not a browser).
 */
export function credentialOf(
  authorization: unknown,
  request: http.IncomingMessage,
  auth: AuthService,
  publicOrigin: string | undefined,
): Credential | undefined {
  if (authorization !== undefined) {
    try {
      return bearerCredentialOf(authorization);
    } catch (err) {
      if (err instanceof InvalidTokenError) return undefined;
      throw err;
    }
  }
  if (!sameOrigin(request, publicOrigin)) return undefined;
  const cookies = new Cookies(request, new http.ServerResponse(request));
  return sessionCredentialOf(cookies.get(auth.sessionCookie, { signed: false }), auth);
}

/** The bearer header of an upgrade request: Authorization, else X-Authorization (as the HTTP routes read it). */
export function authorizationHeaderOf(request: http.IncomingMessage): string | undefined {
  const value = request.headers.authorization || request.headers["x-authorization"];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The identity behind a credential (credential.ts, as for HTTP requests), or undefined when
 * it is not (or no longer) valid or cannot be checked now: a socket is refused either way.
 */
export async function identify(credential: Credential, auth: AuthService): Promise<Identity | undefined> {
  try {
    return await identityOf(credential, auth);
  } catch (err) {
    if (err instanceof InvalidTokenError || err instanceof AuthUnavailableError) return undefined;
    throw err;
  }
}

/** What a socket holds: its credential, and the id of the registry token behind it (revocation names tokens by id). */
export type HeldCredential = { credential: Credential; jti: string | undefined };

/**
 * Whether a change-feed entry may have ended this credential: a logout (the session's
 * key), a revocation (the token's id), or one without an id, which stands for "any of
 * that kind" (a feed that reconnected may have missed some). The holder re-checks it.
 */
export function mayEnd(change: Change, held: HeldCredential): boolean {
  if (change.entity === "session") return held.credential.kind === "session" && (change.id === undefined || change.id === held.credential.key);
  if (change.entity === "token") return held.credential.kind === "bearer" && (change.id === undefined || change.id === held.jti);
  return false;
}

function sameOrigin(request: http.IncomingMessage, publicOrigin: string | undefined): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  if (origin === publicOrigin) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false; // "null" and other opaque origins
  }
}

