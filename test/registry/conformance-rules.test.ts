// The official publish path's rules as pure functions (src/registry/semantic.ts through
// validate.ts): each rule's accepted and refused document (conformance-cases.ts), the
// private-remotes setting, and the pieces the rules are built from.
import { describe, expect, it } from "vitest";
import { isPrivateHost, isValidSubfolder, looksLikeVersionRange, templateVariables } from "../../src/registry/semantic.ts";
import { fieldOfPointer, validateServerJson } from "../../src/registry/validate.ts";
import { base, ruleCases } from "./conformance-cases.ts";

describe("each rule of the official publish path", () => {
  it.each(ruleCases().map((c) => [c.rule, c] as const))("%s", (_rule, c) => {
    expect(validateServerJson(c.accepted), "the accepted document").toEqual([]);
    const issues = validateServerJson(c.refused);
    expect(issues.map((i) => i.field), JSON.stringify(issues)).toContain(c.field);
    const issue = issues.find((i) => i.field === c.field)!;
    if (c.message) expect(issue.message).toContain(c.message);
    expect(issue.reference).not.toBe("");
    expect(["schema", "semantic"]).toContain(issue.type);
  });
});

describe("REGISTRY_ALLOW_PRIVATE_REMOTES", () => {
  const internal = [
    ["http", "http://mcp.corp.example/mcp"],
    ["a private address", "https://10.1.2.3/mcp"],
    ["loopback", "http://127.0.0.1:8080/mcp"],
    ["localhost", "http://localhost:3000/mcp"],
  ] as const;
  it.each(internal)("lets an internal registry accept %s (%s), which the default refuses", (_what, url) => {
    const doc = base({ remotes: [{ type: "streamable-http", url }] });
    expect(validateServerJson(doc).map((i) => i.field)).toEqual(["remotes[0].url"]);
    expect(validateServerJson(doc, { allowPrivateRemotes: true })).toEqual([]);
  });

  it("still refuses what is no URL, an unknown type or undeclared variables", () => {
    const open = { allowPrivateRemotes: true };
    expect(validateServerJson(base({ remotes: [{ type: "streamable-http", url: "ftp://h/mcp" }] }), open)).not.toEqual([]);
    expect(validateServerJson(base({ remotes: [{ type: "websocket", url: "http://h/mcp" }] }), open)).not.toEqual([]);
    expect(validateServerJson(base({ remotes: [{ type: "sse", url: "http://h/{x}/sse" }] }), open)).not.toEqual([]);
  });
});

describe("the pieces", () => {
  it.each([
    ["localhost", true],
    ["LOCALHOST.", true],
    ["api.localhost", true],
    ["127.0.0.1", true],
    ["127.255.0.9", true],
    ["0.0.0.0", true],
    ["10.0.0.1", true],
    ["172.16.0.1", true],
    ["172.32.0.1", false],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["[::1]", true],
    ["::ffff:127.0.0.1", true],
    ["[::ffff:7f00:1]", true],
    ["[fd00::1]", true],
    ["[fe80::1]", true],
    ["8.8.8.8", false],
    ["[2606:4700::1111]", false],
    ["example.com", false],
    ["localhost.example.com", false],
  ])("%s is private: %s", (h, expected) => {
    expect(isPrivateHost(h)).toBe(expected);
  });

  it.each([
    ["", true],
    ["src", true],
    ["a/b.c/d-e_f", true],
    ["/a", false],
    ["a/", false],
    ["a//b", false],
    ["./a", false],
    ["a/..", false],
    ["a b", false],
    ["a\\b", false],
  ])("subfolder %j is valid: %s", (p, ok) => {
    expect(isValidSubfolder(p)).toBe(ok);
  });

  it.each([
    ["^1.2.3", true],
    ["~1", true],
    ["=1.0.0", true],
    ["<2", true],
    ["1.2.3 - 2.3.4", true],
    ["1 || 2", true],
    ["*.1", true],
    ["1.2.X", true],
    ["1.2.3", false],
    ["1.0.0-rc.1", false],
    ["snapshot - 2025.09", false],
    ["2025-06-18", false],
    ["x", false],
  ])("%j looks like a range: %s", (v, expected) => {
    expect(looksLikeVersionRange(v)).toBe(expected);
  });

  it("reads URL template variables, and writes schema pointers as the official paths", () => {
    expect(templateVariables("https://{host}:{port}/{a-b}/x")).toEqual(["host", "port", "a-b"]);
    expect(templateVariables("https://h/mcp")).toEqual([]);
    expect(fieldOfPointer("/packages/0/transport/url")).toBe("packages[0].transport.url");
    expect(fieldOfPointer("/remotes/12")).toBe("remotes[12]");
    expect(fieldOfPointer("/_meta/a~1b")).toBe("_meta.a/b");
    expect(fieldOfPointer("")).toBe("");
  });
});
