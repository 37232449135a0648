// The SSRF guard for every outbound call the server makes (health probes, tool
// discovery). Registries point at internal services, so loopback and private
// ranges stay reachable; what is blocked by default are the addresses nobody
// registers on purpose and an attacker would love to reach: link-local, the
// cloud metadata services and "this host" (0.0.0.0, ::).
//
// An IPv4 address has IPv6 spellings that reach it (IPv4-mapped ::ffff:a.b.c.d, NAT64
// 64:ff9b::a.b.c.d, IPv4-compatible ::a.b.c.d, 6to4 2002:aabb:ccdd::), and loopback is
// ::1 as much as 127.0.0.1: each rule is checked against the IPv6 address and against
// the IPv4 address it stands for, so "127.0.0.0/8" blocks [::1] and [64:ff9b::7f00:1] too.
import dns from "node:dns";
import net from "node:net";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";
import { parseCidrList } from "../cidr.ts";

/** CIDR strings, IPv4 or IPv6. `allow` lifts the default blocks; `deny` blocks more and wins over `allow`. */
export type AddressPolicy = { allow: string[]; deny: string[] };

const DEFAULT_BLOCKED = [
  "0.0.0.0/8",
  "169.254.0.0/16", // link-local, includes 169.254.169.254 (AWS, GCP, Azure metadata)
  "100.100.100.200/32", // Alibaba Cloud metadata
  "::/128",
  "fe80::/10",
  "fd00:ec2::254/128", // AWS metadata over IPv6
];

export class BlockedAddressError extends Error {
  readonly code = "EMCP_BLOCKED";
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(host === address ? `blocked address ${address}` : `blocked address ${address} for ${host}`);
    this.name = "BlockedAddressError";
  }
}

/** True when a connection to `ip` must not be made. Anything that is not an IP address is blocked. */
export function isBlockedAddress(ip: string, policy: AddressPolicy): boolean {
  return addressGuard(policy)(ip);
}

/** Compiles a policy once into a check. */
function addressGuard(policy: AddressPolicy): (ip: string) => boolean {
  const defaults = blockListOf(DEFAULT_BLOCKED);
  const allow = blockListOf(policy.allow);
  const deny = blockListOf(policy.deny);
  return (ip) => {
    // A scoped link-local address (fe80::1%eth0) would not match fe80::/10 with its zone on.
    const address = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
    const family = net.isIP(address);
    if (family === 0) return true;
    const type = family === 4 ? "ipv4" : "ipv6";
    const v4 = type === "ipv6" ? embeddedIpv4(address) : undefined;
    const matches = (list: net.BlockList) => list.check(address, type) || (v4 !== undefined && list.check(v4, "ipv4"));
    if (matches(deny)) return true;
    return matches(defaults) && !matches(allow);
  };
}

/**
 * The IPv4 address an IPv6 address stands for, if any: ::1 is loopback (127.0.0.1),
 * :: is "this host" (0.0.0.0); IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and
 * IPv4-compatible (::/96) addresses carry it in their last 32 bits, 6to4 (2002::/16)
 * in the 32 bits after the prefix.
 */
function embeddedIpv4(address: string): string | undefined {
  const w = ipv6Words(address);
  if (!w) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  if (zeros(0, 7) && w[7] === 1) return "127.0.0.1";
  if (zeros(0, 5) && (w[5] === 0 || w[5] === 0xffff)) return v4(w[6]!, w[7]!); // compatible (and ::), mapped
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return v4(w[6]!, w[7]!);
  if (w[0] === 0x2002) return v4(w[1]!, w[2]!);
  return undefined;
}

