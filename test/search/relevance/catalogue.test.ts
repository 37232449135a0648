// The suite's data holds what the issue asks of it, and every judgment names a server
// or tool that exists: a typo in a judgment would silently cost the ranking a hit.
import { describe, expect, it } from "vitest";
import { CATALOGUE } from "./catalogue.ts";
import { CATEGORIES, QUERIES } from "./queries.ts";

const servers = new Set(CATALOGUE.map((s) => s.path));
const tools = new Set(CATALOGUE.flatMap((s) => s.tools.map(([name]) => `${s.path}#${name}`)));

describe("the relevance catalogue", () => {
  it("has at least 120 servers, each with 2 to 12 tools, unique paths and unique tool names", () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(120);
    expect(servers.size).toBe(CATALOGUE.length);
    for (const s of CATALOGUE) {
      expect(s.tools.length, s.path).toBeGreaterThanOrEqual(2);
      expect(s.tools.length, s.path).toBeLessThanOrEqual(12);
      expect(new Set(s.tools.map(([name]) => name)).size, s.path).toBe(s.tools.length);
    }
  });

  it("describes every server, tool and input property, and gives every server a team and an owner", () => {
    for (const s of CATALOGUE) {
      expect(s.description, s.path).not.toBe("");
      expect(s.tags.length, s.path).toBeGreaterThan(0);
      expect(s.metadata.team, s.path).toMatch(/^[a-z-]+$/);
      expect(s.metadata.owner, s.path).toMatch(/^[a-z.]+@acme\.example$/);
      for (const [name, description, params] of s.tools) {
        expect(description, `${s.path}#${name}`).not.toBe("");
        for (const [param, text] of Object.entries(params)) expect(text.replace(/\?$/, ""), `${s.path}#${name}.${param}`).not.toBe("");
      }
    }
  });

  it("uses the naming styles real servers use", () => {
    const names = CATALOGUE.flatMap((s) => s.tools.map(([name]) => name));
    expect(names.some((n) => /^[a-z]+(_[a-z]+)+$/.test(n))).toBe(true); // snake_case
    expect(names.some((n) => /^[a-z]+([A-Z][a-z]+)+$/.test(n))).toBe(true); // camelCase
    expect(names.some((n) => /^[a-z]+(-[a-z]+)+$/.test(n))).toBe(true); // kebab-case
    expect(names.some((n) => /^[a-z0-9]+(\.[a-zA-Z]+)+$/.test(n))).toBe(true); // dotted
  });
});

describe("the relevance queries", () => {
  it("number at least 100, in every category, with no query twice", () => {
    expect(QUERIES.length).toBeGreaterThanOrEqual(100);
    for (const c of CATEGORIES) expect(QUERIES.filter((q) => q.category === c).length, c).toBeGreaterThanOrEqual(10);
    expect(new Set(QUERIES.map((q) => q.text.toLowerCase())).size).toBe(QUERIES.length);
  });

  it("judge only servers and tools of the catalogue, with grades 1 to 3", () => {
    for (const q of QUERIES) {
      for (const [path, grade] of Object.entries(q.servers ?? {})) {
        expect(servers.has(path), `${q.text}: ${path}`).toBe(true);
        expect([1, 2, 3], `${q.text}: ${path}`).toContain(grade);
      }
      for (const [key, grade] of Object.entries(q.tools ?? {})) {
        expect(tools.has(key), `${q.text}: ${key}`).toBe(true);
        expect([1, 2, 3], `${q.text}: ${key}`).toContain(grade);
        // A tool judged relevant makes its server at least related.
        expect(q.servers?.[key.slice(0, key.indexOf("#"))], `${q.text}: server of ${key}`).toBeGreaterThan(0);
      }
    }
  });

  it("give every answerable query a relevant answer (grade 2 or 3), and no-answer queries none at all", () => {
    for (const q of QUERIES) {
      const grades = [...Object.values(q.servers ?? {}), ...Object.values(q.tools ?? {})];
      if (q.category === "none") expect(grades, q.text).toEqual([]);
      else expect(Math.max(0, ...grades), q.text).toBeGreaterThanOrEqual(2);
    }
  });
});
