// Limits failed local-admin logins in a sliding window. Per client IP, failures
// block: past the limit that address gets 429 until the window has passed. Per
// username, failures only slow sign-in down: a lock on the name would let anyone who
// knows it keep the admin out from every address (lockout denial of service), so
// attempts on a name past the limit wait a delay that doubles with each further
// failure, and the right password still signs in. Per process: with several replicas
// the limits apply to each.
import { LruMap } from "../lru-map.ts";

/** The longest a sign-in on a much-guessed username waits. */
export const MAX_USERNAME_DELAY_MS = 10_000;

export class LoginThrottle {
  private readonly failures: LruMap<string, number[]>;

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    maxKeys = 50_000,
  ) {
    // Usernames are whatever a caller types: the failures are bounded in bytes as well as in keys.
    this.failures = new LruMap({ maxEntries: maxKeys, maxBytes: 16 * 1024 * 1024, sizeOf: (times, key) => key.length + 8 * times.length + 64 });
  }

  /** Seconds until this address may try again, or 0 when it may try now. */
  retryAfter(ip: string, now = Date.now()): number {
    const recent = this.recent(ipKey(ip), now);
    if (recent.length < this.maxFailures) return 0;
    return Math.ceil((recent[recent.length - this.maxFailures]! + this.windowMs - now) / 1000);
  }

  /** How long an attempt on this username waits before its password is checked (ms). */
  delayMs(username: string, now = Date.now()): number {
    const excess = this.recent(userKey(username), now).length - this.maxFailures;
    return excess < 0 ? 0 : Math.min(MAX_USERNAME_DELAY_MS, 1000 * 2 ** excess);
  }

  fail(ip: string, username: string, now = Date.now()): void {
    for (const key of [ipKey(ip), userKey(username)]) {
      const recent = this.recent(key, now);
      recent.push(now);
      this.failures.set(key, recent);
    }
  }

  /** The right password: this address and the name start afresh (other addresses keep their count). */
  succeed(ip: string, username: string): void {
    this.failures.delete(ipKey(ip));
    this.failures.delete(userKey(username));
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.peek(key) ?? []).filter((t) => t > now - this.windowMs);
  }
}

const ipKey = (ip: string) => `ip:${ip}`;
const userKey = (username: string) => `user:${username.toLowerCase()}`;
