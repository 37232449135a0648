// The search service on the real database (PGlite, or PostgreSQL with TEST_DATABASE_URL):
// documents follow every write in its transaction, visibility comes before ranking, and
// hostile queries are refused before anything runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import type { Grants, Rule } from "../../src/auth/policy.ts";
import { ValidationError } from "../../src/errors.ts";
import { createLogger } from "../../src/log.ts";
import { createSearch, statementTerms, type SearchService } from "../../src/search/service.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { DeleteServer, RegisterServer, ToggleServer, UpdateServer } from "../support/operations.ts";
import { seedTools } from "../support/seed.ts";

const ADMIN: Grants = { admin: true, rules: [], key: "admin" };
function only(...servers: string[]): Grants {
  const rule: Rule = { servers, namespaces: [], permissions: ["list_service"], tools: [] } as unknown as Rule;
  return { admin: false, rules: [rule], key: servers.join(",") };
}

describe("search service", () => {
  let app: TestApp;
  let search: SearchService;

  const register = async (path: string, name: string, description: string) => {
    const r = await app.gqlOk(RegisterServer, { input: { path, name, description, proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    expect(r.registerServer.__typename).toBe("RegisterServerSuccess");
    await app.gqlOk(ToggleServer, { path, enabled: true });
  };
  const doc = async (kind: string, name: string) =>
    (await app.db.prisma.$queryRawUnsafe<{ content: string; content_hash: string; path: string; enabled: boolean }[]>(
      "select content, content_hash, path, enabled from search_documents where kind = $1 and name = $2",
      kind,
      name,
    ))[0];
  const paths = async (grants: Grants, query: string, includeDisabled = false) =>
    (await search.search(grants, { query, first: 100, includeDisabled })).hits.map((h) => `${h.kind}:${h.serverId}`);

  beforeAll(async () => {
    app = await startApp();
    search = createSearch({ prisma: app.db.prisma, log: createLogger({ level: "warn" }) });
    await register("/team/calendar", "Team Calendar", "Meetings and events");
    await register("/team/mail", "Mail", "Send and read email messages");
    await register("/ops/pager", "Pager", "Page the on-call engineer about incidents");
    await seedTools(app, "/team/calendar", [{ name: "create_event", description: "Create a calendar event", inputSchema: { type: "object", properties: { startTime: { type: "string", description: "When it begins" } } } }]);
    await seedTools(app, "/ops/pager", [{ name: "trigger_incident", description: "Open an incident and page someone" }]);
  });
  afterAll(async () => {
    await stopApp(app);
  });

  it("keeps one document per server and tool, with its content's SHA-256", async () => {
    const tool = await doc("tool", "create_event");
    expect(tool?.content).toContain("startTime: When it begins");
    expect(tool?.content).toContain("Team Calendar");
    expect(tool?.content_hash).toBe(createHash("sha256").update(tool!.content).digest("hex"));
    const server = await doc("server", "Team Calendar");
    expect(server?.content).toContain("create_event");
  });

  it("rewrites documents in the transaction of an update, and drops them with the server", async () => {
    await app.gqlOk(UpdateServer, { path: "/team/mail", input: { description: "Electronic letters and newsletters" } });
    expect((await doc("server", "Mail"))?.content).toContain("newsletters");
    expect((await search.search(ADMIN, { query: "newsletters" })).hits.length).toBeGreaterThan(0);
    await app.gqlOk(UpdateServer, { path: "/team/calendar", input: { path: "/team/agenda" } });
    expect((await doc("tool", "create_event"))?.path).toBe("/team/agenda");
    await register("/tmp/gone", "Gone Soon", "Ephemeral thing");
    expect((await search.search(ADMIN, { query: "ephemeral" })).hits.length).toBeGreaterThan(0);
    await app.gqlOk(DeleteServer, { path: "/tmp/gone" });
    expect(await doc("server", "Gone Soon")).toBeUndefined();
    expect((await search.search(ADMIN, { query: "ephemeral" })).hits).toEqual([]);
  });

  it("follows tool discovery: a removed tool leaves the index and its server's document", async () => {
    await seedTools(app, "/team/mail", [{ name: "send_email", description: "Send an email" }]);
    expect((await doc("server", "Mail"))?.content).toContain("send_email");
    await app.db.prisma.tool.deleteMany({ where: { name: "send_email" } });
    expect(await doc("tool", "send_email")).toBeUndefined();
    expect((await doc("server", "Mail"))?.content).not.toContain("send_email");
  });

  it("gives a restricted caller only its own servers and tools, whatever matches elsewhere", async () => {
    const pager = await app.db.prisma.server.findUniqueOrThrow({ where: { path: "/ops/pager" } });
    // "create event" matches /team/agenda best for anyone else; this caller's candidates never include it.
    expect((await paths(ADMIN, "create event")).length).toBeGreaterThan(0);
    expect(await paths(only("/ops/*"), "create event")).toEqual([]);
    const got = await paths(only("/ops/*"), "incident page");
    expect(got.length).toBeGreaterThan(0);
    expect(new Set(got)).toEqual(new Set([`server:${pager.id}`, `tool:${pager.id}`]));
    const exact = await paths(only("/ops/pager"), "incident");
    expect(exact.length).toBeGreaterThan(0);
    expect(await paths(only("/ops/pag"), "incident")).toEqual([]);
  });

  it("answers an empty allowed set with nothing", async () => {
    expect(await paths(only(), "incident")).toEqual([]);
    expect(await search.matchingIds(only(), "incident", "server")).toEqual([]);
  });

  it("leaves disabled servers out unless asked", async () => {
    await app.gqlOk(ToggleServer, { path: "/ops/pager", enabled: false });
    try {
      expect(await paths(ADMIN, "incident")).toEqual([]);
      expect((await paths(ADMIN, "incident", true)).length).toBeGreaterThan(0);
      expect((await doc("tool", "trigger_incident"))?.enabled).toBe(false);
    } finally {
      await app.gqlOk(ToggleServer, { path: "/ops/pager", enabled: true });
    }
  });

  it.each([
    ["empty", ""],
    ["blank", " \n\t "],
    ["over 500 characters", "x".repeat(501)],
    ["a NUL byte", "a\u0000b"],
    ["a lone surrogate", "a\uDC00b"],
  ])("refuses a query that is %s with a ValidationError", async (_label, query) => {
    await expect(search.search(ADMIN, { query })).rejects.toBeInstanceOf(ValidationError);
  });

  it("treats query syntax as words (no tsquery injection)", async () => {
    for (const query of ["a & | ! ( ) :* <-> '", "%_\\", "'; drop table servers; --", "calendar:*A"]) {
      const r = await search.search(ADMIN, { query });
      expect(Array.isArray(r.hits)).toBe(true);
    }
    expect(await app.db.prisma.server.count()).toBeGreaterThan(0);
  });
});

describe("statementTerms", () => {
  const expander = {
    expand: () => ({
      terms: [
        { word: "merge", weight: 1, source: "query" as const, of: "merge" },
        { word: "pr", weight: 1, source: "query" as const, of: "pr" },
        { word: "pull request", weight: 0.7, source: "thesaurus" as const, of: "pr" },
        { word: "unify", weight: 0.5, source: "wordnet" as const, of: "merge" },
      ],
    }),
  };
  it("splits the query, ANDs multi-word expansions, and lets only stems and the thesaurus cover a word", () => {
    const t = statementTerms("mergePR", expander);
    expect(t.words).toEqual(["merge", "pr"]);
    expect(t.synonyms).toEqual(["(pull & request)", "unify"]);
    expect(t.synWords).toEqual(["", "(pull & request)"]);
    expect(t.nameQuery).toBe("merge pr");
    expect(t.highlight).toEqual(["merge", "pr", "pull", "request", "unify"]);
  });
  it.each([
    ["merge the PR tonight", ["merge", "the", "pr"]],
    ["mergePR on Thursday", ["merge", "pr", "on"]],
    ["Yesterday's merge", ["s", "merge"]],
    // Nothing but when: the words are kept, so the query still means what it says.
    ["today", ["today"]],
    ["tomorrow night", ["night"]],
  ])("leaves out words that only say when: %s", (query, words) => {
    expect(statementTerms(query, { expand: () => ({ terms: [] }) }).words).toEqual(words);
  });
});
