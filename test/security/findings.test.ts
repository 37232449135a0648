// The hardening findings on hostile input, one named table each, against the real server:
// what each request must be answered with now (a clear 4xx in the documented shape).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JSON_MAX_DEPTH } from "../../src/http/hostile-input.ts";
import { ARRAY_LIMITS } from "../../src/registry/validate.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { GetNode, RegisterServer } from "../support/operations.ts";
import { subscribe, wsClient } from "../support/ws-client.ts";
import { deepArray, deepObject } from "./corpus.ts";
import { dumpData } from "./dump.ts";

let app: TestApp;
let serverId: string;

beforeAll(async () => {
  app = await startApp();
  const data = await app.gqlOk(RegisterServer, {
    input: { path: "/known", name: "Known", description: "d", proxyPassUrl: "http://127.0.0.1:9/mcp" },
  });
  if (data.registerServer.__typename !== "RegisterServerSuccess") throw new Error("fixture not registered");
  serverId = data.registerServer.server.id;
});

afterAll(async () => {
  await stopApp(app);
});

type Request = { method: string; url: string; headers?: Record<string, string>; body?: string };
type Answer = { status: number; type: string; body: unknown; headers: Headers };

async function call(r: Request, token: string | undefined = app.adminToken): Promise<Answer> {
  const headers: Record<string, string> = { ...r.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${app.url}${r.url}`, { method: r.method, headers, body: r.body, redirect: "manual" });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text; the assertions say what was due
  }
  return { status: res.status, type: (res.headers.get("content-type") ?? "").split(";")[0]!, body, headers: res.headers };
}

const json = { "content-type": "application/json" };
const form = { "content-type": "application/x-www-form-urlencoded" };
const gqlHeaders = { ...json, accept: "application/graphql-response+json" };
const serverJson = { $schema: "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json", name: "com.example/findings", description: "A server", version: "1.0.0" };

/** The REST error body with this status and code. */
async function expectRestError(r: Request, status: number, code: string, message?: RegExp): Promise<void> {
  const answer = await call(r);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.type).toBe("application/json");
  expect(answer.body).toEqual({ error: { code, message: expect.any(String) } });
  if (message) expect((answer.body as { error: { message: string } }).error.message).toMatch(message);
}

/** A GraphQL response with errors, with this HTTP status. */
async function expectGraphqlError(r: Request, status: number, code?: string): Promise<void> {
  const answer = await call(r);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(["application/json", "application/graphql-response+json"]).toContain(answer.type);
  const errors = (answer.body as { errors?: { message: string; extensions?: { code?: string } }[] }).errors;
  expect(errors?.length, JSON.stringify(answer.body)).toBeGreaterThan(0);
  expect(typeof errors![0]!.message).toBe("string");
  if (code) expect(errors![0]!.extensions?.code).toBe(code);
}

describe("NUL bytes are refused with 400 wherever they arrive", () => {
  it.each<[string, Request]>([
    ["a path segment", { method: "GET", url: "/api/server_details/kn%00own" }],
    ["a registry name", { method: "GET", url: "/v0.1/servers/com.example%2Fa%00b/versions" }],
    ["a registry version", { method: "GET", url: "/v0/servers/com.example%2Fa/versions/1%00" }],
    ["a query parameter", { method: "GET", url: "/v0.1/servers?search=a%00b" }],
    ["a token id", { method: "POST", url: "/api/tokens/a%00b/revoke" }],
    ["a status change's name", { method: "PATCH", url: "/v0.1/servers/a%00/status", headers: json, body: '{"status":"deprecated"}' }],
    ["a form field", { method: "POST", url: "/register", headers: form, body: "name=a%00b&description=d&path=/nul&proxy_pass_url=http://127.0.0.1:9/" }],
    ["a form field's name", { method: "POST", url: "/edit/known", headers: form, body: "a%00b=x" }],
    ["a JSON form body", { method: "POST", url: "/edit/known", headers: json, body: '{"description":"a\\u0000b"}' }],
    ["a JSON key", { method: "POST", url: "/edit/known", headers: json, body: '{"a\\u0000b":"x"}' }],
    ["a published server.json", { method: "POST", url: "/v0.1/publish", headers: json, body: JSON.stringify({ ...serverJson, description: "a\u0000b" }) }],
    ["a status message", { method: "PATCH", url: "/v0.1/servers/com.example%2Fa/status", headers: json, body: '{"status":"deprecated","statusMessage":"\\u0000"}' }],
    ["a token description", { method: "POST", url: "/api/tokens/generate", headers: form, body: "description=%00" }],
    ["JSON metadata in a form", { method: "POST", url: "/edit/known", headers: form, body: `metadata=${encodeURIComponent('{"a":"\\u0000"}')}` }],
  ])("in %s", async (_where, request) => {
    const before = await dumpData(app);
    await expectRestError(request, 400, "BAD_REQUEST", /NUL/);
    expect(await dumpData(app)).toEqual(before);
  });

  it.each<[string, Request]>([
    ["a GraphQL variable", { method: "POST", url: "/graphql", headers: gqlHeaders, body: JSON.stringify({ query: "query($p: String!) { server(path: $p) { id } }", variables: { p: "/a\u0000" } }) }],
    ["a GraphQL string literal", { method: "POST", url: "/graphql", headers: gqlHeaders, body: JSON.stringify({ query: '{ server(path: "/a\\u0000") { id } }' }) }],
    ["a GraphQL GET query", { method: "GET", url: "/graphql?query=%7Bserver(path%3A%22%2Fa%00%22)%7Bid%7D%7D", headers: { accept: "application/graphql-response+json" } }],
    ["GraphQL GET variables", { method: "GET", url: `/graphql?query=${encodeURIComponent("query($p: String!) { server(path: $p) { id } }")}&variables=${encodeURIComponent('{"p":"\\u0000"}')}`, headers: { accept: "application/graphql-response+json" } }],
    ["a GraphQL operation name", { method: "POST", url: "/graphql", headers: gqlHeaders, body: JSON.stringify({ query: "{ __typename }", operationName: "a\u0000" }) }],
  ])("in %s, as a GraphQL error", async (_where, request) => {
    await expectGraphqlError(request, 400, "BAD_USER_INPUT");
  });
});

describe(`JSON nested deeper than ${JSON_MAX_DEPTH} levels is refused with 400 before anything recurses into it`, () => {
  // `{..., _meta: deepObject(n)}` nests n + 1 levels.
  const validate = (meta: unknown): Request => ({ method: "POST", url: "/v0.1/validate", headers: json, body: JSON.stringify({ ...serverJson, _meta: meta }) });

  it.each<[string, Request, number]>([
    [`${JSON_MAX_DEPTH} levels of objects`, validate(deepObject(JSON_MAX_DEPTH - 1)), 200],
    [`${JSON_MAX_DEPTH + 1} levels of objects`, validate(deepObject(JSON_MAX_DEPTH)), 400],
    [`${JSON_MAX_DEPTH + 1} levels of lists`, validate(deepArray(JSON_MAX_DEPTH)), 400],
    ["124 levels", validate(deepObject(124)), 400],
    // As text: JSON.stringify itself recurses, and would run out of stack here.
    ["100,000 levels", { ...validate(1), body: `{"name":"com.example/deep","_meta":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}` }, 400],
    ["in a published document", { ...validate(deepObject(200)), url: "/v0.1/publish" }, 400],
    ["in a form's JSON body", { method: "POST", url: "/register", headers: json, body: JSON.stringify({ name: "x", x: deepObject(200) }) }, 400],
    ["in a status change", { method: "PATCH", url: "/v0/servers/com.example%2Fa/status", headers: json, body: JSON.stringify({ status: "deprecated", x: deepArray(200) }) }, 400],
  ])("%s: %i", async (_name, request, status) => {
    const answer = await call(request);
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(status);
    if (status === 400) expect(answer.body).toEqual({ error: { code: "BAD_REQUEST", message: expect.stringMatching(/nested deeper than 64/) } });
  });

  it("in form metadata, as the REST error", async () => {
    const body = new URLSearchParams({ metadata: JSON.stringify(deepObject(200)) }).toString();
    await expectRestError({ method: "POST", url: "/edit/known", headers: form, body }, 400, "BAD_REQUEST", /nested deeper/);
  });

  it.each<[string, Request]>([
    ["in GraphQL variables", { method: "POST", url: "/graphql", headers: gqlHeaders, body: JSON.stringify({ query: "mutation($m: JSONObject) { updateServer(path: \"/known\", input: { metadata: $m }) { __typename } }", variables: { m: deepObject(200) } }) }],
    ["in a GraphQL literal", { method: "POST", url: "/graphql", headers: gqlHeaders, body: JSON.stringify({ query: `mutation { updateServer(path: "/known", input: { metadata: ${"{a:".repeat(200)}1${"}".repeat(200)} }) { __typename } }` }) }],
    ["in GraphQL extensions", { method: "POST", url: "/graphql", headers: gqlHeaders, body: JSON.stringify({ query: "{ __typename }", extensions: deepObject(200) }) }],
  ])("%s, as a GraphQL error", async (_name, request) => {
    const before = await dumpData(app);
    await expectGraphqlError(request, 400, "BAD_USER_INPUT");
    expect(await dumpData(app)).toEqual(before);
  });
});

describe("lone surrogates in JSON are refused with 400", () => {
  it.each<[string, Request]>([
    ["a high surrogate", { method: "POST", url: "/edit/known", headers: json, body: '{"description":"a\\ud800b"}' }],
    ["a low surrogate", { method: "POST", url: "/edit/known", headers: json, body: '{"description":"\\udc00"}' }],
    ["reversed halves", { method: "POST", url: "/edit/known", headers: json, body: '{"description":"\\udc00\\ud800"}' }],
    ["in a published document", { method: "POST", url: "/v0.1/publish", headers: json, body: JSON.stringify({ ...serverJson, description: "\ud800" }) }],
    ["in a key", { method: "PATCH", url: "/v0.1/servers/com.example%2Fa/status", headers: json, body: '{"status":"deprecated","\\ud800":1}' }],
  ])("%s", async (_name, request) => {
    await expectRestError(request, 400, "BAD_REQUEST", /lone surrogate/);
  });

  it("a surrogate pair (an emoji) is text like any other", async () => {
    const answer = await call({ method: "POST", url: "/edit/known", headers: { ...json, accept: "application/json" }, body: '{"description":"\\ud83d\\udca9"}' });
    expect(answer.status).toBe(200);
    expect((answer.body as { description: string }).description).toBe("💩");
  });

  it("in a GraphQL variable, as a GraphQL error", async () => {
    const body = JSON.stringify({ query: "query($p: String!) { server(path: $p) { id } }", variables: { p: "\ud800" } });
    await expectGraphqlError({ method: "POST", url: "/graphql", headers: gqlHeaders, body }, 400, "BAD_USER_INPUT");
  });
});

describe("token lifetimes over 2^31 seconds get the lifetime rule's 400", () => {
  it.each(["2147483648", "99999999999999999999", "4294967296"])("expires_in=%s", async (expires) => {
    const before = await dumpData(app);
    await expectRestError(
      { method: "POST", url: "/api/tokens/generate", headers: form, body: `expires_in=${expires}` },
      400,
      "VALIDATION_ERROR",
      /^expires_in(_seconds)? must be from 60 to \d+/,
    );
    expect(await dumpData(app)).toEqual(before);
  });

  it("expiresInSeconds over 2^31 in GraphQL is a request error", async () => {
    const body = JSON.stringify({ query: "mutation { generateToken(input: { expiresInSeconds: 2147483648 }) { __typename } }" });
    await expectGraphqlError({ method: "POST", url: "/graphql", headers: gqlHeaders, body }, 400);
  });
});

describe("GET /graphql with variables or extensions that are not JSON objects gets a 400 GraphQL error", () => {
  const q = encodeURIComponent("query($p: String!) { server(path: $p) { id } }");
  it.each([
    ["variables that do not parse", `variables=%7B`],
    ["variables that are text", `variables=weather`],
    ["variables that are a list", `variables=%5B%5D`],
    ["variables that are a number", `variables=1`],
    ["extensions that do not parse", `extensions=%7B`],
  ])("%s", async (_name, param) => {
    await expectGraphqlError({ method: "GET", url: `/graphql?query=${q}&${param}`, headers: { accept: "application/json" } }, 400, "BAD_REQUEST");
  });

  it("well-formed variables still work", async () => {
    const answer = await call({ method: "GET", url: `/graphql?query=${q}&variables=${encodeURIComponent('{"p":"/known"}')}`, headers: { accept: "application/json" } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { server: { id: serverId } } });
  });
});

describe("node(id) answers null for a global id that names no UUID", () => {
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  it.each([
    ["a server id that is not a UUID", b64("Server:not-a-uuid")],
    ["a tool id that is a number", b64("Tool:1")],
    ["a server id with SQL in it", b64("Server:' or 1=1 --")],
    ["a UUID nobody has", b64("Server:2b0d7b3d-8d52-4f43-9d1c-5a0e1e3f0a11")],
  ])("%s", async (_name, id) => {
    const result = await app.gql(GetNode, { id });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ node: null });
  });

  it("a real id still finds its server", async () => {
    const result = await app.gql(GetNode, { id: serverId });
    expect(result.errors).toBeUndefined();
    expect(result.data?.node).toMatchObject({ id: serverId });
  });
});

describe("/graphql's refusals are GraphQL responses", () => {
  // yoga's own 405 names its code BAD_REQUEST; the others were empty bodies before.
  it.each<[string, Request, number, string | undefined]>([
    ["PUT", { method: "PUT", url: "/graphql", headers: json, body: "{}" }, 405, undefined],
    ["DELETE", { method: "DELETE", url: "/graphql" }, 405, undefined],
    ["Accept: image/png", { method: "POST", url: "/graphql", headers: { ...json, accept: "image/png" }, body: '{"query":"{ __typename }"}' }, 406, "NOT_ACCEPTABLE"],
    ["a text/plain body", { method: "POST", url: "/graphql", headers: { "content-type": "text/plain" }, body: "{ __typename }" }, 415, "UNSUPPORTED_MEDIA_TYPE"],
    ["no content type", { method: "POST", url: "/graphql", body: '{"query":"{ __typename }"}' }, 415, "UNSUPPORTED_MEDIA_TYPE"],
  ])("%s: %i", async (_name, request, status, code) => {
    await expectGraphqlError(request, status, code);
  });

  it.each(["/GRAPHQL", "/graphql/", "/GraphQL"])("%s is served like /graphql", async (url) => {
    const answer = await call({ method: "POST", url, headers: json, body: '{"query":"{ __typename }"}' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { __typename: "Query" } });
  });
});

describe("a method a route does not serve gets 405 in the REST error shape", () => {
  it.each<[string, string, string | undefined]>([
    ["PUT", "/register", "POST"],
    ["DELETE", "/api/tokens", "GET"],
    ["POST", "/", "GET"],
    ["PUT", "/login", "GET"],
    ["PROPFIND", "/api/tokens", undefined],
  ])("%s %s", async (method, url, allowed) => {
    const answer = await call({ method, url });
    expect(answer.status).toBe(405);
    expect(answer.body).toEqual({ error: { code: "METHOD_NOT_ALLOWED", message: expect.any(String) } });
    if (allowed) expect(answer.headers.get("allow")).toContain(allowed);
  });
});

describe("published documents have capped lists", () => {
  const remotes = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "streamable-http", url: `https://example.com/${i}` }));
  const limit = ARRAY_LIMITS.get("remotes")!;

  it.each([
    ["10,000 remotes", { ...serverJson, remotes: remotes(10_000) }, "remotes"],
    [`${limit + 1} remotes`, { ...serverJson, remotes: remotes(limit + 1) }, "remotes"],
    ["too many packages", { ...serverJson, packages: Array.from({ length: ARRAY_LIMITS.get("packages")! + 1 }, () => ({ registryType: "npm", identifier: "x", version: "1.0.0", transport: { type: "stdio" } })) }, "packages"],
    ["too many headers on a remote", { ...serverJson, remotes: [{ type: "sse", url: "https://example.com/", headers: Array.from({ length: 65 }, (_, i) => ({ name: `h${i}` })) }] }, "remotes[0].headers"],
    ["a long list in _meta", { ...serverJson, _meta: { "com.example": { list: Array.from({ length: 1_001 }, () => 1) } } }, "_meta.com.example.list"],
  ])("%s are refused on publish and reported by validate", async (_name, document, field) => {
    const before = await dumpData(app);
    const published = await call({ method: "POST", url: "/v0.1/publish", headers: json, body: JSON.stringify(document) });
    expect(published.status).toBe(422);
    expect(published.body).toEqual({ error: { code: "VALIDATION_ERROR", message: expect.stringContaining(`${field} must have at most`) } });
    expect(await dumpData(app)).toEqual(before);
    const validated = await call({ method: "POST", url: "/v0.1/validate", headers: json, body: JSON.stringify(document) });
    expect(validated.status).toBe(200);
    expect(validated.body).toMatchObject({ valid: false, issues: [{ path: field, message: expect.stringMatching(/^must have at most \d+ items$/) }] });
  });

  it(`${limit} remotes are fine`, async () => {
    const validated = await call({ method: "POST", url: "/v0.1/validate", headers: json, body: JSON.stringify({ ...serverJson, remotes: remotes(limit) }) });
    expect(validated.body).toMatchObject({ valid: true });
  });
});

