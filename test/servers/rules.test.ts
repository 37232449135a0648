// Unit tests for the pure rules: paths, field validation, search text.
import { describe, expect, it } from "vitest";
import { normalizePath } from "../../src/servers/path.ts";
import { likeEscape } from "../../src/db/like.ts";
import { searchTextOf, whereOf } from "../../src/servers/search.ts";
import { checkUrl, normalizeTags, validateFields, validateRegistration } from "../../src/servers/validate.ts";
import { healthStringOf } from "../../src/health/status.ts";

describe("normalizePath", () => {
  it.each([
    ["weather", "/weather"],
    ["/weather", "/weather"],
    ["/weather/", "/weather"],
    ["  /Weather//Team/ ", "/weather/team"],
    ["a-b_c/d1", "/a-b_c/d1"],
  ])("%s -> %s", (input, expected) => {
    expect(normalizePath(input)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ["", "must not be empty"],
    ["///", "must not be empty"],
    ["/wea ther", "may contain only"],
    ["/wéather", "may contain only"],
    ["/a.b", "may contain only"],
    [`/${"a".repeat(128)}`, "at most 128"],
    ["/all", "reserved"],
  ])("rejects %j", (input, message) => {
    const r = normalizePath(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it("accepts exactly 128 characters", () => {
    expect(normalizePath(`/${"a".repeat(127)}`).ok).toBe(true);
  });
});

describe("validateRegistration", () => {
  const ok = { name: "W", path: "/w", proxyPassUrl: "http://localhost:8000" };

  it("fills defaults", () => {
    expect(validateRegistration(ok)).toEqual({
      ok: true,
      value: {
        ...ok,
        description: "",
        tags: [],
        numTools: 0,
        numStars: 0,
        isPython: false,
        license: "N/A",
        metadata: {},
        transport: "AUTO",
        upstreamTimeoutSeconds: null,
      },
    });
  });

  it("names every missing required field", () => {
    const r = validateRegistration({});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field).sort()).toEqual(["name", "path", "proxyPassUrl"]);
  });

  // One row per rule: the field, a bad value, and words the message must contain.
  it.each([
    ["name", "   ", "must not be empty"],
    ["name", "x".repeat(201), "at most 200"],
    ["description", "x".repeat(2001), "at most 2000"],
    ["path", "/bad path", "may contain only"],
    ["proxyPassUrl", "ftp://example.com", "http or https"],
    ["proxyPassUrl", "not a url", "absolute http(s) URL"],
    ["proxyPassUrl", "http://user:pw@example.com", "user name or password"],
    ["proxyPassUrl", `http://example.com/${"x".repeat(2048)}`, "at most 2048"],
    ["tags", Array.from({ length: 33 }, (_, i) => `t${i}`), "at most 32"],
    ["tags", ["x".repeat(65)], "at most 64"],
    ["numStars", 2.5, "whole number"],
    ["numStars", -1, "0 or more"],
    ["numStars", 2_147_483_648, "at most 2147483647"],
    ["numTools", -1, "from 0"],
    ["metadata", [1, 2], "JSON object"],
    ["metadata", "text", "JSON object"],
    ["metadata", { blob: "x".repeat(16 * 1024) }, "at most 16 KB"],
    ["metadata", JSON.parse('{"__proto__": {"admin": true}}') as object, "__proto__"],
    ["metadata", JSON.parse('{"team": [{"__proto__": 1}]}') as object, "__proto__"],
    ["license", "x".repeat(201), "at most 200"],
    ["upstreamTimeoutSeconds", 0, "from 1 to 86400"],
    ["upstreamTimeoutSeconds", 86_401, "from 1 to 86400"],
    ["upstreamTimeoutSeconds", 1.5, "whole number of seconds"],
    ["upstreamTimeoutSeconds", -30, "from 1"],
  ] as const)("%s = %j is refused", (field, value, message) => {
    const r = validateRegistration({ ...ok, [field]: value });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]?.field).toBe(field);
      expect(r.errors[0]?.message).toContain(message);
    }
  });

  it("accepts the edges of each range", () => {
    const r = validateRegistration({
      ...ok,
      name: "x".repeat(200),
      description: "x".repeat(2000),
      tags: Array.from({ length: 32 }, (_, i) => `t${i}`),
      // Any count, as the original product takes; the UI draws at most five stars.
      numStars: 2_147_483_647,
      metadata: { blob: "x".repeat(16 * 1024 - 20) },
      upstreamTimeoutSeconds: 86_400,
    });
    expect(r.ok).toBe(true);
    expect(validateRegistration({ ...ok, upstreamTimeoutSeconds: 1 }).ok).toBe(true);
  });
});

describe("validateFields (updates)", () => {
  it("leaves absent fields absent", () => {
    expect(validateFields({ numStars: 2 })).toEqual({ ok: true, value: { numStars: 2 } });
  });
  it("takes null for the upstream timeout: back to the registry's default", () => {
    expect(validateFields({ upstreamTimeoutSeconds: null })).toEqual({ ok: true, value: { upstreamTimeoutSeconds: null } });
    expect(validateFields({ upstreamTimeoutSeconds: 30 })).toEqual({ ok: true, value: { upstreamTimeoutSeconds: 30 } });
  });
  it("refuses to blank the name or URL", () => {
    const r = validateFields({ name: null, proxyPassUrl: null });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toEqual(["name", "proxyPassUrl"]);
  });
});

describe("tags and URLs", () => {
  it("trims, lower-cases and de-duplicates tags, dropping empty ones", () => {
    expect(normalizeTags([" A ", "a", "", "B", "b ", "c"])).toEqual(["a", "b", "c"]);
  });
  it("accepts http and https URLs with a host", () => {
    expect(checkUrl("https://mcp.example.com/mcp")).toBeUndefined();
    expect(checkUrl("http://127.0.0.1:9000")).toBeUndefined();
  });
});

describe("search", () => {
  it("collects name, description, path, tags and nested metadata values, lower-cased", () => {
    const text = searchTextOf({
      name: "Weather",
      description: "Forecasts",
      path: "/weather",
      tags: ["a", "b"],
      metadata: { team: "Data", deep: { list: ["X", 3, true, null] } },
    });
    expect(text.split("\n")).toEqual(["weather", "forecasts", "/weather", "a b", "data", "x", "3", "true"]);
  });
  it("escapes LIKE wildcards", () => {
    expect(likeEscape("100%_\\")).toBe("100\\%\\_\\\\");
  });
  it("builds no condition for an empty filter", () => {
    expect(whereOf({ search: "  ", tags: [], health: [] })).toEqual({});
  });
});

describe("health words", () => {
  it.each([
    [{ enabled: false, healthStatus: "HEALTHY", healthReason: null }, "disabled"],
    [{ enabled: true, healthStatus: "HEALTHY", healthReason: null }, "healthy"],
    [{ enabled: true, healthStatus: "UNHEALTHY", healthReason: "timeout" }, "unhealthy: timeout"],
    [{ enabled: true, healthStatus: "UNKNOWN", healthReason: null }, "unknown"],
    [{ enabled: true, healthStatus: "CHECKING", healthReason: null }, "checking"],
  ] as const)("%j -> %s", (server, expected) => {
    expect(healthStringOf(server)).toBe(expected);
  });
});
