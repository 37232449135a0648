// The SSRF guard: the address rules as a table, the settings parser, and the
// guarded fetch against real loopback servers that count their connections.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import {
  BlockedAddressError,
  createGuardedFetch,
  isBlockedAddress,
  type AddressPolicy,
  type GuardedFetch,
} from "../../src/health/ssrf.ts";
import { parseCidrList } from "../../src/cidr.ts";

const DEFAULTS: AddressPolicy = { allow: [], deny: [] };

describe("isBlockedAddress", () => {
  // One row per rule: the address, the policy, blocked or not.
  it.each([
    // blocked by default
    ["169.254.169.254", DEFAULTS, true], // AWS / GCP / Azure metadata
    ["169.254.10.20", DEFAULTS, true], // IPv4 link-local
    ["100.100.100.200", DEFAULTS, true], // Alibaba metadata
    ["0.0.0.0", DEFAULTS, true],
    ["0.1.2.3", DEFAULTS, true],
    ["::", DEFAULTS, true],
    ["fe80::1", DEFAULTS, true], // IPv6 link-local
    ["febf:ffff::1", DEFAULTS, true], // last of fe80::/10
    ["fe80::1%eth0", DEFAULTS, true], // scoped
    ["fd00:ec2::254", DEFAULTS, true], // AWS metadata over IPv6
    ["::ffff:169.254.169.254", DEFAULTS, true], // IPv4-mapped
    ["::ffff:a9fe:a9fe", DEFAULTS, true], // IPv4-mapped, hex
    ["::ffff:0.0.0.0", DEFAULTS, true],
    ["::ffff:100.100.100.200", DEFAULTS, true],
    ["[fe80::1]", DEFAULTS, true], // as a URL spells it
    ["not-an-ip", DEFAULTS, true], // anything unparseable fails closed
    ["", DEFAULTS, true],
    // allowed by default: registries point at internal services
    ["127.0.0.1", DEFAULTS, false],
    ["::1", DEFAULTS, false],
    ["10.1.2.3", DEFAULTS, false],
    ["172.16.0.1", DEFAULTS, false],
    ["192.168.1.1", DEFAULTS, false],
    ["fd12:3456::1", DEFAULTS, false],
    ["100.100.100.201", DEFAULTS, false],
    ["169.255.0.1", DEFAULTS, false],
    ["fec0::1", DEFAULTS, false], // just past fe80::/10
    ["93.184.216.34", DEFAULTS, false],
    ["2606:4700::1111", DEFAULTS, false],
    ["::ffff:127.0.0.1", DEFAULTS, false],
    // allow overrides the defaults
    ["169.254.169.254", { allow: ["169.254.0.0/16"], deny: [] }, false],
    ["169.254.169.254", { allow: ["169.254.169.254/32"], deny: [] }, false],
    ["169.254.169.253", { allow: ["169.254.169.254/32"], deny: [] }, true],
    ["::ffff:169.254.169.254", { allow: ["169.254.169.254/32"], deny: [] }, false],
    ["fe80::1", { allow: ["fe80::/10"], deny: [] }, false],
    ["0.0.0.0", { allow: ["0.0.0.0/32"], deny: [] }, false],
    // deny blocks more, and wins over allow
    ["127.0.0.1", { allow: [], deny: ["127.0.0.0/8"] }, true],
    ["::ffff:127.0.0.1", { allow: [], deny: ["127.0.0.0/8"] }, true],
    // loopback means both families: an IPv4 loopback rule blocks ::1 too
    ["::1", { allow: [], deny: ["127.0.0.0/8"] }, true],
    ["[::1]", { allow: [], deny: ["127.0.0.0/8"] }, true],
    ["0:0:0:0:0:0:0:1", { allow: [], deny: ["127.0.0.0/8"] }, true],
    ["::1", { allow: [], deny: ["127.0.0.1/32"] }, true],
    ["::1", { allow: [], deny: ["10.0.0.0/8"] }, false],
    ["fd00::1", { allow: [], deny: ["127.0.0.0/8"] }, false],
    ["::2", DEFAULTS, true], // IPv4-compatible 0.0.0.2, "this network"
    // IPv6 spellings of a denied IPv4 address: mapped, NAT64, IPv4-compatible, 6to4
    ["::ffff:7f00:1", { allow: [], deny: ["127.0.0.0/8"] }, true],
    ["64:ff9b::7f00:1", { allow: [], deny: ["127.0.0.0/8"] }, true],
    ["64:ff9b::127.0.0.1", { allow: [], deny: ["127.0.0.0/8"] }, true],
    ["::127.0.0.1", { allow: [], deny: ["127.0.0.0/8"] }, true],
    ["::7f00:1", { allow: [], deny: ["127.0.0.0/8"] }, true],
    ["2002:7f00:0001::", { allow: [], deny: ["127.0.0.0/8"] }, true],
    ["2002:7f00:1:0:0:0:0:1", { allow: [], deny: ["127.0.0.0/8"] }, true],
    ["64:ff9b::a00:1", { allow: [], deny: ["10.0.0.0/8"] }, true],
    ["2002:a00:1::", { allow: [], deny: ["10.0.0.0/8"] }, true],
    ["64:ff9b::b00:1", { allow: [], deny: ["10.0.0.0/8"] }, false],
    ["2002:b00:1::", { allow: [], deny: ["10.0.0.0/8"] }, false],
    ["64:ff9b:1::7f00:1", { allow: [], deny: ["127.0.0.0/8"] }, false], // not the well-known NAT64 prefix
    // ...and of the default-blocked ones
    ["64:ff9b::a9fe:a9fe", DEFAULTS, true], // NAT64 of 169.254.169.254
    ["64:ff9b::169.254.169.254", DEFAULTS, true],
    ["::169.254.169.254", DEFAULTS, true], // IPv4-compatible
    ["::a9fe:a9fe", DEFAULTS, true],
    ["2002:a9fe:a9fe::", DEFAULTS, true], // 6to4
    ["2002:a9fe:a9fe:1::5", DEFAULTS, true],
    ["64:ff9b::6464:64c8", DEFAULTS, true], // NAT64 of 100.100.100.200
    ["::0.0.0.5", DEFAULTS, true],
    ["64:ff9b::808:808", DEFAULTS, false], // NAT64 of 8.8.8.8
    ["2002:808:808::1", DEFAULTS, false],
    ["::808:808", DEFAULTS, false],
    ["64:ff9b::a9fe:a9fe", { allow: ["169.254.169.254/32"], deny: [] }, false], // allow lifts it in every spelling
    ["::1", { allow: [], deny: ["::1/128"] }, true],
    ["10.1.2.3", { allow: ["10.1.0.0/16"], deny: ["10.0.0.0/8"] }, true],
    ["169.254.169.254", { allow: ["169.254.0.0/16"], deny: ["169.254.169.254/32"] }, true],
    ["2001:db8::1", { allow: [], deny: ["2001:db8::/32"] }, true],
    ["2001:db9::1", { allow: [], deny: ["2001:db8::/32"] }, false],
    ["192.168.1.1", { allow: [], deny: ["192.168.1.1"] }, true], // a bare address is one host
    ["192.168.1.2", { allow: [], deny: ["192.168.1.1"] }, false],
  ] satisfies [string, AddressPolicy, boolean][])("%s with %j is blocked: %s", (ip, policy, blocked) => {
    expect(isBlockedAddress(ip, policy)).toBe(blocked);
  });
});

