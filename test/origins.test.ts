// GATEWAY_ALLOWED_ORIGINS parsing and the gateway's decision per Origin header (pure rules).
import { describe, expect, it } from "vitest";
import { originDecision, parseAllowedOrigins, type AllowedOrigins } from "../src/origins.ts";
import { loadConfig, ConfigError } from "../src/config.ts";

const OWN = "https://registry.example";

describe("parseAllowedOrigins", () => {
  it.each([
    ["", []],
    ["  ", []],
    ["https://a.example", ["https://a.example"]],
    ["https://a.example/, http://localhost:6274", ["https://a.example", "http://localhost:6274"]],
    ["HTTPS://A.EXAMPLE", ["https://a.example"]],
  ])("%j lists %j", (text, origins) => {
    const parsed = parseAllowedOrigins(text);
    expect(typeof parsed).toBe("object");
    expect(parsed).toEqual({ any: false, origins: new Set(origins) });
  });

  it("takes * as any origin", () => {
    expect(parseAllowedOrigins(" * ")).toEqual({ any: true });
  });

  it.each(["a.example", "https://a.example/path", "ftp://a.example", "https://a.example?x=1", "*, https://a.example", "null", "https://"])("refuses %j", (text) => {
    expect(typeof parseAllowedOrigins(text)).toBe("string");
  });
});

describe("originDecision", () => {
  const listed: AllowedOrigins = { any: false, origins: new Set(["https://app.example"]) };
  const none: AllowedOrigins = { any: false, origins: new Set() };
  it.each([
    [listed, undefined, "none"],
    [listed, "", "none"],
    [listed, OWN, "same"],
    [listed, "http://127.0.0.1:7860", "same"],
    [listed, "https://app.example", "cross"],
    [listed, "https://evil.example", "refused"],
    [listed, "null", "refused"],
    [none, "https://app.example", "refused"],
    [none, OWN, "same"],
    [{ any: true } as AllowedOrigins, "https://anything.example", "cross"],
  ] as const)("%# %j", (allowed, origin, kind) => {
    expect(originDecision(allowed, origin, OWN, "http://127.0.0.1:7860").kind).toBe(kind);
  });

  it("echoes a listed origin and answers * when any may call", () => {
    expect(originDecision(listed, "https://app.example", OWN, OWN)).toEqual({ kind: "cross", allowOrigin: "https://app.example" });
    expect(originDecision({ any: true }, "https://x.example", OWN, OWN)).toEqual({ kind: "cross", allowOrigin: "*" });
  });
});

describe("GATEWAY_ALLOWED_ORIGINS", () => {
  it("refuses a value that is not a list of origins at start-up", () => {
    expect(() => loadConfig({ GATEWAY_ALLOWED_ORIGINS: "https://a.example/app" })).toThrow(ConfigError);
  });
  it("defaults to none (only the registry's own origin)", () => {
    expect(loadConfig({}).gateway.allowedOrigins).toEqual({ any: false, origins: new Set() });
  });
});
