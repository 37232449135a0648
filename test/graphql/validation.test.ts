// Each validation rule, through the real API: a typed ValidationError naming the
// field, and nothing written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { RegisterServer, UpdateServer } from "../support/operations.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
  await app.gqlOk(RegisterServer, { input: { name: "Base", path: "/base", proxyPassUrl: "http://localhost:1" } });
});
afterAll(() => stopApp(app));

const ok = { name: "Valid", path: "/valid", proxyPassUrl: "http://localhost:8000/mcp" };

describe("validation through GraphQL", () => {
  it.each([
    ["name", { name: "" }, "must not be empty"],
    ["name", { name: "n".repeat(201) }, "at most 200"],
    ["description", { description: "d".repeat(2001) }, "at most 2000"],
    ["path", { path: "/has space" }, "may contain only"],
    ["path", { path: `/${"p".repeat(130)}` }, "at most 128"],
    ["proxyPassUrl", { proxyPassUrl: "file:///etc/passwd" }, "http or https"],
    ["proxyPassUrl", { proxyPassUrl: "localhost:8000" }, "http or https"],
    ["proxyPassUrl", { proxyPassUrl: "http://" }, "absolute http(s) URL"],
    ["tags", { tags: Array.from({ length: 40 }, (_, i) => `tag${i}`) }, "at most 32"],
    ["numStars", { numStars: -1 }, "0 or more"],
    ["metadata", { metadata: ["not", "an", "object"] }, "JSON object"],
    ["metadata", { metadata: { big: "m".repeat(17_000) } }, "16 KB"],
  ])("registerServer refuses a bad %s", async (field, bad, message) => {
    const { registerServer: r } = await app.gqlOk(RegisterServer, { input: { ...ok, ...bad } });
    expect(r.__typename).toBe("ValidationError");
    if (r.__typename !== "ValidationError") return;
    expect(r.fieldErrors).toEqual([{ field, message: expect.stringContaining(message) }]);
    expect(await app.db.prisma.server.count({ where: { path: "/valid" } })).toBe(0);
  });

  it("updateServer refuses bad fields and changes nothing", async () => {
    const before = await app.db.prisma.server.findUniqueOrThrow({ where: { path: "/base" } });
    const { updateServer: u } = await app.gqlOk(UpdateServer, {
      path: "/base",
      input: { name: "Renamed", numStars: -10, proxyPassUrl: "gopher://x" },
    });
    expect(u.__typename).toBe("ValidationError");
    if (u.__typename === "ValidationError") {
      expect(u.fieldErrors.map((e) => e.field).sort()).toEqual(["numStars", "proxyPassUrl"]);
    }
    const after = await app.db.prisma.server.findUniqueOrThrow({ where: { path: "/base" } });
    expect(after).toEqual(before);
  });

  it("a GraphQL type error (string for an Int) is refused before anything runs", async () => {
    const result = await app.gql(RegisterServer, { input: { ...ok, numStars: "five" as unknown as number } });
    expect(result.errors?.[0]?.message).toMatch(/Int cannot represent/);
    expect(await app.db.prisma.server.count({ where: { path: "/valid" } })).toBe(0);
  });
});

describe("concurrent registrations", () => {
  it("exactly one of two simultaneous registrations of a path wins; the other gets a conflict", async () => {
    for (let round = 0; round < 5; round += 1) {
      const path = `/race-${round}`;
      const results = await Promise.all(
        ["A", "B"].map((who) =>
          app.gqlOk(RegisterServer, { input: { name: `Racer ${who}`, path, proxyPassUrl: "http://localhost:9" } }),
        ),
      );
      const kinds = results.map((r) => r.registerServer.__typename).sort();
      expect(kinds).toEqual(["ConflictError", "RegisterServerSuccess"]);
      const rows = await app.db.prisma.server.findMany({ where: { path } });
      expect(rows).toHaveLength(1);
      const winner = results.find((r) => r.registerServer.__typename === "RegisterServerSuccess")!.registerServer;
      if (winner.__typename === "RegisterServerSuccess") expect(rows[0]?.name).toBe(winner.server.name);
    }
  });
});