describe("parseCidrList", () => {
  it.each([
    ["", []],
    [" , ", []],
    ["10.0.0.0/8", ["10.0.0.0/8"]],
    [" 10.0.0.0/8 , fd00::/8,169.254.169.254 ", ["10.0.0.0/8", "fd00::/8", "169.254.169.254/32"]],
    ["::1", ["::1/128"]],
    ["0.0.0.0/0,::/0", ["0.0.0.0/0", "::/0"]],
  ])("%j parses to %j", (text, expected) => {
    expect(parseCidrList(text)).toEqual(expected);
  });

  // The error names the bad entry, so whoever wrote the setting can find it.
  it.each([
    ["10.0.0.0/33", "10.0.0.0/33"],
    ["::/129", "::/129"],
    ["10.0.0.0/8, example.com", "example.com"],
    ["10.0.0.0/", "10.0.0.0/"],
    ["10.0.0.0/-1", "10.0.0.0/-1"],
    ["10.0.0.0/8x", "10.0.0.0/8x"],
    ["10.0.0.0/8/8", "10.0.0.0/8/8"],
    ["10.0.0/8", "10.0.0/8"],
    ["fe80::1%eth0/64", "fe80::1%eth0/64"],
  ])("rejects %j naming %j", (text, entry) => {
    expect(() => parseCidrList(text)).toThrow(`invalid CIDR "${entry}"`);
  });
});

