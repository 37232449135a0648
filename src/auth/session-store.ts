// koa-session's external store: sessions live in the database (logout really ends
// them, replicas share them). A short in-memory cache keeps cookie-authenticated
// requests from paying a database read each; logout clears it on every replica.
import type { Database } from "../db/database.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { LruMap } from "../lru-map.ts";

type SessionData = Record<string, unknown>;
const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;
/** Session data varies (groups, a pending login): the cache is bounded in bytes too. */
const CACHE_MAX_BYTES = 8 * 1024 * 1024;

export class SessionStore {
  private readonly cache = new LruMap<string, { data: SessionData; expiresAt: number }>({
    maxEntries: CACHE_MAX,
    maxBytes: CACHE_MAX_BYTES,
    sizeOf: (entry, key) => key.length + JSON.stringify(entry.data).length,
    ttlMs: CACHE_MS,
  });
  private readonly stop: () => void;

  constructor(private readonly db: Database) {
    this.stop = db.changes.subscribe((c) => {
      if (c.entity === "session") {
        if (c.id) this.cache.delete(c.id);
        else this.cache.clear();
      }
    });
  }

  async get(key: string): Promise<SessionData | undefined> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit) return hit.expiresAt > now ? hit.data : undefined;
    const row = await this.db.prisma.session.findUnique({ where: { id: key } });
    if (!row) return undefined;
    if (row.expiresAt.getTime() <= now) {
      await this.db.prisma.session.deleteMany({ where: { id: key } });
      return undefined;
    }
    this.remember(key, row.data as SessionData, row.expiresAt.getTime());
    return row.data as SessionData;
  }

  async set(key: string, data: SessionData, maxAge: number | "session" | undefined): Promise<void> {
    // koa-session records the absolute expiry in the data (_expire); the row must end then too.
    const expire = typeof data._expire === "number" ? data._expire : undefined;
    const expiresAt = new Date(expire ?? Date.now() + (typeof maxAge === "number" ? maxAge : 86_400_000));
    const json = data as Prisma.InputJsonObject;
    await this.db.prisma.session.upsert({
      where: { id: key },
      create: { id: key, data: json, expiresAt },
      update: { data: json, expiresAt },
    });
    this.remember(key, data, expiresAt.getTime());
  }

  async destroy(key: string): Promise<void> {
    this.cache.delete(key);
    await this.db.prisma.session.deleteMany({ where: { id: key } });
    this.db.changes.publish({ entity: "session", id: key });
  }

  /** Deletes expired rows; returns how many. */
  async sweep(): Promise<number> {
    const { count } = await this.db.prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    return count;
  }

  close(): void {
    this.stop();
    this.cache.clear();
  }

  private remember(key: string, data: SessionData, expiresAt: number): void {
    this.cache.set(key, { data, expiresAt });
  }
}
