// `search` through the real server: registration makes a server findable by the next
// request, tools found by their words lift their server, visibility comes before ranking,
// and refused queries are typed errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../src/generated/gql/index.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { RegisterServer, ToggleServer } from "../support/operations.ts";
import { seedTools } from "../support/seed.ts";

const Search = graphql(`
  query TestSearch($query: String!, $types: [SearchType!], $first: Int, $after: String, $filter: SearchFilter) {
    search(query: $query, types: $types, first: $first, after: $after, filter: $filter) {
      mode
      totalServers
      totalTools
      pageInfo {
        hasNextPage
        endCursor
      }
      hits {
        __typename
        score
        matchContext
        matchedTerms
        ... on ServerSearchHit {
          server {
            path
            name
          }
          matchingTools {
            tool {
              name
            }
            score
          }
        }
        ... on ToolSearchHit {
          tool {
            name
            description
          }
          server {
            path
          }
        }
      }
    }
  }
`);

const ListServersMatching = graphql(`
  query TestServersMatching($search: String!) {
    servers(first: 50, filter: { search: $search }) {
      totalCount
      edges {
        node {
          path
        }
      }
    }
  }
`);

const ToolsMatching = graphql(`
  query TestToolsMatching($search: String!) {
    tools(search: $search) {
      totalCount
      edges {
        node {
          name
        }
      }
    }
  }
`);

async function register(app: TestApp, input: { path: string; name: string; description: string; tags?: string[] }) {
  const r = await app.gqlOk(RegisterServer, { input: { proxyPassUrl: "http://127.0.0.1:9/mcp", ...input } });
  expect(r.registerServer.__typename).toBe("RegisterServerSuccess");
  await app.gqlOk(ToggleServer, { path: input.path, enabled: true });
}

