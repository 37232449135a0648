// The official registry's semantic rules for a server.json, beyond its JSON schema: what
// its publish path refuses (names, versions, repository, URLs, remotes, packages and their
// transports and arguments, titles, the publisher's `_meta`). Pure: each rule takes the
// part of the document it judges and returns issues; validate.ts runs them after picking
// the schema. Messages follow the official wording where it has one.
import net from "node:net";

/** One thing wrong with a document, as the official validate endpoint reports it. */
export type Issue = {
  type: "schema" | "semantic";
  /** Where, as the official registry writes it: `packages[0].transport.url`. */
  field: string;
  message: string;
  /** The rule that found it (the official names, e.g. `invalid-remote-url`), or the schema keyword's place. */
  reference: string;
};

export type SemanticOptions = {
  /** REGISTRY_ALLOW_PRIVATE_REMOTES: http and private-network (or loopback) remotes are accepted. */
  allowPrivateRemotes: boolean;
};

const PUBLISHER_PROVIDED = "io.modelcontextprotocol.registry/publisher-provided";
/** The official limit on the publisher-provided `_meta` block, in bytes of its JSON. */
export const PUBLISHER_META_MAX_BYTES = 4 * 1024;

const issue = (field: string, message: string, reference: string): Issue => ({ type: "semantic", field, message, reference });

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

// ---------------------------------------------------------------------------------------
// Names and versions

const NAMESPACE_PART = /^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]$/;
const NAME_PART = /^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$/;

export function nameIssues(name: unknown): Issue[] {
  const field = "name";
  if (typeof name !== "string" || name === "") return [issue(field, "server name is required and must be a string", "invalid-server-name")];
  const slashes = name.split("/").length - 1;
  if (slashes === 0) {
    return [issue(field, "server name must be in format 'dns-namespace/name' (e.g., 'com.example.api/server')", "invalid-server-name")];
  }
  if (slashes > 1) return [issue(field, "server name cannot contain multiple slashes", "invalid-server-name")];
  const [namespace, server] = name.split("/") as [string, string];
  if (namespace === "" || server === "") {
    return [issue(field, "server name must be in format 'dns-namespace/name' with non-empty namespace and name parts", "invalid-server-name")];
  }
  if (!NAMESPACE_PART.test(namespace)) {
    return [
      issue(
        field,
        `server name format is invalid: namespace '${namespace}' is invalid. Namespace must start and end with alphanumeric characters, and may contain dots and hyphens in the middle`,
        "invalid-server-name",
      ),
    ];
  }
  if (!NAME_PART.test(server)) {
    return [
      issue(
        field,
        `server name format is invalid: name '${server}' is invalid. Name must start and end with alphanumeric characters, and may contain dots, underscores, and hyphens in the middle`,
        "invalid-server-name",
      ),
    ];
  }
  return [];
}

// The official registry's range detectors: comparators, hyphen ranges, `||` lists and
// dotted wildcards. Anything else is a specific (perhaps free-form) version.
const V = String.raw`v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?`;
const COMPARATOR_RANGE = new RegExp(String.raw`^\s*(?:\^|~|>=|<=|>|<|=)\s*${V}\s*$`);
const HYPHEN_RANGE = new RegExp(String.raw`^\s*${V}\s-\s*${V}\s*$`);
const OR_RANGE = new RegExp(String.raw`^\s*(?:${V}\s*)(?:\|\|\s*${V}\s*)+$`);
const DOTTED_WILDCARD = /^\s*(?:v?\d+|x|X|\*)(?:\.(?:\d+|x|X|\*)){1,2}(?:-[0-9A-Za-z.-]+)?\s*$/;

export function looksLikeVersionRange(version: string): boolean {
  const v = version.trim();
  if (v === "") return false;
  if (COMPARATOR_RANGE.test(v) || HYPHEN_RANGE.test(v) || OR_RANGE.test(v)) return true;
  return DOTTED_WILDCARD.test(v) && /[xX*]/.test(v);
}

/** A server's or a package's version: a specific one, never `latest` or a range. */
export function versionIssues(field: string, version: unknown): Issue[] {
  if (typeof version !== "string") return [];
  if (version === "latest") return [issue(field, "version string 'latest' is reserved and cannot be used", "reserved-version-string")];
  if (looksLikeVersionRange(version)) {
    return [issue(field, `version must be a specific version, not a range: ${JSON.stringify(version)}`, "version-looks-like-range")];
  }
  return [];
}

