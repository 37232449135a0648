// Validation and normalisation of what a caller sends to register or update a
// server. Pure: the GraphQL resolvers call it, unit tests test it directly.
import { normalizePath } from "./path.ts";

export const LIMITS = {
  nameMax: 200,
  descriptionMax: 2_000,
  tagsMax: 32,
  tagLengthMax: 64,
  urlLengthMax: 2_048,
  licenseMax: 200,
  numToolsMax: 100_000,
  /** GraphQL's Int: the largest count the API can carry. */
  numStarsMax: 2_147_483_647,
  /** Stars the UI draws; a larger count shows as this many. */
  starsShownMax: 5,
  metadataBytesMax: 16 * 1024,
  /** A day: the longest a gateway call may wait on its upstream between signs of life. */
  upstreamTimeoutSecondsMax: 86_400,
} as const;

export const TRANSPORTS = ["AUTO", "STREAMABLE_HTTP", "SSE"] as const;
export type TransportValue = (typeof TRANSPORTS)[number];

export type ServerFields = {
  name: string;
  description: string;
  path: string;
  proxyPassUrl: string;
  tags: string[];
  numTools: number;
  numStars: number;
  isPython: boolean;
  license: string;
  metadata: Record<string, unknown>;
  transport: TransportValue;
  /** The gateway's upstream timeout for this server; null: the GATEWAY_UPSTREAM_TIMEOUT_MS default. */
  upstreamTimeoutSeconds: number | null;
};

/** What a caller may send: everything optional; `register` then requires some. */
export type ServerInput = {
  [K in keyof ServerFields]?: K extends "metadata" ? unknown : ServerFields[K] | null;
};

export type FieldError = { field: keyof ServerFields; message: string };
export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const REQUIRED_ON_REGISTER = ["name", "path", "proxyPassUrl"] as const;

export function validateRegistration(input: ServerInput): Validated<ServerFields> {
  const errors: FieldError[] = [];
  for (const field of REQUIRED_ON_REGISTER) {
    if (input[field] === undefined || input[field] === null) errors.push({ field, message: "is required" });
  }
  const checked = validateFields(input);
  if (!checked.ok) errors.push(...checked.errors.filter((e) => !errors.some((r) => r.field === e.field)));
  if (errors.length > 0 || !checked.ok) return { ok: false, errors };
  return {
    ok: true,
    value: {
      description: "",
      tags: [],
      numTools: 0,
      numStars: 0,
      isPython: false,
      license: "N/A",
      metadata: {},
      transport: "AUTO",
      upstreamTimeoutSeconds: null,
      ...(checked.value as Pick<ServerFields, (typeof REQUIRED_ON_REGISTER)[number]>),
    },
  };
}