describe("BlockedAddressError", () => {
  it("carries a code and names the host and address", () => {
    const err = new BlockedAddressError("metadata.internal", "169.254.169.254");
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe("EMCP_BLOCKED");
    expect(err.message).toContain("metadata.internal");
    expect(err.message).toContain("169.254.169.254");
  });
});

/** An HTTP server on `host` that counts TCP connections and runs `handler`. */
async function countingServer(
  host: string,
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end("ok"),
): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = http.createServer(handler);
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    connections: () => connections,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe("createGuardedFetch", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.all(cleanup.map((close) => close()));
  });
  async function target(host: string, handler?: Parameters<typeof countingServer>[1]) {
    const s = await countingServer(host, handler);
    cleanup.push(s.close);
    return s;
  }
  function guarded(policy: AddressPolicy): GuardedFetch {
    const f = createGuardedFetch(policy);
    cleanup.push(f.close);
    return f;
  }
  /** The guarded fetch's failure, as a fetch failure (TypeError) caused by the guard. */
  async function blockedFailure(request: Promise<Response>): Promise<void> {
    const err: unknown = await request.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).cause).toBeInstanceOf(BlockedAddressError);
    expect((err as { cause: BlockedAddressError }).cause.code).toBe("EMCP_BLOCKED");
  }

  it("fetches from an allowed server", async () => {
    const s = await target("127.0.0.1");
    const res = await guarded(DEFAULTS)(`${s.url}/hello`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    expect(s.connections()).toBe(1);
  });

  it("refuses a denied IP literal without opening a connection", async () => {
    const s = await target("127.0.0.1");
    await blockedFailure(guarded({ allow: [], deny: ["127.0.0.1/32"] })(s.url));
    expect(s.connections()).toBe(0);
  });

  it("refuses a default-blocked IP literal in any spelling", async () => {
    const f = guarded(DEFAULTS);
    const urls = [
      "http://169.254.169.254/latest/meta-data/",
      "http://[::ffff:169.254.169.254]/",
      "http://[64:ff9b::a9fe:a9fe]/",
      "http://[::169.254.169.254]/",
      "http://[2002:a9fe:a9fe::]/",
      "http://[fd00:ec2::254]/",
      "http://0.0.0.0:9/",
      "http://[::]:9/",
    ];
    for (const url of urls) await blockedFailure(f(url));
  });

  it("with the README's example deny list, refuses [::1] without opening a connection", async () => {
    const s = await target("::1");
    const url = s.url.replace("http://::1", "http://[::1]");
    expect((await guarded(DEFAULTS)(url)).status).toBe(200);
    expect(s.connections()).toBe(1);
    const readmeExample = { allow: [], deny: parseCidrList("127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7") };
    await blockedFailure(guarded(readmeExample)(url));
    await blockedFailure(guarded(readmeExample)(s.url.replace("http://::1", "http://localhost")));
    expect(s.connections()).toBe(1);
  });

  it("refuses a host name that resolves to a denied address, without opening a connection", async () => {
    const s = await target("127.0.0.1");
    const url = s.url.replace("127.0.0.1", "localhost");
    await blockedFailure(guarded({ allow: [], deny: ["127.0.0.0/8", "::1/128"] })(url));
    expect(s.connections()).toBe(0);
    // The same name through an allowing policy reaches the server.
    expect((await guarded(DEFAULTS)(url)).status).toBe(200);
    expect(s.connections()).toBe(1);
  });

  it("refuses a redirect from an allowed server to a denied address, without connecting to it", async () => {
    const denied = await target("127.0.0.2");
    const redirecting = await target("127.0.0.1", (_req, res) => {
      res.writeHead(302, { location: `${denied.url}/secret` }).end();
    });
    await blockedFailure(guarded({ allow: [], deny: ["127.0.0.2/32"] })(redirecting.url));
    expect(redirecting.connections()).toBe(1);
    expect(denied.connections()).toBe(0);
  });

  it("follows a redirect to an allowed address", async () => {
    const allowed = await target("127.0.0.2");
    const redirecting = await target("127.0.0.1", (_req, res) => {
      res.writeHead(307, { location: `${allowed.url}/there` }).end();
    });
    const res = await guarded(DEFAULTS)(redirecting.url, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    expect(allowed.connections()).toBe(1);
  });

  it("refuses a redirect to the metadata address", async () => {
    const redirecting = await target("127.0.0.1", (_req, res) =>
      res.writeHead(301, { location: "http://169.254.169.254/latest/meta-data/" }).end(),
    );
    await blockedFailure(guarded(DEFAULTS)(redirecting.url));
  });

  it.each([
    [5, 200],
    [6, "fails"],
  ] as const)("%i redirects in a row: %s", async (hops, outcome) => {
    const s = await target("127.0.0.1", (req, res) => {
      const left = Number(new URL(req.url ?? "/", "http://x").searchParams.get("left"));
      if (left > 0) res.writeHead(302, { location: `/?left=${left - 1}` }).end();
      else res.end("ok");
    });
    const request = guarded(DEFAULTS)(`${s.url}/?left=${hops}`);
    if (outcome === 200) expect((await request).status).toBe(200);
    else await expect(request).rejects.toThrow(TypeError);
  });

  it("turns a 303 into a GET and drops credentials on a cross-origin hop", async () => {
    const seen: { method?: string; authorization?: string; body: string }[] = [];
    const other = await target("127.0.0.2", (req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        seen.push({ method: req.method, authorization: req.headers.authorization, body });
        res.end("ok");
      });
    });
    const first = await target("127.0.0.1", (_req, res) => res.writeHead(303, { location: other.url }).end());
    const res = await guarded(DEFAULTS)(first.url, {
      method: "POST",
      body: "{}",
      headers: { authorization: "Bearer s3cret", "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ method: "GET", authorization: undefined, body: "" }]);
  });

  it("hands back the redirect itself when asked for manual redirects", async () => {
    const s = await target("127.0.0.1", (_req, res) => res.writeHead(302, { location: "http://169.254.169.254/" }).end());
    const res = await guarded(DEFAULTS)(s.url, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("http://169.254.169.254/");
  });

  it("refuses protocols other than http and https", async () => {
    await expect(guarded(DEFAULTS)("file:///etc/passwd")).rejects.toThrow(TypeError);
  });
});

describe("closing the guarded fetch", () => {
  it("ends within its grace period while a streamed response is still open", async () => {
    // An SSE-like answer that never ends, read by nobody: a graceful close alone would wait forever.
    const sockets = new Set<import("node:net").Socket>();
    const endless = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: endpoint\ndata: /messages\n\n");
    });
    endless.on("connection", (s) => sockets.add(s));
    await new Promise<void>((resolve) => endless.listen(0, "127.0.0.1", resolve));
    const guarded = createGuardedFetch(DEFAULTS);
    try {
      const res = await guarded(`http://127.0.0.1:${(endless.address() as AddressInfo).port}/sse`);
      expect(res.status).toBe(200);
      const started = performance.now();
      await guarded.close();
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(900); // it did wait for the stream first
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => endless.close(() => resolve()));
    }
  });
});
