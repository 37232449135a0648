// Announces that data changed, to this process and to every other replica.
// Response caches clear on it; capabilities' events (servers' health, tool and
// lifecycle events) ride on it as opaque payloads, which each capability narrows.
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import pg from "pg";
import type { Logger } from "pino";

export type Change = {
  entity: "server" | "tool" | "health" | "policy" | "session" | "token" | "registry";
  path?: string;
  /**
   * session: the key of a session that ended (logout); token: the id (jti) of a revoked
   * registry token. Without an id: any of that kind may have ended. Open sockets close on these.
   */
  id?: string;
  /** What happened, for subscribers. Small: NOTIFY carries at most 8 KB. */
  event?: ChangeEvent;
};

/**
 * A capability's event as the feed carries it: JSON with a `type`. The feed does not know
 * the kinds (the storage layer imports no capability); the publisher's capability narrows it.
 */
export type ChangeEvent = { readonly type: string; readonly [field: string]: unknown };
type Listener = (change: Change) => void;

/** In-process feed: enough for the embedded database, where there is one process. */
export class ChangeFeed {
  protected readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(change: Change): void {
    this.emitter.emit("change", change);
  }

  /** Whether changes from other replicas reach this one (in-process: there are no others). */
  get connected(): boolean {
    return true;
  }

  subscribe(listener: Listener): () => void {
    this.emitter.on("change", listener);
    return () => this.emitter.off("change", listener);
  }

  /** Listeners in this process (a metrics gauge). */
  subscriberCount(): number {
    return this.emitter.listenerCount("change");
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** Carries changes between replicas with LISTEN/NOTIFY on one dedicated connection. */
export class PgChangeFeed extends ChangeFeed {
  private client: pg.Client | undefined;
  private closed = false;
  /** Lets a replica skip its own notifications, which it already applied locally. */
  private readonly origin = randomUUID();

  private constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly log: Logger,
  ) {
    super();
  }

  static async start(config: pg.ClientConfig, schema: string, log: Logger): Promise<PgChangeFeed> {
    const feed = new PgChangeFeed(config, `mcp_registry_${schema}`.slice(0, 63), log);
    await feed.connect();
    return feed;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on("notification", (msg) => {
      if (msg.channel !== this.channel || !msg.payload) return;
      try {
        const { origin, change } = JSON.parse(msg.payload) as { origin: string; change: Change };
        if (origin !== this.origin) this.emitter.emit("change", change);
      } catch {
        this.log.warn({ payload: msg.payload }, "ignored a malformed change notification");
      }
    });
    client.on("error", (err) => {
      this.log.error({ err: err.message }, "change feed connection lost; reconnecting");
      this.client = undefined;
      void client.end().catch(() => undefined);
      this.reconnectSoon();
    });
    await client.connect();
    await client.query(`listen "${this.channel}"`);
    this.client = client;
  }

  private reconnectSoon(): void {
    if (this.closed) return;
    setTimeout(() => {
      this.connect()
        // Caches may have missed changes while disconnected: tell listeners to drop everything,
        // and sockets to re-check their credentials (a logout or revocation may be among them).
        .then(() => {
          for (const entity of ["server", "session", "token"] as const) this.emitter.emit("change", { entity } satisfies Change);
        })
        .catch((err: Error) => {
          this.log.error({ err: err.message }, "change feed reconnect failed");
          this.reconnectSoon();
        });
    }, 1_000).unref();
  }

  override get connected(): boolean {
    return this.client !== undefined && !this.closed;
  }

  /** Applied here at once (a reader right after a write must see it), then sent to the others. */
  override publish(change: Change): void {
    this.emitter.emit("change", change);
    const payload = JSON.stringify({ origin: this.origin, change });
    this.client?.query("select pg_notify($1, $2)", [this.channel, payload]).catch((err: Error) => {
      this.log.error({ err: err.message }, "could not send a change to other replicas");
    });
  }

  override async close(): Promise<void> {
    this.closed = true;
    await super.close();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