/** Checks and normalises the fields present; absent (undefined) fields stay absent. */
export function validateFields(input: ServerInput): Validated<Partial<ServerFields>> {
  const errors: FieldError[] = [];
  const out: Partial<ServerFields> = {};
  const fail = (field: keyof ServerFields, message: string) => errors.push({ field, message });

  if (input.name != null) {
    const name = input.name.trim();
    if (name.length === 0) fail("name", "must not be empty");
    else if (name.length > LIMITS.nameMax) fail("name", `must be at most ${LIMITS.nameMax} characters`);
    else out.name = name;
  } else if (input.name === null) fail("name", "must not be empty");

  if (input.description != null) {
    const description = input.description.trim();
    if (description.length > LIMITS.descriptionMax) {
      fail("description", `must be at most ${LIMITS.descriptionMax} characters`);
    } else out.description = description;
  }

  if (input.path != null) {
    const result = normalizePath(input.path);
    if (result.ok) out.path = result.path;
    else fail("path", result.message);
  }

  if (input.proxyPassUrl != null) {
    const message = checkUrl(input.proxyPassUrl);
    if (message) fail("proxyPassUrl", message);
    else out.proxyPassUrl = input.proxyPassUrl.trim();
  } else if (input.proxyPassUrl === null) fail("proxyPassUrl", "is required");

  if (input.tags != null) {
    const tags = normalizeTags(input.tags);
    const tooLong = tags.find((t) => t.length > LIMITS.tagLengthMax);
    if (tooLong) fail("tags", `each tag must be at most ${LIMITS.tagLengthMax} characters`);
    else if (tags.length > LIMITS.tagsMax) fail("tags", `at most ${LIMITS.tagsMax} tags are allowed`);
    else out.tags = tags;
  }

  if (input.numTools != null) {
    if (!Number.isInteger(input.numTools) || input.numTools < 0 || input.numTools > LIMITS.numToolsMax) {
      fail("numTools", `must be a whole number from 0 to ${LIMITS.numToolsMax}`);
    } else out.numTools = input.numTools;
  }

  if (input.numStars != null) {
    // Any non-negative count, as the original product accepts; the UI shows at most 5 stars.
    if (!Number.isInteger(input.numStars) || input.numStars < 0) fail("numStars", "must be a whole number, 0 or more");
    else if (input.numStars > LIMITS.numStarsMax) fail("numStars", `must be at most ${LIMITS.numStarsMax}`);
    else out.numStars = input.numStars;
  }

  if (input.isPython != null) out.isPython = input.isPython;

  if (input.license != null) {
    const license = input.license.trim();
    if (license.length > LIMITS.licenseMax) fail("license", `must be at most ${LIMITS.licenseMax} characters`);
    else out.license = license === "" ? "N/A" : license;
  }

  if (input.metadata !== undefined && input.metadata !== null) {
    const metadata = input.metadata;
    if (typeof metadata !== "object" || Array.isArray(metadata)) {
      fail("metadata", "must be a JSON object");
    } else if (new TextEncoder().encode(JSON.stringify(metadata)).length > LIMITS.metadataBytesMax) {
      // TextEncoder rather than Buffer: the web UI runs these same rules in the browser.
      fail("metadata", `must be at most ${LIMITS.metadataBytesMax / 1024} KB as JSON`);
    } else if (hasProtoKey(metadata)) {
      // The database layer copies JSON key by key and would silently drop it.
      fail("metadata", "cannot use the key __proto__");
    } else out.metadata = metadata as Record<string, unknown>;
  }

  if (input.transport != null) {
    if (!TRANSPORTS.includes(input.transport)) fail("transport", `must be one of ${TRANSPORTS.join(", ")}`);
    else out.transport = input.transport;
  }

  // null is a value here: on update it puts the server back on the default.
  if (input.upstreamTimeoutSeconds === null) out.upstreamTimeoutSeconds = null;
  else if (input.upstreamTimeoutSeconds !== undefined) {
    const seconds = input.upstreamTimeoutSeconds;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > LIMITS.upstreamTimeoutSecondsMax) {
      fail("upstreamTimeoutSeconds", `must be a whole number of seconds from 1 to ${LIMITS.upstreamTimeoutSecondsMax}`);
    } else out.upstreamTimeoutSeconds = seconds;
  }

  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase();
    if (tag !== "") seen.add(tag);
  }
  return [...seen];
}

/** Returns a message when the URL is not an absolute http(s) URL with a host. */
export function checkUrl(raw: string): string | undefined {
  const value = raw.trim();
  if (value.length === 0) return "must not be empty";
  if (value.length > LIMITS.urlLengthMax) return `must be at most ${LIMITS.urlLengthMax} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute http(s) URL, such as http://localhost:8000/mcp";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must use http or https";
  if (url.hostname === "") return "must name a host";
  if (url.username || url.password) return "must not contain a user name or password; set an auth header instead";
  return undefined;
}

function hasProtoKey(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return value.some(hasProtoKey);
  return Object.entries(value).some(([k, v]) => k === "__proto__" || hasProtoKey(v));
}
