// The transport-from-URL rule, written once (src/servers/transport.ts): the probe's order
// of attempts, for URLs given as text (the stored proxyPassUrl) or parsed. (The registry
// API lists the gateway's URL, which is Streamable HTTP whatever the upstream speaks.)
import { describe, expect, it } from "vitest";
import { transportOf, transportsFor, urlNamesSse } from "../../src/servers/transport.ts";
import type { TransportValue } from "../../src/servers/validate.ts";

describe("transport from URL", () => {
  it.each([
    ["http://h/sse", true],
    ["http://h/SSE/", true],
    ["http://h/a/sse?x=1", true],
    ["http://h/a/sse#top", true],
    ["http://h/mcp", false],
    ["http://h/mcp?next=/sse", false],
    ["http://h/mcp#/sse", false],
    ["http://h/ssex", false],
    ["not a url/sse", true],
    ["not a url/mcp?x=/sse", false],
  ])("%s names SSE: %s", (url, sse) => {
    expect(urlNamesSse(url)).toBe(sse);
    if (URL.canParse(url)) expect(urlNamesSse(new URL(url))).toBe(sse);
  });

  it.each([
    ["http://h/sse", "AUTO", "SSE"],
    ["http://h/mcp", "AUTO", "STREAMABLE_HTTP"],
    ["http://h/mcp?next=/sse", "AUTO", "STREAMABLE_HTTP"],
    ["http://h/sse?x=1", "AUTO", "SSE"],
    ["http://h/sse", "STREAMABLE_HTTP", "STREAMABLE_HTTP"],
    ["http://h/mcp", "SSE", "SSE"],
  ] as const)("%s with %s: the probe tries %s first, from text or parsed", (url, choice: TransportValue, first) => {
    expect(transportOf(url, choice)).toBe(first);
    expect(transportsFor(new URL(url), choice)[0]).toBe(first);
  });
});
