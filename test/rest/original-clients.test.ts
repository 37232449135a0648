// The original product's clients (its CLI, its MCP management server `mcpgw`, its UI)
// against the real server, with requests shaped as those clients send them:
// X-Authorization bearers, a jar holding the one session cookie, the token body with
// requested_scopes, the /api spellings of register/toggle/edit, the health map over
// plain HTTP and the /api WebSocket, server_name, any star count, disabled servers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { GetServer, RegisterServer, ToggleServer } from "../support/operations.ts";
import { restContract } from "../support/rest-contract.ts";
import { signInAsAdmin } from "../support/session.ts";
import { connectionAck, firstMessage } from "../support/ws-client.ts";
import { graphql } from "../../src/generated/gql/index.ts";

let app: TestApp;
let bobToken: string;

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

beforeAll(async () => {
  app = await startApp();
  // bob may list /team servers and change /team/open only.
  const problems = await app.auth.policy.update(
    {
      groups: {
        "team-a": [
          { servers: ["/team", "/team/*"], permissions: ["list_service"] },
          { servers: ["/team/open"], permissions: ["list_service", "toggle_service", "modify_service", "health_check_service", "register_service"] },
        ],
      },
    },
    "test",
  );
  expect(problems).toEqual([]);
  // A day long: a token generated with a registry token may not outlive it (README, Identity and access).
  bobToken = await tokenFor(app, {
    subject: "bob",
    username: "bob",
    groups: ["team-a"],
    scopes: ["list_service", "toggle_service"],
    ttlSeconds: 24 * 3600,
  });
  for (const p of ["/team", "/team/open", "/secret"]) {
    await app.gqlOk(RegisterServer, { input: { name: `server ${p}`, path: p, proxyPassUrl: "http://127.0.0.1:9/mcp", numStars: 3 } });
  }
  await app.gqlOk(ToggleServer, { path: "/team", enabled: true });
});

afterAll(() => stopApp(app));

/** One request, its answer checked against /openapi.json. */
async function call(method: string, url: string, headers: Record<string, string> = {}, body?: string) {
  const res = await fetch(`${app.url}${url}`, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  (await restContract(app.url)).check(method, url, { status: res.status, headers: res.headers, text });
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    // not JSON
  }
  return { status: res.status, body: json, headers: res.headers };
}

/** What httpx sends for `data={...}`: a urlencoded form. */
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { "content-type": "application/x-www-form-urlencoded" };
const JSON_BODY = { "content-type": "application/json" };
const xAuth = (token: string) => ({ "x-authorization": `Bearer ${token}` });