describe("GraphQL search", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp();
    await register(app, { path: "/calendar", name: "Team Calendar", description: "Meetings and events for the whole team", tags: ["productivity"] });
    await register(app, { path: "/weather", name: "Weather Service", description: "Forecasts and severe weather alerts", tags: ["data"] });
    await register(app, { path: "/finance/ledger", name: "Ledger", description: "Accounting entries and invoices", tags: ["finance"] });
    await seedTools(app, "/calendar", [
      { name: "create_event", description: "Create a calendar event with attendees", inputSchema: { type: "object", properties: { title: { type: "string", description: "Event title" } } } },
      { name: "listAttendees", description: "List who is invited to an event" },
    ]);
    await seedTools(app, "/weather", [{ name: "get_forecast", description: "Get the weather forecast for a city" }]);
    await seedTools(app, "/finance/ledger", [{ name: "create_invoice", description: "Create an invoice for a customer" }]);
  });
  afterAll(async () => {
    await stopApp(app);
  });

  it("finds a tool by its split name and lifts its server", async () => {
    const r = await app.gqlOk(Search, { query: "create event" });
    expect(r.search.mode).toBe("LEXICAL_ONLY");
    const first = r.search.hits[0]!;
    expect(first.score).toBeGreaterThan(0);
    expect(first.score).toBeLessThanOrEqual(1);
    const tool = r.search.hits.find((h) => h.__typename === "ToolSearchHit");
    expect(tool?.__typename === "ToolSearchHit" && tool.tool.name).toBe("create_event");
    const server = r.search.hits.find((h) => h.__typename === "ServerSearchHit");
    expect(server?.__typename === "ServerSearchHit" && server.server.path).toBe("/calendar");
    expect(server?.__typename === "ServerSearchHit" && server.matchingTools.map((m) => m.tool.name)).toContain("create_event");
    for (const h of r.search.hits) {
      expect(h.matchContext.length).toBeLessThanOrEqual(200);
      expect(h.matchContext).not.toMatch(/[<>]/);
    }
    expect(tool?.matchedTerms).toEqual(expect.arrayContaining(["create_event", "Create"]));
  });

  it("returns tools only when asked, best first, with camelCase names split", async () => {
    const r = await app.gqlOk(Search, { query: "list attendees", types: ["TOOL"] });
    expect(r.search.hits.every((h) => h.__typename === "ToolSearchHit")).toBe(true);
    expect(r.search.hits[0]?.__typename === "ToolSearchHit" && r.search.hits[0].tool.name).toBe("listAttendees");
    const scores = r.search.hits.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("finds a close spelling of a name", async () => {
    const r = await app.gqlOk(Search, { query: "wether", types: ["SERVER"] });
    expect(r.search.hits[0]?.__typename === "ServerSearchHit" && r.search.hits[0].server.path).toBe("/weather");
  });

  it("returns nothing for a query with nothing relevant", async () => {
    const r = await app.gqlOk(Search, { query: "quantum chromodynamics lattice" });
    expect(r.search.hits).toEqual([]);
    expect(r.search.totalServers + r.search.totalTools).toBe(0);
  });

  it("makes a newly registered server findable by the very next request", async () => {
    await register(app, { path: "/zebra", name: "Zebra Crossing", description: "Stripes" });
    const r = await app.gqlOk(Search, { query: "zebra", types: ["SERVER"] });
    expect(r.search.hits.map((h) => h.__typename === "ServerSearchHit" && h.server.path)).toEqual(["/zebra"]);
  });

  it("leaves disabled servers and their tools out unless asked", async () => {
    await app.gqlOk(ToggleServer, { path: "/finance/ledger", enabled: false });
    try {
      const hidden = await app.gqlOk(Search, { query: "invoice" });
      expect(hidden.search.hits).toEqual([]);
      const shown = await app.gqlOk(Search, { query: "invoice", filter: { includeDisabled: true } });
      expect(shown.search.hits.length).toBeGreaterThan(0);
    } finally {
      await app.gqlOk(ToggleServer, { path: "/finance/ledger", enabled: true });
    }
  });

  it("filters by tag", async () => {
    const r = await app.gqlOk(Search, { query: "create", filter: { tags: ["finance"] } });
    expect(r.search.hits.length).toBeGreaterThan(0);
    for (const h of r.search.hits) expect(h.__typename === "ToolSearchHit" ? h.server.path : h.server.path).toBe("/finance/ledger");
  });

  it("pages with first and after", async () => {
    const all = await app.gqlOk(Search, { query: "create", first: 100 });
    expect(all.search.hits.length).toBeGreaterThan(2);
    const one = await app.gqlOk(Search, { query: "create", first: 1 });
    expect(one.search.pageInfo.hasNextPage).toBe(true);
    const two = await app.gqlOk(Search, { query: "create", first: 1, after: one.search.pageInfo.endCursor });
    expect(two.search.hits[0]?.score).toBe(all.search.hits[1]?.score);
  });

  it.each([
    ["empty", "", "query"],
    ["whitespace", "   \t ", "query"],
    ["too long", "a".repeat(501), "query"],
  ])("refuses a %s query with a typed error", async (_label, query, field) => {
    const r = await app.gql(Search, { query });
    expect(r.data ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(JSON.stringify(r.errors?.[0]?.extensions?.fieldErrors)).toContain(field);
  });

  it.each([
    ["a NUL byte", "cal\u0000endar"],
    ["a lone surrogate", "cal\uD800endar"],
  ])("refuses a query with %s", async (_label, query) => {
    const r = await app.gql(Search, { query });
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("refuses first over 100 and a forged cursor", async () => {
    expect((await app.gql(Search, { query: "event", first: 101 })).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect((await app.gql(Search, { query: "event", after: "bm9wZQ" })).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("answers a restricted caller with its own servers only", async () => {
    const problems = await app.auth.policy.update({ groups: { "weather-team": [{ servers: ["/weather"], permissions: ["list_service"] }] } }, "test");
    expect(problems).toEqual([]);
    const token = await tokenFor(app, { subject: "bob", username: "bob", groups: ["weather-team"], scopes: ["list_service"] });
    const r = await app.gql(Search, { query: "get forecast create", first: 100 }, { authorization: `Bearer ${token}` });
    expect(r.errors).toBeUndefined();
    const paths = r.data!.search.hits.map((h) => h.server.path);
    expect(paths.length).toBeGreaterThan(0);
    expect(new Set(paths)).toEqual(new Set(["/weather"]));
  });

  it("uses the index for the servers and tools list filters, keeping substring matches", async () => {
    const servers = await app.gqlOk(ListServersMatching, { search: "forecasts" });
    expect(servers.servers.edges.map((e) => e.node.path)).toEqual(["/weather"]);
    // A tool's words find its server through the index (no substring of the server's own text).
    const byTool = await app.gqlOk(ListServersMatching, { search: "attendees" });
    expect(byTool.servers.edges.map((e) => e.node.path)).toEqual(["/calendar"]);
    const substring = await app.gqlOk(ListServersMatching, { search: "/finance/led" });
    expect(substring.servers.edges.map((e) => e.node.path)).toEqual(["/finance/ledger"]);
    const tools = await app.gqlOk(ToolsMatching, { search: "events" });
    expect(tools.tools.edges.map((e) => e.node.name)).toEqual(expect.arrayContaining(["create_event"]));
  });
});