describe("subscriptions over the WebSocket refuse hostile variables", () => {
  it.each([
    ["a NUL", { paths: ["/a\u0000"] }],
    ["a lone surrogate", { paths: ["\ud800"] }],
    ["nesting too deep", { paths: ["/a"], extra: deepObject(200) }],
  ])("%s gets a GraphQL error and the socket stays usable", async (_name, variables) => {
    const client = wsClient(app.url, { token: app.adminToken });
    try {
      const query = "subscription($paths: [String!]) { healthStatus(paths: $paths) { path } }";
      const refused = subscribe(client, query, variables);
      const failure = await refused.next().then(
        (result) => result,
        (err: unknown) => err,
      );
      // graphql-ws hands an `error` message to the client as a thrown list of GraphQL errors.
      const errors = (Array.isArray(failure) ? failure : (failure as { errors?: unknown[] }).errors) as { message: string; extensions?: { code?: string } }[];
      expect(errors?.[0]?.extensions?.code, JSON.stringify(failure)).toBe("BAD_USER_INPUT");
      // The same socket still answers: a subscription naming an unknown field gets its validation error.
      const next = await subscribe(client, "subscription { nope }").next().then(
        (result) => result,
        (err: unknown) => err,
      );
      expect(JSON.stringify(next)).toContain("nope");
    } finally {
      await client.dispose();
    }
  });
});