describe("X-Authorization: Bearer <token>, as mcpgw sends it", () => {
  type Case = { name: string; headers: () => Record<string, string>; status: number; code?: string };
  const forged = () => `${app.adminToken.slice(0, -4)}AAAA`;
  const cases: Case[] = [
    { name: "is accepted alone", headers: () => xAuth(app.adminToken), status: 200 },
    { name: "a forged one is refused", headers: () => xAuth(forged()), status: 401, code: "INVALID_TOKEN" },
    { name: "one that is not a bearer is refused", headers: () => ({ "x-authorization": "Basic YWRtaW46eA==" }), status: 401, code: "INVALID_TOKEN" },
    { name: "Authorization wins over it (valid Authorization, forged X-Authorization)", headers: () => ({ authorization: `Bearer ${app.adminToken}`, ...xAuth(forged()) }), status: 200 },
    { name: "Authorization wins over it (forged Authorization, valid X-Authorization)", headers: () => ({ authorization: `Bearer ${forged()}`, ...xAuth(app.adminToken) }), status: 401, code: "INVALID_TOKEN" },
    { name: "nothing at all is 401", headers: () => ({}), status: 401, code: "UNAUTHENTICATED" },
  ];
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const res = await call("GET", "/api/server_details/all", { accept: "application/json", ...c.headers() });
    expect(res.status).toBe(c.status);
    if (c.code) expect(res.body.error?.code).toBe(c.code);
    else expect(Object.keys(res.body).sort()).toEqual(["/secret", "/team", "/team/open"]);
  });

  it("carries the caller's own grants (a restricted token sees only what it may list)", async () => {
    const res = await call("GET", "/api/server_details/all", xAuth(bobToken));
    expect(Object.keys(res.body).sort()).toEqual(["/team", "/team/open"]);
  });

  it("works on GraphQL and exempts the post from the cookie CSRF check, like Authorization", async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { ...JSON_BODY, ...xAuth(bobToken), origin: "https://elsewhere.example" },
      body: JSON.stringify({ query: "{ viewer { username } }" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { viewer: { username: "bob" } } });
  });

  it("is read from graphql-ws connection params on the subscription socket", async () => {
    expect(await connectionAck(app.url, { "X-Authorization": `Bearer ${bobToken}` })).toBe("connection_ack");
    await expect(connectionAck(app.url, { "X-Authorization": `Bearer ${forged()}` })).rejects.toThrow("closed 4403");
  });

  it("opens the authenticated health feed WebSocket", async () => {
    const secured = await startApp({ env: { HEALTH_FEED_REQUIRE_AUTH: "true" } });
    try {
      await secured.gqlOk(RegisterServer, { input: { name: "w", path: "/w", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
      expect(await firstMessage(secured.url, "/ws/health_status", xAuth(secured.adminToken))).toEqual({
        "/w": { status: "disabled", last_checked_iso: null, num_tools: 0 },
      });
      await expect(firstMessage(secured.url, "/ws/health_status", xAuth(`${secured.adminToken.slice(0, -4)}AAAA`))).rejects.toThrow("401");
    } finally {
      await stopApp(secured);
    }
  });
});

describe("the session is one mcp_gateway_session cookie", () => {
  async function login(): Promise<{ value: string; setCookies: string[] }> {
    const res = await fetch(`${app.url}/login`, {
      method: "POST",
      headers: FORM,
      body: form(ADMIN),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const setCookies = res.headers.getSetCookie();
    const value = /^mcp_gateway_session=([^;]*)/.exec(setCookies[0] ?? "")?.[1] ?? "";
    return { value, setCookies };
  }
  const details = (cookie: string) => call("GET", "/api/server_details/team", { accept: "application/json", cookie });

  it("sign-in sets exactly one cookie, whose value carries the session id and its signature", async () => {
    const { value, setCookies } = await login();
    expect(setCookies).toHaveLength(1);
    expect(setCookies[0]).toMatch(/^mcp_gateway_session=[^;]+;.*path=\/;.*samesite=lax;.*httponly/i);
    expect(value).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
  });

  it("a client that keeps only that cookie stays signed in, and its sign-out ends the session", async () => {
    const { value } = await login();
    const cookie = `mcp_gateway_session=${value}`;
    expect((await details(cookie)).status).toBe(200);
    const out = await fetch(`${app.url}/logout`, { method: "POST", headers: { cookie }, redirect: "manual" });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie()).toEqual([expect.stringMatching(/^mcp_gateway_session=;.*expires=Thu, 01 Jan 1970/)]);
    expect((await details(cookie)).status).toBe(401);
  });

  it("a cookie with a changed id or signature, or the id alone, is no session", async () => {
    const { value } = await login();
    const [id = "", signature = ""] = value.split(".");
    const other = `${id.slice(0, -1)}${id.endsWith("0") ? "1" : "0"}`;
    const changedSignature = `${signature.slice(0, -1)}${signature.endsWith("A") ? "B" : "A"}`;
    for (const forged of [`${other}.${signature}`, `${id}.${changedSignature}`, id, `${id}.`, `.${signature}`]) {
      expect((await details(`mcp_gateway_session=${forged}`)).status, forged).toBe(401);
    }
    // The koa-session form (value plus a separate .sig cookie) is not read: sign in again.
    expect((await details(`mcp_gateway_session=${id}; mcp_gateway_session.sig=${signature}`)).status).toBe(401);
    expect((await details(`mcp_gateway_session=${value}`)).status).toBe(200);
  });

  it("the cookie alone opens the GraphQL subscription socket from the registry's own origin", async () => {
    const { value } = await login();
    expect(await connectionAck(app.url, undefined, { cookie: `mcp_gateway_session=${value}`, origin: app.url })).toBe("connection_ack");
  });
});

describe("POST /api/tokens/generate with the original body", () => {
  const ViewerScopes = graphql(`
    query OriginalClientsViewer {
      viewer {
        username
        scopes
      }
    }
  `);
  async function generate(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${bobToken}` }) {
    return call("POST", "/api/tokens/generate", { ...JSON_BODY, ...headers }, JSON.stringify(body));
  }
  async function scopesOf(token: string): Promise<string[]> {
    const res = await app.gql(ViewerScopes, {}, { authorization: `Bearer ${token}` });
    return res.data?.viewer.scopes ?? [];
  }

  it("issues exactly the requested scopes, for expires_in_hours, with the description (an admin asking for less gets less)", async () => {
    // app.adminToken lives an hour, and a token it generates may not outlive it: use a day-long one.
    const admin = await tokenFor(app, {
      subject: "test-admin",
      username: "test-admin",
      groups: [app.config.auth.adminGroup],
      scopes: ["list_service", "modify_service", "admin"],
      ttlSeconds: 24 * 3600,
    });
    const res = await generate(
      { requested_scopes: ["list_service"], expires_in_hours: 8, description: "ci bot" },
      { authorization: `Bearer ${admin}` },
    );
    expect(res.status).toBe(200);
    const tokens = res.body.tokens as { access_token: string; scope: string; expires_in: number; jti: string };
    expect(tokens).toMatchObject({ scope: "list_service", expires_in: 8 * 3600 });
    expect(await scopesOf(tokens.access_token)).toEqual(["list_service"]);
    const me = await app.gql(ViewerScopes, {}, { authorization: `Bearer ${tokens.access_token}` });
    expect(me.data?.viewer.username).toBe("test-admin");
    const listed = await call("GET", "/api/tokens", { authorization: `Bearer ${app.adminToken}` });
    expect(listed.body.tokens).toContainEqual(expect.objectContaining({ jti: tokens.jti, description: "ci bot", scopes: ["list_service"] }));
  });

  it("an empty or absent requested_scopes means the scopes the caller holds, never more", async () => {
    for (const body of [{ requested_scopes: [], expires_in_hours: 1, description: "" }, { expires_in_hours: 1 }]) {
      const res = await generate(body);
      expect(res.status).toBe(200);
      const tokens = res.body.tokens as { access_token: string; scope: string };
      expect(tokens.scope.split(" ").sort()).toEqual(["list_service", "toggle_service"]);
      expect((await scopesOf(tokens.access_token)).sort()).toEqual(["list_service", "toggle_service"]);
    }
  });

  type Refusal = { name: string; body: unknown; message: RegExp };
  const refusals: Refusal[] = [
    { name: "a scope the caller lacks", body: { requested_scopes: ["list_service", "admin"], expires_in_hours: 8 }, message: /^requested_scopes not held by you: admin$/ },
    { name: "a scope that does not exist", body: { requested_scopes: ["everything"] }, message: /^requested_scopes not held by you: everything$/ },
    { name: "an unknown field", body: { requested_scopes: ["list_service"], scopes_wanted: ["admin"] }, message: /^unknown field: "scopes_wanted"$/ },
    { name: "several unknown fields", body: { ttl: 5, user: "admin" }, message: /^unknown fields: "ttl", "user"$/ },
    { name: "requested_scopes that is not a list of names", body: { requested_scopes: [1, 2] }, message: /^requested_scopes must be a list of scope names$/ },
    { name: "requested_scopes as an object", body: { requested_scopes: { admin: true } }, message: /^requested_scopes must be a list/ },
    { name: "two scope fields", body: { requested_scopes: ["list_service"], scopes: "list_service" }, message: /^send one of scopes, requested_scopes$|^send one of requested_scopes, scopes$/ },
    { name: "two lifetime fields", body: { expires_in_hours: 1, expires_in: 60 }, message: /^send one of/ },
    { name: "zero hours", body: { expires_in_hours: 0 }, message: /^expires_in_hours must be a whole number of hours, 1 or more$/ },
    { name: "fractional hours", body: { expires_in_hours: 1.5 }, message: /^expires_in_hours must be a whole number/ },
    { name: "hours as a word", body: { expires_in_hours: "soon" }, message: /^expires_in_hours must be a whole number/ },
    { name: "a huge number of hours", body: { expires_in_hours: 1e300 }, message: /^expires_in_hours must be at most 168$/ },
    { name: "more hours than the longest lifetime", body: { expires_in_hours: 24 * 8 }, message: /^expires_in_hours must be at most 168$/ },
    { name: "a description that is not text", body: { description: ["x"] }, message: /^description must be text$/ },
    { name: "a description that is too long", body: { description: "x".repeat(201) }, message: /^description must be at most 200 characters$/ },
  ];
  it.each(refusals.map((r) => [r.name, r] as const))("refuses %s with 400 and issues nothing", async (_name, r) => {
    const before = await app.db.prisma.apiToken.count();
    const res = await generate(r.body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "VALIDATION_ERROR", message: expect.stringMatching(r.message) } });
    expect(await app.db.prisma.apiToken.count()).toBe(before);
  });
});

describe("legacy JSON carries server_name beside name", () => {
  it("in /register's service, /api/register's, and /api/server_details (one and all)", async () => {
    for (const [url, p] of [["/register", "/named/one"], ["/api/register", "/named/two"]] as const) {
      const res = await call("POST", url, { ...FORM, ...xAuth(app.adminToken) }, form({ name: "Named", description: "d", path: p, proxy_pass_url: "http://127.0.0.1:9/mcp" }));
      expect(res.status).toBe(201);
      expect(res.body.service).toMatchObject({ path: p, name: "Named", server_name: "Named" });
    }
    const one = await call("GET", "/api/server_details/named/one", xAuth(app.adminToken));
    expect(one.body).toMatchObject({ name: "Named", server_name: "Named" });
    const all = await call("GET", "/api/server_details/all", xAuth(app.adminToken));
    for (const s of Object.values(all.body) as { name: string; server_name: string }[]) expect(s.server_name).toBe(s.name);
  });
});

describe("register, toggle and edit under /api, as mcpgw posts them", () => {
  const admin = () => ({ ...FORM, accept: "*/*", ...xAuth(app.adminToken) });

  it("register → toggle on → edit → toggle off, each answering JSON", async () => {
    const reg = await call(
      "POST",
      "/api/register",
      admin(),
      form({ name: "Api One", description: "via /api", path: "/api-one", proxy_pass_url: "http://127.0.0.1:9/mcp", tags: "a,b", num_tools: "2", num_stars: "4", is_python: "true", license: "MIT" }),
    );
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ message: "Service registered successfully", service: { path: "/api-one", num_stars: 4, tags: ["a", "b"] } });

    const on = await call("POST", "/api/toggle/api-one", admin(), form({ enabled: "on" }));
    expect(on.body).toMatchObject({ service_path: "/api-one", new_enabled_state: true });

    // httpx sends Accept: */*; /api/edit answers the server as JSON rather than a browser redirect.
    const edited = await call("POST", "/api/edit/api-one", admin(), form({ name: "Api One v2", proxy_pass_url: "http://127.0.0.1:9/v2", num_stars: "12" }));
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ path: "/api-one", name: "Api One v2", server_name: "Api One v2", proxy_pass_url: "http://127.0.0.1:9/v2", num_stars: 12, is_enabled: true });

    const off = await call("POST", "/api/toggle/api-one", admin(), form({ enabled: "off" }));
    expect(off.body).toMatchObject({ service_path: "/api-one", new_enabled_state: false, status: "disabled" });
    expect((await app.gqlOk(GetServer, { path: "/api-one" })).server).toMatchObject({ name: "Api One v2", enabled: false, numStars: 12 });
  });

  type Case = { name: string; method: string; url: string; headers?: () => Record<string, string>; body?: string; status: number; code: string };
  const bob = () => ({ ...FORM, ...xAuth(bobToken) });
  const cases: Case[] = [
    { name: "register: anonymous", method: "POST", url: "/api/register", body: form({ name: "x", description: "d", path: "/x", proxy_pass_url: "http://127.0.0.1:9" }), status: 401, code: "UNAUTHENTICATED" },
    { name: "register: without the permission", method: "POST", url: "/api/register", headers: bob, body: form({ name: "x", description: "d", path: "/x", proxy_pass_url: "http://127.0.0.1:9" }), status: 403, code: "FORBIDDEN" },
    { name: "register: a field missing", method: "POST", url: "/api/register", headers: admin, body: form({ name: "x", path: "/x" }), status: 400, code: "VALIDATION_ERROR" },
    { name: "toggle: a hidden server", method: "POST", url: "/api/toggle/secret", headers: bob, body: form({ enabled: "on" }), status: 404, code: "NOT_FOUND" },
    { name: "toggle: listed but not permitted", method: "POST", url: "/api/toggle/team", headers: bob, body: form({ enabled: "on" }), status: 403, code: "FORBIDDEN" },
    { name: "edit: a hidden server", method: "POST", url: "/api/edit/secret", headers: bob, body: form({ name: "x" }), status: 404, code: "NOT_FOUND" },
    { name: "edit: an invalid field", method: "POST", url: "/api/edit/team", headers: admin, body: form({ num_stars: "-2" }), status: 400, code: "VALIDATION_ERROR" },
  ];
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const res = await call(c.method, c.url, c.headers?.() ?? FORM, c.body);
    expect(res.status).toBe(c.status);
    expect(res.body.error?.code).toBe(c.code);
  });
});

describe("the health map over plain HTTP, and the WebSocket at /api/health/ws/health_status", () => {
  it("GET /ws/health_status and its /api twin answer the WebSocket's first message as JSON", async () => {
    const feed = await firstMessage(app.url, "/ws/health_status");
    const apiFeed = await firstMessage(app.url, "/api/health/ws/health_status");
    expect(apiFeed).toEqual(feed);
    for (const url of ["/ws/health_status", "/api/health/ws/health_status"]) {
      const res = await call("GET", url, xAuth(app.adminToken));
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.body).toEqual(feed);
      expect(res.body["/team"]).toEqual({ status: expect.any(String), last_checked_iso: null, num_tools: 0 });
      expect(res.body["/secret"]).toEqual({ status: "disabled", last_checked_iso: null, num_tools: 0 });
    }
  });

  it("shows a restricted caller only what it may list, and needs a credential", async () => {
    const res = await call("GET", "/ws/health_status", xAuth(bobToken));
    expect(Object.keys(res.body).sort()).toEqual(["/team", "/team/open"]);
    const anonymous = await call("GET", "/api/health/ws/health_status", { accept: "application/json" });
    expect(anonymous.status).toBe(401);
    const cookie = await signInAsAdmin(app.url);
    expect((await call("GET", "/ws/health_status", { cookie })).status).toBe(200);
  });
});

describe("num_stars takes any non-negative whole number", () => {
  type Case = { value: string; status: number };
  const cases: Case[] = [
    { value: "0", status: 200 },
    { value: "5", status: 200 },
    { value: "6", status: 200 },
    { value: "100", status: 200 },
    { value: "2147483647", status: 200 },
    { value: "2147483648", status: 400 },
    { value: "99999999999999999999", status: 400 },
    { value: "-1", status: 400 },
    { value: "4.5", status: 400 },
    { value: "lots", status: 400 },
  ];
  it.each(cases.map((c) => [c.value, c] as const))("num_stars=%s", async (_v, c) => {
    const res = await call("POST", "/api/edit/team", { ...FORM, ...xAuth(app.adminToken) }, form({ num_stars: c.value }));
    expect(res.status).toBe(c.status);
    if (c.status === 200) expect(res.body.num_stars).toBe(Number(c.value));
    else expect(res.body.error?.message).toMatch(/^num_stars must be (a whole number|at most 2147483647)/);
  });

  it("GraphQL takes the same range: up to its Int, never negative", async () => {
    const big = await app.gql(
      graphql(`
        mutation OriginalClientsStars($path: String!, $n: Int!) {
          updateServer(path: $path, input: { numStars: $n }) {
            __typename
            ... on UpdateServerSuccess {
              server {
                numStars
              }
            }
          }
        }
      `),
      { path: "/team", n: 2_147_483_647 },
    );
    expect(big.data?.updateServer).toEqual({ __typename: "UpdateServerSuccess", server: { numStars: 2_147_483_647 } });
  });
});

describe("a disabled server's refresh and tools answer 400", () => {
  type Case = { name: string; method: string; url: string; status: number; code?: string };
  const cases: Case[] = [
    { name: "refresh of a disabled server", method: "POST", url: "/api/refresh/secret", status: 400, code: "SERVER_DISABLED" },
    { name: "tools of a disabled server", method: "GET", url: "/api/tools/secret", status: 400, code: "SERVER_DISABLED" },
    { name: "tools of an enabled server", method: "GET", url: "/api/tools/team", status: 200 },
    { name: "tools of all servers still lists every visible one", method: "GET", url: "/api/tools/all", status: 200 },
    { name: "tools of an unknown server", method: "GET", url: "/api/tools/nowhere", status: 404, code: "NOT_FOUND" },
  ];
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const res = await call(c.method, c.url, xAuth(app.adminToken));
    expect(res.status).toBe(c.status);
    if (c.code) expect(res.body.error).toEqual({ code: c.code, message: c.code === "SERVER_DISABLED" ? "Server /secret is disabled" : expect.any(String) });
  });

  it("a hidden disabled server stays not-found, and the permission is checked before the state", async () => {
    expect((await call("POST", "/api/refresh/secret", xAuth(bobToken))).status).toBe(404);
    expect((await call("GET", "/api/tools/secret", xAuth(bobToken))).status).toBe(404);
    // bob lacks health_check_service on /team/open's sibling /team: forbidden, whatever its state.
    expect((await call("POST", "/api/refresh/team", xAuth(bobToken))).status).toBe(403);
  });

  it("GraphQL answers the typed ServerDisabledError", async () => {
    const res = await app.gql(
      graphql(`
        mutation OriginalClientsRefresh($path: String!) {
          refreshServer(path: $path) {
            __typename
            ... on ServerDisabledError {
              path
              message
            }
          }
        }
      `),
      { path: "/secret" },
    );
    expect(res.data?.refreshServer).toEqual({ __typename: "ServerDisabledError", path: "/secret", message: "Server /secret is disabled" });
    const tools = await app.gql(
      graphql(`
        query OriginalClientsTools($path: String!) {
          serverTools(path: $path) {
            __typename
            ... on ServerDisabledError {
              path
            }
            ... on ServerToolsSuccess {
              server {
                path
              }
            }
          }
        }
      `),
      { path: "/secret" },
    );
    expect(tools.data?.serverTools).toEqual({ __typename: "ServerDisabledError", path: "/secret" });
  });
});
