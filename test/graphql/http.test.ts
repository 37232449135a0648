// /graphql over HTTP beyond plain queries: subscriptions as server-sent events, the
// standard introspection query under the limits, and refusals in GraphQL's shape.
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from "vitest";
import { getIntrospectionQuery } from "graphql";
import { ServerEvents } from "../../src/servers/events.ts";
import { INTROSPECTION_MAX_DEPTH, STANDARD_INTROSPECTION } from "../../src/graphql/cost-limit.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { signInAsAdmin } from "../support/session.ts";
import { healthEventFor } from "../support/events.ts";

let app: TestApp;
let listening: MockInstance<ServerEvents["subscribe"]>;
/** Subscriptions currently listening to app.events. */
let active = 0;

beforeAll(async () => {
  // The defaults: the standard introspection query must pass the limits as shipped.
  app = await startApp();
  const original = app.events.subscribe.bind(app.events);
  listening = vi.spyOn(app.events, "subscribe").mockImplementation((listener) => {
    const stop = original(listener);
    active += 1;
    return () => {
      active -= 1;
      stop();
    };
  });
});
afterAll(() => stopApp(app));

type GqlBody = { data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] };

async function post(query: string, headers: Record<string, string> = { authorization: `Bearer ${app.adminToken}` }) {
  const res = await fetch(`${app.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GqlBody };
}

/** Reads server-sent events off a fetch body, one `data:` payload at a time. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trim())
        .join("\n");
      if (data) yield JSON.parse(data);
    }
  }
}

describe("subscriptions over HTTP (server-sent events)", () => {
  it("streams each health event as it happens, and a client that leaves ends the subscription", async () => {
    const before = listening.mock.calls.length;
    const activeBefore = active;
    const abort = new AbortController();
    const res = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${app.adminToken}` },
      body: JSON.stringify({ query: "subscription { healthStatus { path health numTools } }" }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await vi.waitFor(() => expect(listening.mock.calls.length).toBeGreaterThan(before), { timeout: 10_000 });
    const events = sseData(res.body!);
    // One event at a time: the second is published only after the first arrived, so a
    // response buffered until the end would never deliver the first.
    app.events.publish(healthEventFor("/weather"));
    expect((await events.next()).value).toEqual({ data: { healthStatus: { path: "/weather", health: "HEALTHY", numTools: 3 } } });
    app.events.publish(healthEventFor("/time"));
    expect((await events.next()).value).toEqual({ data: { healthStatus: { path: "/time", health: "HEALTHY", numTools: 3 } } });
    expect(active).toBe(activeBefore + 1);
    abort.abort();
    await vi.waitFor(() => expect(active).toBe(activeBefore), { timeout: 10_000 });
  });

  it("works with the session cookie, as GraphiQL sends it", async () => {
    const cookie = await signInAsAdmin(app.url);
    const abort = new AbortController();
    const before = listening.mock.calls.length;
    const res = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", cookie, origin: app.url },
      body: JSON.stringify({ query: "subscription { healthStatus { path } }" }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(listening.mock.calls.length).toBeGreaterThan(before), { timeout: 10_000 });
    const events = sseData(res.body!);
    app.events.publish(healthEventFor("/finance"));
    expect((await events.next()).value).toEqual({ data: { healthStatus: { path: "/finance" } } });
    abort.abort();
  });
});

