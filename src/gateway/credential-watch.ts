// No gateway stream outlives its credential. What lives long here (a passthrough SSE answer or
// GET stream, a bridged session and its streams) is bound to the credential of the request that
// opened it, the way the WebSocket endpoints hold theirs (auth/upgrade.ts): a change-feed entry
// that may have ended it (logout, revocation, on any replica) makes the gateway check it again,
// and its expiry (a token's `exp`, a session's end) ends it without asking. The bindings are per
// process and bounded; a stream that cannot be bound is refused rather than left unwatched.
// A binding may also say how to check that its caller may still use its server: each time a
// different access policy comes into force (an edit on any replica), streams whose caller lost
// the server end too.
import { decodeJwt } from "jose";
import type { Logger } from "pino";
import type { AuthService } from "../auth/service.ts";
import { identify, mayEnd, type Credential, type HeldCredential } from "../auth/upgrade.ts";
import type { ChangeFeed } from "../db/changes.ts";
import { AuthUnavailableError, InvalidTokenError } from "../errors.ts";

/** A request's credential, for binding what outlives the request to it. */
export type CredentialBinding = {
  /** Equal for every request made with the same credential (to the same server). */
  readonly key: string;
  /**
   * `end` runs once the credential has ended (logout, revocation, expiry), or once
   * `stillAllowed` answers false after an access policy change. Returns what unbinds it, or
   * undefined when this process holds too many bindings already.
   */
  bind(end: (why: EndReason) => void, stillAllowed?: () => boolean): (() => void) | undefined;
};

/**
 * Why a binding ended: its credential did, the access policy no longer lets its caller use the
 * server, or the server itself was disabled, removed or pointed elsewhere.
 */
export type EndReason = "credential" | "access" | "server";

export type CredentialWatch = {
  /** The binding of a credential, checked again as presented to `resource` (the server's gateway URL). */
  bindingFor(credential: Credential, jti: string | undefined, resource: string): CredentialBinding;
  /** Bindings held now. */
  size(): number;
  close(): void;
};

/** Open streams and bridged sessions one process watches; more are refused (503). */
export const MAX_BINDINGS = 10_000;
/** What the held credentials (tokens of up to a header's length) may take, together. */
export const MAX_CREDENTIAL_BYTES = 16 * 1024 * 1024;
/** setTimeout's longest delay; a later expiry is armed again when this passes. */
const MAX_DELAY_MS = 2_147_483_647;

type Group = {
  key: string;
  held: HeldCredential;
  resource: string;
  bytes: number;
  /** Each binding's end, and how to check its access again (none: the credential is all it needs). */
  ends: Map<(why: EndReason) => void, (() => boolean) | undefined>;
  expiry: NodeJS.Timeout | undefined;
  checking: boolean;
  checkAgain: boolean;
};

