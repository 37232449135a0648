// Official-registry names and gateway paths, both ways. A gateway server at `/weather`
// is `{namespace}/weather`; a nested path `/team/weather` is `{namespace}/team.weather`
// (a name holds exactly one `/`, and paths never contain `.`, so the mapping reverses).
//
// The registry API lists and searches gateway servers by name but stores them by path;
// the functions at the end turn a name cursor or a name search into conditions on the
// path, so that the name rule lives here alone. They rest on one fact: `.` and `/` are
// neighbours in byte order (0x2E, 0x2F) and paths hold no `.`, so writing each `/` of a
// path as `.` keeps the byte order of paths, and comparing a name with a text is
// comparing the path with that text's `.` written as `/`.

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

/** Whether `namespace` is the gateway's own (REGISTRY_NAMESPACE), in any letter case: nobody publishes there. */
export function isOwnNamespace(namespace: string, registryNamespace: string): boolean {
  return namespace.toLowerCase() === registryNamespace.toLowerCase();
}

/** Byte order of the UTF-8 texts (the database's COLLATE "C"), which JavaScript's `<` is not beyond the BMP. */
export function compareBytes(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Gateway servers after the key (name, version), as a condition on their rows. */
export type GatewayAfter =
  | { kind: "all" }
  | { kind: "none" }
  /** path > `path` (byte order). */
  | { kind: "after"; path: string };

/**
 * A gateway server is the one version of its name, so a cursor at a gateway server's
 * (name, version) is passed by the paths after its path; the version decides nothing.
 */
export function gatewayAfter(namespace: string, after: { name: string }): GatewayAfter {
  const prefix = `${namespace}/`;
  if (after.name.startsWith(prefix)) return { kind: "after", path: `/${after.name.slice(prefix.length).replace(/\./g, "/")}` };
  // Every gateway name starts with the prefix: all of them sort after a smaller text, none after a larger one.
  return compareBytes(after.name, prefix) < 0 ? { kind: "all" } : { kind: "none" };
}

/** Gateway servers whose name holds `search` (case-insensitively), as conditions on their paths. */
export type GatewaySearch =
  | { kind: "all" }
  | { kind: "none" }
  /** Either condition given matches: the path after its leading `/` contains `inPath`, or the path starts with `pathStart`. */
  | { kind: "paths"; inPath?: string; pathStart?: string };

export function gatewaySearch(namespace: string, search: string): GatewaySearch {
  const text = search.toLowerCase();
  const prefix = `${namespace}/`.toLowerCase();
  if (prefix.includes(text)) return { kind: "all" };
  const out: { inPath?: string; pathStart?: string } = {};
  // Wholly within the part after the namespace, which holds no `/`.
  if (!text.includes("/")) out.inPath = text.replace(/\./g, "/");
  // Across the `/`: what precedes it ends the namespace, what follows starts the path.
  const slash = text.lastIndexOf("/");
  if (slash >= 0 && prefix.endsWith(text.slice(0, slash + 1))) out.pathStart = `/${text.slice(slash + 1).replace(/\./g, "/")}`;
  return out.inPath === undefined && out.pathStart === undefined ? { kind: "none" } : { kind: "paths", ...out };
}