describe("introspection is always answered, and stays bounded", () => {
  it.each([
    ["graphql-js getIntrospectionQuery() with every option", STANDARD_INTROSPECTION],
    ["graphql-js getIntrospectionQuery() with the defaults", getIntrospectionQuery()],
    [
      "GraphiQL's own query",
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }),
    ],
  ])("answers %s under the default limits", async (_name, query) => {
    const r = await post(query);
    expect(r.body.errors).toBeUndefined();
    expect(r.status).toBe(200);
    const schema = r.body.data?.__schema as { types: { name: string }[] };
    expect(schema.types.map((t) => t.name)).toContain("Server");
  });

  it("answers __type and __typename", async () => {
    const r = await post(`{ __typename __type(name: "Server") { name fields { name } } }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data?.__typename).toBe("Query");
  });

  it("does not exempt a data field that comes with introspection", async () => {
    const r = await post(`{ __schema { queryType { name } } a: servers(first: 500) { edges { node { path tools { name description inputSchema } } } } b: servers(first: 500) { edges { node { path tools { name description inputSchema } } } } }`);
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
  });

  it("does not exempt a data field hidden in a root fragment", async () => {
    const query = `query { __typename ...F } fragment F on Query { __schema { queryType { name } } a: servers(first: 500) { edges { node { path tools { name description inputSchema } } } } b: servers(first: 500) { edges { node { path tools { name description inputSchema } } } } }`;
    const r = await post(query);
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
  });

  it("refuses an ofType chain deeper than the introspection depth limit", async () => {
    const chain = (n: number): string => (n === 0 ? "name" : `ofType { ${chain(n - 1)} }`);
    const r = await post(`{ __type(name: "Server") { ${chain(INTROSPECTION_MAX_DEPTH)} } }`);
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_DEEP");
    expect(r.body.errors?.[0]?.message).toMatch(`depth limit of ${INTROSPECTION_MAX_DEPTH}`);
  });

  it("refuses many copies of the introspection query in one document", async () => {
    // graphql-js refuses deep fields-of-fields chains itself (MaxIntrospectionDepthRule);
    // aliases are what remains, and the introspection cost limit (twice the standard query) bounds them.
    const open = STANDARD_INTROSPECTION.indexOf("__schema");
    let depth = 0;
    let close = STANDARD_INTROSPECTION.indexOf("{", open);
    for (let i = close; i < STANDARD_INTROSPECTION.length; i++) {
      if (STANDARD_INTROSPECTION[i] === "{") depth++;
      if (STANDARD_INTROSPECTION[i] === "}" && --depth === 0) {
        close = i;
        break;
      }
    }
    const selection = STANDARD_INTROSPECTION.slice(open, close + 1);
    const fragments = STANDARD_INTROSPECTION.slice(STANDARD_INTROSPECTION.indexOf("fragment"));
    const twice = `{ a: ${selection} b: ${selection} }\n${fragments}`;
    expect((await post(twice)).body.errors).toBeUndefined();
    const thrice = `{ a: ${selection} b: ${selection} c: ${selection} }\n${fragments}`;
    const r = await post(thrice);
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
  });

  it("still needs a signed-in caller", async () => {
    const r = await post(STANDARD_INTROSPECTION, {});
    expect(r.status).toBe(401);
    expect(r.body.data).toBeUndefined();
  });
});

describe("refusals on /graphql are GraphQL responses", () => {
  it("answers an anonymous caller 401 with an UNAUTHENTICATED error", async () => {
    const r = await post("{ viewer { username } }", {});
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toBe("Bearer");
    expect(r.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: "UNAUTHENTICATED" } }] });
  });

  it("answers a malformed bearer header 401 with an INVALID_TOKEN error", async () => {
    const r = await post("{ viewer { username } }", { authorization: "Bearer" });
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(r.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: "INVALID_TOKEN" } }] });
  });

  it("still sends a browser without a session to sign in", async () => {
    const res = await fetch(`${app.url}/graphql`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?next=%2Fgraphql");
  });
});

describe("GraphiQL's page and files", () => {
  it("come from this server: a page with no inline script or outside URL, and hashed files cached for a year", async () => {
    const cookie = await signInAsAdmin(app.url);
    const res = await fetch(`${app.url}/graphql`, { headers: { accept: "text/html", cookie } });
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/https?:\/\//);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    // Every executable script is a file; the options are inert JSON.
    expect(scripts.filter((attrs) => !/src="/.test(attrs))).toEqual([' type="application/json" id="graphiql-options"']);
    const files = [...html.matchAll(/(?:src|href)="(\/graphql\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(files).toHaveLength(5);
    for (const file of files) {
      const asset = await fetch(`${app.url}${file}`, { headers: { cookie, "accept-encoding": "gzip" } });
      expect(asset.status, file).toBe(200);
      expect(asset.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    const missing = await fetch(`${app.url}/graphql/assets/nope.js`, { headers: { cookie } });
    expect(missing.status).toBe(404);
    const anonymous = await fetch(`${app.url}${files[0]}`);
    expect(anonymous.status).toBe(401);
  });
});
