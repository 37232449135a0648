// The search as the running server wires it: with EMBEDDINGS_URL set, GraphQL `search` runs
// hybrid and finds by meaning what shares no word with the query (the vectors are written in
// the background, within seconds of the discovery that wrote the documents), and the query
// expander is loaded at the first search.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../src/generated/gql/index.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { discoverServers, DISCOVERY_ENV } from "../support/discovered.ts";
import { startFakeEmbedder, type FakeEmbedder } from "../support/fake-embedder.ts";
import type { TestMcpServer } from "../support/mcp-server.ts";

const WiredSearch = graphql(`
  query TestSearchWiring($query: String!) {
    search(query: $query, types: [TOOL]) {
      mode
      hits {
        __typename
        score
        ... on ToolSearchHit {
          tool {
            name
          }
          server {
            path
          }
        }
      }
    }
  }
`);

let fake: FakeEmbedder;
let app: TestApp;
let upstreams: TestMcpServer[] = [];

beforeAll(async () => {
  // Two made-up words the fake provider takes to mean "create" and "event": no thesaurus knows them.
  fake = await startFakeEmbedder({ dims: 64, concepts: { zorble: "create", quux: "event" } });
  app = await startApp({ env: { ...DISCOVERY_ENV, EMBEDDINGS_URL: fake.url, EMBEDDINGS_MODEL: "fake-embedding-model" } });
  upstreams = await discoverServers(app, [
    { path: "/calendar", name: "Calendar", tools: [{ name: "create_event", description: "Create an event in a calendar" }] },
    { path: "/weather", name: "Weather", tools: [{ name: "get_forecast", description: "The forecast for a city" }] },
  ]);
}, 90_000);

afterAll(async () => {
  await stopApp(app);
  for (const u of upstreams) await u.close();
  await fake.close();
});

describe("search in the running server", () => {
  it("with EMBEDDINGS_URL, runs hybrid and finds by meaning a tool that shares no word with the query", async () => {
    let answer = await app.gqlOk(WiredSearch, { query: "zorble quux" });
    const deadline = Date.now() + 10_000;
    while (!(answer.search.mode === "HYBRID" && answer.search.hits.length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await app.gqlOk(WiredSearch, { query: "zorble quux" });
    }
    expect(answer.search.mode).toBe("HYBRID");
    expect(answer.search.hits[0]).toMatchObject({ __typename: "ToolSearchHit", tool: { name: "create_event" }, server: { path: "/calendar" } });
    // The documents and the query went to the provider; nothing else did.
    expect(fake.embedded().some((text) => text.includes("create_event") || text.includes("Create an event"))).toBe(true);
    expect(fake.embedded()).toContain("zorble quux");
  });

  it("words the query shares with a tool still rank it first, in the same mode", async () => {
    const answer = await app.gqlOk(WiredSearch, { query: "weather forecast" });
    expect(answer.search.mode).toBe("HYBRID");
    expect(answer.search.hits[0]).toMatchObject({ tool: { name: "get_forecast" } });
  });
});
