// The one place that decides which URL clients are given for a gateway server. Today
// that is the server's own URL; a later gateway mode will hand out the gateway's URL
// instead, and only this function changes.
import { transportOf } from "../servers/transport.ts";
import { TRANSPORTS, type TransportValue } from "../servers/validate.ts";

export type RemoteTransport = { type: "streamable-http" | "sse"; url: string };

export function remoteOf(server: { proxyPassUrl: string; transport: string }): RemoteTransport {
  // A stored value is one of TRANSPORTS; anything else is taken as plain Streamable HTTP.
  const choice: TransportValue = TRANSPORTS.find((t) => t === server.transport) ?? "STREAMABLE_HTTP";
  return { type: transportOf(server.proxyPassUrl, choice) === "SSE" ? "sse" : "streamable-http", url: server.proxyPassUrl };
}
