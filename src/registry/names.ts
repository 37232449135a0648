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

/**
 * The path of a published entry: `/{namespace}/{server}/{version}`, each part slugged
 * (`io.github.acme/weather` 1.0.0 → `/io-github-acme/weather/1-0-0`), so that policy
 * prefixes such as `/io-github-acme/*` cover a namespace's entries. Paths too long for
 * a server path are cut and end in a hash of the whole name and version.
 */
export function publishedPathOf(name: string, version: string): string {
  const parts = splitName(name);
  const full = parts ? `/${slug(parts.namespace)}/${slug(parts.server)}/${slug(version)}` : `/${slug(name)}/${slug(version)}`;
  if (full.length <= MAX_PATH_LENGTH) return full;
  const hash = createHash("sha256").update(`${name}\u0000${version}`).digest("hex").slice(0, 16);
  return `${full.slice(0, MAX_PATH_LENGTH - hash.length - 1).replace(/\/+$/, "")}-${hash}`;
}
