// The one place that decides which URL registry clients are given for a gateway server:
// the gateway's own, `{PUBLIC_URL}{path}/mcp`, never the upstream's (often private)
// address. The gateway speaks Streamable HTTP to clients whatever the upstream speaks
// (an SSE upstream is bridged), so the remote is always streamable-http.
import { gatewayUrlOf } from "../servers/path.ts";

export type RemoteTransport = { type: "streamable-http"; url: string };

export function remoteOf(server: { path: string }, publicUrl: string): RemoteTransport {
  return { type: "streamable-http", url: gatewayUrlOf(publicUrl, server.path) };
}
