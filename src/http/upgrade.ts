// The HTTP server's one listener for WebSocket upgrades. It dispatches each handshake by
// path to the socket endpoint that serves it (GraphQL subscriptions, the health feed),
// and owns what every endpoint refuses alike, in this order:
// - a path nobody serves: 404; shutting down: 503;
// - more sockets than the endpoint's cap (open ones and handshakes still being admitted): 503;
// - what the endpoint's own admission refuses (the health feed's 401);
// - anonymous sockets (no working credential yet): more than `maxAnonymousPerIp` from one
//   client address get 429, and beyond `maxAnonymous` in all 503, so that the rest of
//   the slots stay free for signed-in clients.
// Endpoints never listen on `upgrade` themselves, so nobody has to guess whether another
// listener will answer a socket.
import type http from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";

/** The client's address as the rate limiter sees it: X-Forwarded-For's first hop only behind a trusted proxy. */
export function clientIpOf(request: http.IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return request.socket.remoteAddress ?? "";
}

export function pathnameOf(url: string | undefined): string {
  try {
    return new URL(url ?? "/", "http://localhost").pathname;
  } catch {
    return "";
  }
}

export type Admission<T> =
  | { accept: true; signedIn: boolean; value: T }
  | { accept: false; status: number; message: string; headers?: Readonly<Record<string, string>> };

/** A socket's place in its endpoint's counts, released when the socket closes. */
export type Slot = {
  /** It proved who it is after the upgrade (graphql-ws's connection_init): it stops counting as anonymous. */
  signedIn(): void;
};

export type UpgradeRoute<T> = {
  /** For logs. */
  name: string;
  paths: readonly string[];
  /** Sockets open or being admitted; more get 503. */
  maxConnections: number;
  /** Anonymous sockets from one client address; more get 429. */
  maxAnonymousPerIp: number;
  /** Anonymous sockets in all; more get 503. Default: maxConnections (nothing kept for signed-in clients). */
  maxAnonymous?: number;
  /** Count addresses by X-Forwarded-For (behind a trusted proxy). */
  trustProxy: boolean;
  /** Who opens the socket, read from the upgrade request; may refuse it. Default: anonymous. */
  admit?: (req: http.IncomingMessage) => Promise<Admission<T>>;
  /** Completes the handshake (the endpoint's WebSocketServer.handleUpgrade). */
  upgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer, value: T | undefined, slot: Slot) => void;
};

type Counts = {
  route: UpgradeRoute<never>;
  open: number;
  anonymous: number;
  anonymousByIp: Map<string, number>;
};

export class UpgradeRouter {
  readonly #byPath = new Map<string, Counts>();
  readonly #log: Logger;
  #closing = false;

  constructor(server: http.Server, log: Logger) {
    this.#log = log.child({ component: "upgrade" });
    server.on("upgrade", this.#onUpgrade);
  }

  /** Serves `route.paths` from now on; remove() answers them 404 again. */
  add<T>(route: UpgradeRoute<T>): { remove(): void } {
    for (const p of route.paths) if (this.#byPath.has(p)) throw new Error(`${p} already has a WebSocket endpoint`);
    const counts: Counts = { route: route as unknown as UpgradeRoute<never>, open: 0, anonymous: 0, anonymousByIp: new Map() };
    for (const p of route.paths) this.#byPath.set(p, counts);
    return {
      remove: () => {
        for (const p of route.paths) if (this.#byPath.get(p) === counts) this.#byPath.delete(p);
      },
    };
  }

  /** Sockets open or being admitted, by endpoint name (a metrics gauge). */
  openSockets(): { endpoint: string; open: number }[] {
    return [...new Set(this.#byPath.values())].map((c) => ({ endpoint: c.route.name, open: c.open }));
  }

  /** Refuses every handshake from now on (503); the endpoints close their own sockets. */
  close(): void {
    this.#closing = true;
  }

  readonly #onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const counts = this.#byPath.get(pathnameOf(req.url));
    try {
      if (!counts) return refuse(socket, 404, "Not Found");
      if (this.#closing) return refuse(socket, 503, "Service Unavailable");
      const { route } = counts;
      if (counts.open >= route.maxConnections) {
        this.#log.warn({ endpoint: route.name, maxConnections: route.maxConnections }, "refused a WebSocket: too many open sockets");
        return refuse(socket, 503, "Service Unavailable");
      }
      counts.open += 1;
      socket.once("close", () => {
        counts.open -= 1;
      });
      this.#admit(counts, req, socket, head).catch((err: Error) => this.#failed(route, socket, err));
    } catch (err) {
      this.#failed(counts?.route, socket, err as Error);
    }
  };

  async #admit(counts: Counts, req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { route } = counts;
    const admission: Admission<unknown> = route.admit ? await route.admit(req) : { accept: true, signedIn: false, value: undefined };
    if (socket.destroyed || socket.writableEnded) return;
    // Removed or shutting down while the credential was being checked.
    if (this.#closing || this.#byPath.get(pathnameOf(req.url)) !== counts) return refuse(socket, 503, "Service Unavailable");
    if (!admission.accept) return refuse(socket, admission.status, admission.message, admission.headers);
    let release = () => {};
    if (!admission.signedIn) {
      const ip = clientIpOf(req, route.trustProxy);
      const fromIp = counts.anonymousByIp.get(ip) ?? 0;
      if (fromIp >= route.maxAnonymousPerIp) {
        this.#log.warn({ endpoint: route.name, ip, maxAnonymousPerIp: route.maxAnonymousPerIp }, "refused an anonymous WebSocket: too many from its address");
        return refuse(socket, 429, "Too Many Requests");
      }
      const maxAnonymous = route.maxAnonymous ?? route.maxConnections;
      if (counts.anonymous >= maxAnonymous) {
        this.#log.warn({ endpoint: route.name, maxAnonymous }, "refused an anonymous WebSocket: the remaining slots are kept for signed-in clients");
        return refuse(socket, 503, "Service Unavailable");
      }
      counts.anonymous += 1;
      counts.anonymousByIp.set(ip, fromIp + 1);
      let counted = true;
      release = () => {
        if (!counted) return;
        counted = false;
        counts.anonymous -= 1;
        const n = (counts.anonymousByIp.get(ip) ?? 1) - 1;
        if (n > 0) counts.anonymousByIp.set(ip, n);
        else counts.anonymousByIp.delete(ip);
      };
      socket.once("close", release);
    }
    route.upgrade(req, socket, head, admission.value as never, { signedIn: release });
  }

  #failed(route: UpgradeRoute<never> | undefined, socket: Duplex, err: Error): void {
    this.#log.error({ endpoint: route?.name, err: err.message }, "WebSocket handshake failed");
    if (!socket.destroyed && !socket.writableEnded) refuse(socket, 500, "Internal Server Error");
  }
}

function refuse(socket: Duplex, status: number, message: string, headers: Readonly<Record<string, string>> = {}): void {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  socket.once("finish", () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${message}\r\n${lines}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}
