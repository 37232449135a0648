// Limits failed local-admin logins per client IP and per username, in a sliding
// window. Per process: with several replicas the limit applies to each.
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly maxKeys = 50_000,
  ) {}

  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  retryAfter(ip: string, username: string, now = Date.now()): number {
    let wait = 0;
    for (const key of keysOf(ip, username)) {
      const recent = this.recent(key, now);
      if (recent.length >= this.maxFailures) {
        wait = Math.max(wait, Math.ceil((recent[0]! + this.windowMs - now) / 1000));
      }
    }
    return wait;
  }

  fail(ip: string, username: string, now = Date.now()): void {
    for (const key of keysOf(ip, username)) {
      const recent = this.recent(key, now);
      recent.push(now);
      this.failures.delete(key); // re-insert: Map order is then oldest-touched first
      this.failures.set(key, recent);
    }
    while (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  succeed(ip: string, username: string): void {
    for (const key of keysOf(ip, username)) this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }
}

function keysOf(ip: string, username: string): string[] {
  return [`ip:${ip}`, `user:${username.toLowerCase()}`];
}
