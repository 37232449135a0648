// The one place that decides which URL clients are given for a gateway server. Today
// that is the server's own URL; a later gateway mode will hand out the gateway's URL
// instead, and only this function changes.
export type RemoteTransport = { type: "streamable-http" | "sse"; url: string };

export function remoteOf(server: { proxyPassUrl: string; transport: string }): RemoteTransport {
  const type =
    server.transport === "SSE" || (server.transport === "AUTO" && /\/sse\/?$/i.test(server.proxyPassUrl))
      ? "sse"
      : "streamable-http";
  return { type, url: server.proxyPassUrl };
}
