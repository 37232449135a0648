// One request cannot take the server down: malformed, too deep, too long or too
// costly documents, and oversized bodies, are refused with a clear error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, stopApp, type TestApp } from "../support/app.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { GRAPHQL_MAX_DEPTH: "8", GRAPHQL_MAX_COST: "20000", BODY_LIMIT_BYTES: "65536" } });
});
afterAll(() => stopApp(app));

async function post(body: string, contentType = "application/json") {
  const res = await fetch(`${app.url}/graphql`, {
    method: "POST",
    // The GraphQL-over-HTTP media type: request errors then come back as 400, not 200.
    headers: {
      "content-type": contentType,
      accept: "application/graphql-response+json",
      authorization: `Bearer ${app.adminToken}`,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, json: safeJson(text) };
}

function safeJson(text: string): { errors?: { message: string; extensions?: { code?: string } }[]; error?: { code: string } } {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

describe("GraphQL request limits", () => {
  it("refuses a malformed document with a syntax error", async () => {
    const r = await post(JSON.stringify({ query: "{ servers(first: 1 { totalCount }" }));
    expect(r.status).toBe(400);
    expect(r.json.errors?.[0]?.message).toMatch(/Syntax Error/);
  });

  it("refuses a body that is not JSON", async () => {
    const r = await post("{not json");
    expect(r.status).toBe(400);
    expect(r.json.errors?.[0]?.message).toMatch(/JSON/i);
  });

  it("refuses a query for a field that does not exist", async () => {
    const r = await post(JSON.stringify({ query: "{ nope }" }));
    expect(r.status).toBe(400);
    expect(r.json.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
  });

  it("refuses a document nested deeper than the limit", async () => {
    const deep = `{ server(path: "/x") { tools { server { tools { server { tools { server { tools { name } } } } } } } } }`;
    const r = await post(JSON.stringify({ query: deep }));
    expect(r.status).toBe(400);
    expect(r.json.errors?.[0]?.message).toMatch(/depth limit of 8/i);
    expect(r.json.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_DEEP");
  });

  it("refuses a document whose estimated cost is over the limit", async () => {
    const query = `{ servers(first: 500) { edges { node { path tools { name description inputSchema } } } } }`;
    const r = await post(JSON.stringify({ query }));
    expect(r.status).toBe(400);
    expect(r.json.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
    expect(r.json.errors?.[0]?.message).toMatch(/over the limit of 20000/);
  });

  it("prices aliases: many copies of a cheap field add up", async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: servers(first: 100) { edges { node { path } } }`);
    const r = await post(JSON.stringify({ query: `{ ${aliases.join(" ")} }` }));
    expect(r.json.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
  });

  it("answers the same query within the limit", async () => {
    const r = await post(JSON.stringify({ query: `{ servers(first: 20) { totalCount edges { node { path tools { name } } } } }` }));
    expect(r.status).toBe(200);
    expect(r.json.errors).toBeUndefined();
  });

  it("refuses a body over the size limit with 413 and a GraphQL error", async () => {
    const r = await post(JSON.stringify({ query: `{ servers { totalCount } }`, pad: "x".repeat(70_000) }));
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ errors: [{ message: expect.stringMatching(/over the limit/), extensions: { code: "PAYLOAD_TOO_LARGE" } }] });
  });

  it("refuses a document with too many tokens", async () => {
    const fields = Array.from({ length: 2500 }, () => "__typename").join(" ");
    const r = await post(JSON.stringify({ query: `{ ${fields} }` }));
    expect(r.status).toBe(400);
    expect(r.json.errors?.[0]?.message).toMatch(/token/i);
    expect(r.json.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_LONG");
  });
});

describe("cost estimates", () => {
  it("prices a connection by its page size, not its edges twice", async () => {
    // 100 servers × (node + 3 scalars + up to 20 tools) is about 2,600: well within 20,000.
    const r = await post(JSON.stringify({ query: `{ servers(first: 100) { edges { node { path name tags tools { name } } } } }` }));
    expect(r.json.errors).toBeUndefined();
    // 500 servers of the same shape is about 13,000; with tools' schemas too it is over.
    const big = await post(
      JSON.stringify({ query: `{ servers(first: 500) { edges { node { path name tags tools { name description inputSchema } } } } }` }),
    );
    expect(big.json.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
  });
});