/** The eight 16-bit words of a valid IPv6 address (net.isIP said so), dotted IPv4 tails included. */
function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const part = (s: string) => (s === "" ? [] : s.split(":").map((x) => parseInt(x, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const words = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return words.length === 8 && words.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff) ? words : undefined;
}

function blockListOf(cidrs: string[]): net.BlockList {
  const list = new net.BlockList();
  for (const cidr of parseCidrList(cidrs.join(","))) {
    const [address = "", prefix] = cidr.split("/");
    list.addSubnet(address, Number(prefix), net.isIP(address) === 4 ? "ipv4" : "ipv6");
  }
  return list;
}

export type GuardedFetch = typeof fetch & {
  /** Closes the pooled connections; for shutdown and tests. */
  close(): Promise<void>;
};

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * An undici Agent (keep-alive per origin) that never connects to a blocked address: host
 * names are resolved by our own `lookup` inside the connector, so the address checked is the
 * address connected to (no DNS rebinding between check and connect), and IP literals, which
 * never reach `lookup`, are refused by the connector before it dials. The health probe's
 * fetch and the gateway's passthrough both dial through one of these.
 */
export function createGuardedAgent(policy: AddressPolicy, options: Agent.Options = {}): Agent {
  const blocked = addressGuard(policy);
  const lookup = (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      // Connect only to the allowed answers; if none is left, say which address was refused.
      const allowed = addresses.filter((a) => !blocked(a.address));
      const first = allowed[0];
      if (!first) return callback(new BlockedAddressError(hostname, addresses[0]?.address ?? "no address"), []);
      if (options.all) return callback(null, allowed);
      callback(null, first.address, first.family);
    });
  };
  const connector = buildConnector({ lookup } as buildConnector.BuildOptions);
  return new Agent({
    ...options,
    connect: (opts, callback) => {
      const host = opts.hostname.replace(/^\[|\]$/g, "");
      if (net.isIP(host) !== 0 && blocked(host)) return callback(new BlockedAddressError(host, host), null);
      connector(opts, callback);
    },
  });
}

/**
 * A fetch that never connects to a blocked address.
 *
 * Host names are resolved by our own `lookup` inside the connector, so the
 * address checked is the address connected to: a DNS answer cannot change
 * between the check and the connect (rebinding). IP literals never reach
 * `lookup`, so they are checked before the request. Redirects are followed
 * here, one hop at a time, so every hop goes through the same checks.
 *
 * It is undici's own fetch with undici's own Agent: Node's built-in fetch
 * bundles another undici major whose dispatcher API differs from the npm one.
 */
export function createGuardedFetch(policy: AddressPolicy): GuardedFetch {
  const blocked = addressGuard(policy);

  const agent = createGuardedAgent(policy);

  const checkTarget = (url: URL): void => {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw networkError(new Error(`unsupported protocol ${url.protocol}`));
    }
    const host = url.hostname.replace(/^\[|\]$/g, "");
    // Wrapped like undici's own failures, so callers see one shape for both paths.
    if (net.isIP(host) !== 0 && blocked(host)) throw networkError(new BlockedAddressError(host, host));
  };

  const guarded = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    // Normalise the arguments once, and buffer the body so a 307/308 can send it again.
    // Probe bodies are small JSON-RPC messages.
    const request = new Request(input, init);
    let url = new URL(request.url);
    let method = request.method;
    let body: ArrayBuffer | undefined = request.body ? await request.arrayBuffer() : undefined;
    const headers = new Headers(request.headers);
    const mode = request.redirect;

    for (let hop = 0; ; hop++) {
      checkTarget(url);
      const response = await undiciFetch(url, {
        method,
        headers: plainHeaders(headers),
        body,
        signal: request.signal,
        redirect: "manual",
        dispatcher: agent,
      });
      const location = response.headers.get("location");
      if (mode === "manual" || !REDIRECT_STATUSES.has(response.status) || location === null) {
        // undici's Response is the same WHATWG class, typed from undici-types instead of lib.dom.
        return response as unknown as Response;
      }
      await response.body?.cancel();
      if (mode === "error") throw networkError(new Error("redirect not allowed"));
      if (hop >= MAX_REDIRECTS) throw networkError(new Error(`more than ${MAX_REDIRECTS} redirects`));

      const next = new URL(location, url);
      // The fetch standard's rules: 303 (and 301/302 after a POST) continue as a GET without a body.
      const toGet = response.status === 303 ? method !== "HEAD" : response.status <= 302 && method === "POST";
      if (toGet) {
        method = "GET";
        body = undefined;
        for (const name of ["content-type", "content-length", "content-encoding", "content-language", "content-location"]) {
          headers.delete(name);
        }
      }
      // A registry's credentials are for the registered server, not wherever it redirects to.
      if (next.origin !== url.origin) {
        headers.delete("authorization");
        headers.delete("proxy-authorization");
        headers.delete("cookie");
      }
      url = next;
    }
  };

  // A graceful close waits for open responses to end, and an SSE stream whose abort has
  // not reached the socket yet never ends: after a short grace, close the sockets.
  const close = async () => {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => void agent.destroy().then(resolve, resolve), 1_000);
    });
    await Promise.race([agent.close(), grace]);
    clearTimeout(timer);
  };
  return Object.assign(guarded, { close });
}

// undici types its own Headers class, and lib.dom's Headers is not iterable without DOM.Iterable.
function plainHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name] = value));
  return out;
}

function networkError(cause: Error): TypeError {
  return new TypeError("fetch failed", { cause });
}
