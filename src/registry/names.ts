// Official-registry names and gateway paths, both ways. A gateway server at `/weather`
// is `{namespace}/weather`; a nested path `/team/weather` is `{namespace}/team.weather`
// (a name holds exactly one `/`, and paths never contain `.`, so the mapping reverses).
// A published entry is a server row whose path is derived from its name and version.
import { createHash } from "node:crypto";
import { MAX_PATH_LENGTH } from "../servers/path.ts";

export const NAME_PATTERN = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/;
export const NAME_MIN = 3;
export const NAME_MAX = 200;

export function splitName(name: string): { namespace: string; server: string } | null {
  if (!NAME_PATTERN.test(name)) return null;
  const slash = name.indexOf("/");
  return { namespace: name.slice(0, slash), server: name.slice(slash + 1) };
}

/** The registry name of a server registered through the gateway. */
export function gatewayNameOf(namespace: string, path: string): string {
  return `${namespace}/${path.slice(1).replace(/\//g, ".")}`;
}

/** The gateway path a name stands for, or null when it is not in the gateway's namespace. */
export function gatewayPathOf(namespace: string, name: string): string | null {
  const parts = splitName(name);
  if (!parts || parts.namespace !== namespace) return null;
  const path = `/${parts.server.replace(/\./g, "/")}`;
  return /^\/[a-z0-9_-]+(\/[a-z0-9_-]+)*$/.test(path) ? path : null;
}

/** Lower-case letters, digits, '-' and '_'; anything else becomes '-'. */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, "-");
}

/** A path segment that never stands for two different texts: kept when already safe, else slugged plus a hash of it. */
function exactSegment(text: string, kept: RegExp, readable: (t: string) => string): string {
  if (kept.test(text)) return readable(text);
  return `${slug(text)}-${createHash("sha256").update(text).digest("hex").slice(0, 8)}`;
}

/**
 * The path of a published entry: `/{namespace}/{server}/{version}`
 * (`io.github.acme/weather` 1.0.0 → `/io-github-acme/weather/1-0-0`), so that policy
 * prefixes such as `/io-github-acme/*` cover a namespace's entries. The namespace is
 * slugged for those prefixes; the server and version parts stay distinct for distinct
 * texts (`1.0.0-rc.1` and `1.0.0-rc-1`, `Weather` and `weather`): a plain lower-case
 * server name and a dotted numeric version are written as they are (dots as `-`),
 * anything else is slugged and ends in a hash of the original. Paths too long for a
 * server path are cut and end in a hash of the whole name and version.
 */
export function publishedPathOf(name: string, version: string): string {
  const parts = splitName(name);
  const server = parts ? exactSegment(parts.server, /^[a-z0-9_-]+$/, (t) => t) : exactSegment(name, /^[a-z0-9_-]+$/, (t) => t);
  const ver = exactSegment(version, /^\d+(\.\d+)*$/, (t) => t.replaceAll(".", "-"));
  const full = parts ? `/${slug(parts.namespace)}/${server}/${ver}` : `/${server}/${ver}`;
  if (full.length <= MAX_PATH_LENGTH) return full;
  const hash = createHash("sha256").update(`${name}\u0000${version}`).digest("hex").slice(0, 16);
  return `${full.slice(0, MAX_PATH_LENGTH - hash.length - 1).replace(/\/+$/, "")}-${hash}`;
}