export function createCredentialWatch(deps: {
  auth: AuthService;
  changes: ChangeFeed;
  log: Logger;
  maxBindings?: number;
  maxBytes?: number;
}): CredentialWatch {
  const { auth, log } = deps;
  const maxBindings = deps.maxBindings ?? MAX_BINDINGS;
  const maxBytes = deps.maxBytes ?? MAX_CREDENTIAL_BYTES;
  const groups = new Map<string, Group>();
  let bindings = 0;
  let bytes = 0;
  let closed = false;

  function endGroup(group: Group, why: string): void {
    if (groups.get(group.key) !== group) return;
    drop(group);
    // Taken out first: an `end` that unbinds itself finds nothing left to unbind.
    const ends = [...group.ends.keys()];
    group.ends.clear();
    bindings -= ends.length;
    log.info({ via: group.held.credential.kind, streams: ends.length, why }, "a gateway caller's credential ended; closing its streams");
    for (const end of ends) {
      try {
        end("credential");
      } catch (err) {
        log.error({ err: (err as Error).message }, "could not end a gateway stream");
      }
    }
  }

  function drop(group: Group): void {
    groups.delete(group.key);
    clearTimeout(group.expiry);
    bytes -= group.bytes;
  }

  /** The credential still stands for someone (as the router accepted it: with the server's URL as a possible audience). */
  async function stillValid(group: Group): Promise<boolean> {
    const { credential } = group.held;
    if (credential.kind === "session") return (await identify(credential, auth)) !== undefined;
    try {
      await auth.bearer.verify(credential.token, group.resource);
      return true;
    } catch (err) {
      if (err instanceof InvalidTokenError || err instanceof AuthUnavailableError) return false;
      throw err;
    }
  }

  function recheck(group: Group): void {
    if (group.checking) {
      group.checkAgain = true;
      return;
    }
    group.checking = true;
    group.checkAgain = false;
    stillValid(group)
      .then((valid) => {
        if (!valid) endGroup(group, "logout or revocation");
      })
      .catch((err: Error) => log.warn({ err: err.message }, "could not check a gateway caller's credential again"))
      .finally(() => {
        group.checking = false;
        if (group.checkAgain && groups.get(group.key) === group) recheck(group);
      });
  }

  function armExpiry(group: Group, at: number | undefined): void {
    if (at === undefined || groups.get(group.key) !== group) return;
    const delay = at - Date.now();
    if (delay <= 0) return endGroup(group, "expired");
    group.expiry = setTimeout(() => {
      if (delay > MAX_DELAY_MS) armExpiry(group, at);
      else endGroup(group, "expired");
    }, Math.min(delay, MAX_DELAY_MS));
    group.expiry.unref();
  }

  /** When the credential ends by itself: a token's `exp`, a session's fixed end (sessions are not extended). */
  async function expiryOf(credential: Credential): Promise<number | undefined> {
    if (credential.kind === "bearer") {
      try {
        const exp = decodeJwt(credential.token).exp;
        return typeof exp === "number" ? exp * 1000 : undefined;
      } catch {
        return undefined; // the router verified it; a token that does not decode was never accepted
      }
    }
    const session = await auth.sessions.get(credential.key);
    return typeof session?._expire === "number" ? session._expire : undefined;
  }

  function groupFor(key: string, held: HeldCredential, resource: string): Group | undefined {
    const existing = groups.get(key);
    if (existing) return existing;
    const size = key.length;
    if (bytes + size > maxBytes) return undefined;
    const group: Group = { key, held, resource, bytes: size, ends: new Map(), expiry: undefined, checking: false, checkAgain: false };
    groups.set(key, group);
    bytes += size;
    expiryOf(held.credential).then(
      (at) => armExpiry(group, at),
      (err: Error) => {
        // Not knowing when it ends is not knowing it is still valid.
        log.warn({ err: err.message }, "could not read a gateway caller's credential expiry");
        endGroup(group, "expiry unknown");
      },
    );
    return group;
  }

  const stopWatching = deps.changes.subscribe((change) => {
    if (change.entity !== "session" && change.entity !== "token") return;
    // Runs inside the change feed's publish: nothing may escape to the publisher.
    for (const group of groups.values()) {
      try {
        if (mayEnd(change, group.held)) recheck(group);
      } catch (err) {
        log.error({ err: (err as Error).message }, "could not check a gateway caller's credential again");
      }
    }
  });

  // A new policy: every binding that can say so is asked whether its caller still may.
  const stopPolicy = auth.policy.onChange(() => {
    for (const group of [...groups.values()]) {
      for (const [end, stillAllowed] of [...group.ends]) {
        let allowed = true;
        try {
          allowed = stillAllowed?.() ?? true;
        } catch (err) {
          log.error({ err: (err as Error).message }, "could not check a gateway stream's access again; ending it");
          allowed = false;
        }
        if (allowed || !group.ends.delete(end)) continue;
        bindings--;
        if (group.ends.size === 0 && groups.get(group.key) === group) drop(group);
        log.info({ via: group.held.credential.kind }, "the access policy no longer lets a gateway caller use this server; closing its stream");
        try {
          end("access");
        } catch (err) {
          log.error({ err: (err as Error).message }, "could not end a gateway stream");
        }
      }
    }
  });

  return {
    bindingFor(credential, jti, resource) {
      const key = credential.kind === "session" ? `session ${credential.key}` : `bearer ${resource} ${credential.token}`;
      const held: HeldCredential = { credential, jti };
      return {
        key,
        bind(end, stillAllowed) {
          if (closed || bindings >= maxBindings) return undefined;
          const group = groupFor(key, held, resource);
          if (!group) return undefined;
          // One entry per binding, even when the same function is bound twice.
          const entry = (why: EndReason) => end(why);
          group.ends.set(entry, stillAllowed);
          bindings++;
          return () => {
            if (!group.ends.delete(entry)) return;
            bindings--;
            if (group.ends.size === 0 && groups.get(key) === group) drop(group);
          };
        },
      };
    },
    size: () => bindings,
    close() {
      closed = true;
      stopWatching();
      stopPolicy();
      for (const group of groups.values()) clearTimeout(group.expiry);
      groups.clear();
      bindings = 0;
      bytes = 0;
    },
  };
}