// ---------------------------------------------------------------------------------------
// Repository, website, title, icons

const REPOSITORY_URL: ReadonlyMap<string, RegExp> = new Map([
  ["github", /^https?:\/\/(www\.)?github\.com\/[\w.-]+\/[\w.-]+\/?$/],
  // GitLab has nested groups: gitlab.com/group/subgroup/repo.
  ["gitlab", /^https?:\/\/(www\.)?gitlab\.com\/[\w.-]+(\/[\w.-]+)+\/?$/],
]);

export function isValidSubfolder(path: string): boolean {
  if (path === "") return true;
  if (path.startsWith("/") || path.endsWith("/") || !/^[a-zA-Z0-9\-_./]+$/.test(path)) return false;
  return path.split("/").every((s) => s !== "" && s !== "." && s !== "..");
}

export function repositoryIssues(repository: unknown): Issue[] {
  if (!isObj(repository)) return [];
  const url = str(repository.url);
  const source = str(repository.source);
  const out: Issue[] = [];
  if (url !== "" || source !== "") {
    const pattern = REPOSITORY_URL.get(source);
    if (!pattern) {
      out.push(issue("repository.source", `unsupported repository source: ${source || "(empty)"} (use github or gitlab)`, "invalid-repository-source"));
    } else if (!pattern.test(url)) {
      out.push(issue("repository.url", `invalid repository URL: ${url}`, "invalid-repository-url"));
    }
  }
  const subfolder = str(repository.subfolder);
  if (subfolder !== "" && !isValidSubfolder(subfolder)) {
    out.push(issue("repository.subfolder", `invalid subfolder path: ${subfolder}`, "invalid-subfolder-path"));
  }
  if (typeof repository.id === "string" && (repository.id.trim() === "" || /\s/.test(repository.id))) {
    out.push(issue("repository.id", "repository id must be the source forge's identifier, without spaces", "invalid-repository-id"));
  }
  return out;
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

export function websiteUrlIssues(websiteUrl: unknown): Issue[] {
  const url = str(websiteUrl);
  if (url === "") return [];
  const parsed = parseUrl(url);
  if (!parsed) return [issue("websiteUrl", `websiteUrl must be absolute (include scheme): ${url}`, "website-url-must-be-absolute")];
  if (parsed.protocol !== "https:") return [issue("websiteUrl", `websiteUrl must use https scheme: ${url}`, "website-url-invalid-scheme")];
  return [];
}

export function titleIssues(title: unknown): Issue[] {
  if (typeof title !== "string" || title === "" || title.trim() !== "") return [];
  return [issue("title", "title cannot be only whitespace", "title-whitespace-only")];
}

export const ICON_MIME_TYPES = ["image/png", "image/jpeg", "image/jpg", "image/svg+xml", "image/webp"] as const;
const ICON_SIZE = /^(\d+x\d+|any)$/;

export function iconIssues(icons: unknown): Issue[] {
  const out: Issue[] = [];
  list(icons).forEach((icon, i) => {
    if (!isObj(icon)) return;
    const at = `icons[${i}]`;
    const src = str(icon.src);
    const parsed = parseUrl(src);
    if (!parsed) out.push(issue(`${at}.src`, `icon src must be an absolute URL (include scheme): ${src}`, "icon-src-not-absolute"));
    else if (parsed.protocol !== "https:") {
      out.push(issue(`${at}.src`, `icon src must use https scheme (got ${parsed.protocol.slice(0, -1)}): ${cut(src)}`, "icon-src-invalid-scheme"));
    }
    if (icon.mimeType !== undefined && !(ICON_MIME_TYPES as readonly unknown[]).includes(icon.mimeType)) {
      out.push(issue(`${at}.mimeType`, `icon mimeType must be one of ${ICON_MIME_TYPES.join(", ")}`, "icon-invalid-mime-type"));
    }
    list(icon.sizes).forEach((size, j) => {
      if (typeof size !== "string" || !ICON_SIZE.test(size)) {
        out.push(issue(`${at}.sizes[${j}]`, "icon size must be WxH (such as 48x48) or any", "icon-invalid-size"));
      }
    });
  });
  return out;
}

/** A long value (a data: URI) is not echoed whole in a message. */
const cut = (text: string): string => (text.length > 80 ? `${text.slice(0, 77)}...` : text);

// ---------------------------------------------------------------------------------------
// URLs with {variables}

/** The `{name}` variables of a URL template, in order of appearance. */
export function templateVariables(url: string): string[] {
  return [...url.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
}

/** The URL with its variables replaced by placeholders that parse (a port position gets a number). */
function withPlaceholders(url: string): string {
  return url.replace(/:\{[^}]+\}(\/|$)/g, ":8080$1").replace(/\{[^}]+\}/g, "placeholder");
}

