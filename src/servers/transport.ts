// Which MCP transport a server is spoken to over, from its registered choice and its URL:
// the one rule behind the health probe's attempts, the transport the registry API lists
// for a gateway server and the server page's description. Pure: the browser uses it too.
import type { TransportValue } from "./validate.ts";

/** A transport on the wire: AUTO resolves to one of these. */
export type WireTransport = Exclude<TransportValue, "AUTO">;

/** A URL whose path ends in `/sse` (any case, a trailing slash allowed) serves MCP's older HTTP+SSE transport. */
export function urlNamesSse(url: string | URL): boolean {
  return /\/sse\/?$/i.test(pathnameOf(url));
}

/** The transports to try, in order: AUTO tries Streamable HTTP first, as the MCP spec's backwards-compatibility section says, except on a `/sse` URL. */
export function transportsFor(url: string | URL, choice: TransportValue): WireTransport[] {
  if (choice === "SSE") return ["SSE"];
  if (choice === "STREAMABLE_HTTP") return ["STREAMABLE_HTTP"];
  return urlNamesSse(url) ? ["SSE"] : ["STREAMABLE_HTTP", "SSE"];
}

/** The transport clients are told to use: the first one tried. */
export function transportOf(url: string | URL, choice: TransportValue): WireTransport {
  return transportsFor(url, choice)[0] ?? "STREAMABLE_HTTP";
}

/** The path of a URL; of a string that is no URL, what comes before its query or fragment. */
function pathnameOf(url: string | URL): string {
  if (typeof url !== "string") return url.pathname;
  try {
    return new URL(url).pathname;
  } catch {
    return url.replace(/[?#].*$/s, "");
  }
}
