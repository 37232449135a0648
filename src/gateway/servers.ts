// The servers the gateway routes to, by path: a small cache of rows in front of the
// database, so that a tools/call costs no query. Every server change on any replica
// reaches this cache through the change feed (LISTEN/NOTIFY on PostgreSQL) and empties
// it; a read that raced a change is not kept (the generation moved on), so a server
// disabled or re-pointed on one replica is routed accordingly by every replica as soon
// as its notification arrives.
import type { Logger } from "pino";
import type { Database } from "../db/database.ts";
import { authHeaders, type Credentials } from "../health/credentials.ts";
import { transportOf } from "../servers/transport.ts";
import { LruMap } from "../lru-map.ts";

export type GatewayServer = {
  id: string;
  path: string;
  enabled: boolean;
  upstreamUrl: URL;
  transport: "streamable-http" | "sse";
  /** The stored upstream credential as headers, decrypted. */
  upstreamHeaders: Readonly<Record<string, string>>;
  /** Its own upstream timeout, when it has one (else the gateway's default). */
  timeoutMs: number | undefined;
};

/** A cached answer: the server, or none at that path. */
type Entry = { server: GatewayServer | null };

const MAX_ENTRIES = 10_000;
const MAX_BYTES = 8 * 1024 * 1024;
/** A lost notification (a feed reconnecting) costs at most this much staleness. */
const TTL_MS = 30_000;

export class GatewayServers {
  private readonly cache = new LruMap<string, Entry>({
    maxEntries: MAX_ENTRIES,
    maxBytes: MAX_BYTES,
    sizeOf: (entry, path) => path.length + 256 + (entry.server ? entry.server.upstreamUrl.href.length + JSON.stringify(entry.server.upstreamHeaders).length : 0),
  });
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Database,
    private readonly credentials: Credentials,
    private readonly log: Logger,
  ) {
    // Renames and policy-driven changes carry no usable path: any server change empties the cache.
    this.unsubscribe = db.changes.subscribe((change) => {
      if (change.entity !== "server") return;
      this.generation++;
      this.cache.clear();
    });
  }

  async find(path: string): Promise<GatewayServer | null> {
    const hit = this.cache.get(path);
    if (hit) return hit.server;
    const generation = this.generation;
    const row = await this.db.prisma.server.findUnique({
      where: { path },
      select: {
        id: true,
        path: true,
        enabled: true,
        proxyPassUrl: true,
        transport: true,
        upstreamTimeoutSeconds: true,
        upstreamAuth: true,
        upstreamAuthHeader: true,
        upstreamAuthSecret: true,
      },
    });
    let server: GatewayServer | null = null;
    if (row) {
      let upstreamUrl: URL | undefined;
      try {
        upstreamUrl = new URL(row.proxyPassUrl);
      } catch {
        this.log.warn({ path }, "server has an unusable proxy_pass_url; the gateway cannot route to it");
      }
      let secret: string | undefined;
      if (row.upstreamAuthSecret) {
        try {
          secret = this.credentials.decrypt(row.upstreamAuthSecret);
        } catch {
          this.log.error({ path }, "cannot decrypt the server's credential (was CREDENTIALS_KEY changed?)");
        }
      }
      if (upstreamUrl) {
        server = {
          id: row.id,
          path: row.path,
          enabled: row.enabled,
          upstreamUrl,
          transport: transportOf(upstreamUrl, row.transport) === "SSE" ? "sse" : "streamable-http",
          upstreamHeaders: authHeaders(row.upstreamAuth, row.upstreamAuthHeader, secret),
          timeoutMs: row.upstreamTimeoutSeconds === null ? undefined : row.upstreamTimeoutSeconds * 1000,
        };
      }
    }
    if (generation === this.generation) this.cache.set(path, { server }, TTL_MS);
    return server;
  }

  close(): void {
    this.unsubscribe();
    this.cache.clear();
  }
}