/** An http(s) URL with a host, once its variables are filled in; null otherwise. */
function httpUrlOf(url: string): URL | null {
  const parsed = parseUrl(withPlaceholders(url));
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.hostname === "") return null;
  return parsed;
}

const PRIVATE_RANGES: [string, number, "ipv4" | "ipv6"][] = [
  ["0.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["127.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["::", 128, "ipv6"],
  ["::1", 128, "ipv6"],
  ["fc00::", 7, "ipv6"],
  ["fe80::", 10, "ipv6"],
];
const PRIVATE = new net.BlockList();
for (const [address, prefix, type] of PRIVATE_RANGES) PRIVATE.addSubnet(address, prefix, type);

/**
 * Whether a remote's host is this machine or a private network: `localhost` names and
 * loopback, private, link-local and shared address literals (IPv4-mapped IPv6 too).
 * Names are not resolved: a publish does not depend on DNS.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const family = net.isIP(host);
  if (family === 4) return PRIVATE.check(host, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
    if (mapped) return PRIVATE.check(mapped, "ipv4");
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (hex) {
      const n = (parseInt(hex[1]!, 16) << 16) | parseInt(hex[2]!, 16);
      return PRIVATE.check([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."), "ipv4");
    }
    return PRIVATE.check(host, "ipv6");
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Remotes

const REMOTE_TYPES = ["streamable-http", "sse"];

export function remoteIssues(remotes: unknown, options: SemanticOptions): Issue[] {
  const out: Issue[] = [];
  list(remotes).forEach((remote, i) => {
    if (!isObj(remote)) return;
    const at = `remotes[${i}]`;
    const type = str(remote.type);
    if (!REMOTE_TYPES.includes(type)) {
      out.push(issue(`${at}.type`, `unsupported transport type for remotes: ${type} (only streamable-http and sse are supported)`, "unsupported-remote-transport-type"));
      return;
    }
    const url = str(remote.url);
    if (url === "") {
      out.push(issue(`${at}.url`, `url is required for ${type} transport type`, "remote-transport-url-required"));
      return;
    }
    const parsed = httpUrlOf(url);
    if (!parsed) {
      out.push(issue(`${at}.url`, `invalid remote URL: ${url}`, "invalid-remote-url"));
      return;
    }
    if (!options.allowPrivateRemotes) {
      if (parsed.protocol !== "https:") {
        out.push(issue(`${at}.url`, `invalid remote URL: ${url} (remotes must use https)`, "invalid-remote-url"));
      } else if (isPrivateHost(parsed.hostname)) {
        out.push(issue(`${at}.url`, `invalid remote URL: ${url} (remotes must not be localhost, loopback or private-network addresses)`, "invalid-remote-url"));
      }
    }
    const declared = isObj(remote.variables) ? Object.keys(remote.variables) : [];
    const used = templateVariables(url);
    const undeclared = used.filter((v) => !declared.includes(v));
    if (undeclared.length > 0) {
      out.push(
        issue(
          `${at}.url`,
          `invalid remote URL: template variables in URL ${url} reference undefined variables (${undeclared.join(", ")}). Available variables: [${declared.join(" ")}]`,
          "invalid-templated-url",
        ),
      );
    }
    for (const name of declared.filter((v) => !used.includes(v))) {
      out.push(issue(`${at}.variables.${name}`, `variable ${name} is declared but not used in the URL ${url}`, "unused-remote-variable"));
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------
// Packages, their transports and arguments

export function namedArgumentNameIssues(field: string, name: unknown): Issue[] {
  const n = str(name);
  if (n === "") return [issue(field, "named argument name is required", "named-argument-name-required")];
  if (/[<> $]/.test(n)) return [issue(field, `invalid named argument name format: ${n}`, "invalid-named-argument-name")];
  return [];
}

export function argumentIssues(field: string, argument: unknown): Issue[] {
  if (!isObj(argument) || argument.type !== "named") return [];
  const out = namedArgumentNameIssues(`${field}.name`, argument.name);
  const name = str(argument.name);
  if (name === "") return out;
  const value = str(argument.value);
  if (value !== "" && value.startsWith(name)) {
    out.push(
      issue(
        `${field}.value`,
        `argument value cannot start with the argument name: value starts with argument name '${name}': ${value}`,
        "argument-value-starts-with-name",
      ),
    );
  }
  const fallback = str(argument.default);
  if (fallback !== "" && fallback.startsWith(name)) {
    out.push(
      issue(
        `${field}.default`,
        `argument default cannot start with the argument name: default starts with argument name '${name}': ${fallback}`,
        "argument-default-starts-with-name",
      ),
    );
  }
  return out;
}

/** The names a package's transport URL may use: its environment variables, argument names and value hints. */
export function packageVariables(pkg: Obj): string[] {
  const names: string[] = [];
  for (const env of list(pkg.environmentVariables)) if (isObj(env) && str(env.name)) names.push(str(env.name));
  for (const arg of [...list(pkg.runtimeArguments), ...list(pkg.packageArguments)]) {
    if (!isObj(arg)) continue;
    if (str(arg.name)) names.push(str(arg.name));
    if (str(arg.valueHint)) names.push(str(arg.valueHint));
  }
  return names;
}

export function packageTransportIssues(field: string, transport: unknown, available: readonly string[]): Issue[] {
  if (!isObj(transport)) return [];
  const type = str(transport.type);
  const url = str(transport.url);
  if (type === "stdio") {
    return url === "" ? [] : [issue(`${field}.url`, `url must be empty for stdio transport type, got: ${url}`, "stdio-transport-url-not-empty")];
  }
  if (type !== "streamable-http" && type !== "sse") return [issue(`${field}.type`, `unsupported transport type: ${type}`, "unsupported-transport-type")];
  if (url === "") return [issue(`${field}.url`, `url is required for ${type} transport type`, "streamable-transport-url-required")];
  if (!httpUrlOf(url)) return [issue(`${field}.url`, `invalid package transport URL: ${url}`, "invalid-templated-url")];
  const undefinedVars = templateVariables(url).filter((v) => !available.includes(v));
  if (undefinedVars.length === 0) return [];
  return [
    issue(
      `${field}.url`,
      `invalid package transport URL: template variables in URL ${url} reference undefined variables (${undefinedVars.join(", ")}). Available variables: [${available.join(" ")}]`,
      "invalid-templated-url",
    ),
  ];
}

export function packageIssues(packages: unknown): Issue[] {
  const out: Issue[] = [];
  list(packages).forEach((pkg, i) => {
    if (!isObj(pkg)) return;
    const at = `packages[${i}]`;
    if (typeof pkg.identifier === "string" && pkg.identifier.includes(" ")) {
      out.push(issue(`${at}.identifier`, "package name cannot contain spaces", "package-name-has-spaces"));
    }
    out.push(...versionIssues(`${at}.version`, pkg.version));
    list(pkg.runtimeArguments).forEach((a, j) => out.push(...argumentIssues(`${at}.runtimeArguments[${j}]`, a)));
    list(pkg.packageArguments).forEach((a, j) => out.push(...argumentIssues(`${at}.packageArguments[${j}]`, a)));
    out.push(...packageTransportIssues(`${at}.transport`, pkg.transport, packageVariables(pkg)));
  });
  return out;
}

// ---------------------------------------------------------------------------------------
// The publisher's _meta

export function publisherMetaIssues(meta: unknown): Issue[] {
  if (!isObj(meta) || !Object.hasOwn(meta, PUBLISHER_PROVIDED)) return [];
  const bytes = Buffer.byteLength(JSON.stringify(meta[PUBLISHER_PROVIDED]) ?? "", "utf8");
  if (bytes <= PUBLISHER_META_MAX_BYTES) return [];
  return [
    issue(
      `_meta.${PUBLISHER_PROVIDED}`,
      `_meta.${PUBLISHER_PROVIDED} extension exceeds 4KB limit (${bytes} bytes)`,
      "publisher-meta-too-large",
    ),
  ];
}

/** Every semantic rule, in the official order. */
export function semanticIssues(doc: Obj, options: SemanticOptions): Issue[] {
  return [
    ...publisherMetaIssues(doc._meta),
    ...nameIssues(doc.name),
    ...versionIssues("version", doc.version),
    ...repositoryIssues(doc.repository),
    ...websiteUrlIssues(doc.websiteUrl),
    ...titleIssues(doc.title),
    ...iconIssues(doc.icons),
    ...packageIssues(doc.packages),
    ...remoteIssues(doc.remotes, options),
  ];
}
