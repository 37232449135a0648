// Credential -> identity, once for every door: HTTP requests (viewer.ts) and both WebSocket
// endpoints (upgrade.ts) read a bearer token or the session cookie and ask this module who
// it stands for.
import { InvalidTokenError } from "../errors.ts";
import type { Identity } from "./identity.ts";
import type { AuthService } from "./service.ts";
import { sessionIdOf } from "./session.ts";

export type Credential = { kind: "bearer"; token: string } | { kind: "session"; key: string };

/** The bearer credential of an `Authorization` value; InvalidTokenError ("not-bearer") for any other form. */
export function bearerCredentialOf(authorization: unknown): Credential {
  const match = typeof authorization === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match?.[1]) throw new InvalidTokenError("not-bearer", "Authorization must be `Bearer <token>`");
  return { kind: "bearer", token: match[1] };
}

/** The session credential of a session cookie's value, when this server signed it. */
export function sessionCredentialOf(cookie: string | undefined, auth: AuthService): Credential | undefined {
  // The cookie carries koa-session's external key and its signature (session.ts).
  const key = sessionIdOf(cookie, auth.sessionSecret);
  return key ? { kind: "session", key } : undefined;
}

/**
 * The identity behind a credential. A session that is not (or no longer) valid stands for
 * nobody (undefined); a bearer token that is not valid throws InvalidTokenError, and one
 * that cannot be checked now AuthUnavailableError.
 */
export async function identityOf(credential: Credential, auth: AuthService): Promise<Identity | undefined> {
  if (credential.kind === "bearer") return auth.bearer.verify(credential.token);
  const session = await auth.sessions.get(credential.key);
  // koa-session's own validity rule: the store may still hold a session past its _expire.
  if (!session || (typeof session._expire === "number" && session._expire < Date.now())) return undefined;
  return session.identity as Identity | undefined;
}
