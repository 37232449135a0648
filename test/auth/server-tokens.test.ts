// Registry tokens limited to servers: the token may do what its scopes allow on the named
// paths and nothing anywhere else, whatever its owner may do. Against the real server.
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../src/generated/gql/index.ts";
import { freePort, startApp, stopApp, type TestApp } from "../support/app.ts";
import { signInAsAdmin } from "../support/session.ts";
import { RegisterServer, ToggleServer, Viewer } from "../support/operations.ts";

const LimitedToken = graphql(`
  mutation LimitedToken($input: GenerateTokenInput) {
    generateToken(input: $input) {
      __typename
      ... on GenerateTokenSuccess {
        generated {
          accessToken
          token {
            scopes
            servers
          }
        }
      }
      ... on ValidationError {
        fieldErrors {
          field
          message
        }
      }
    }
  }
`);

const SeenServers = graphql(`
  query SeenServers($path: String!) {
    servers(first: 10) {
      totalCount
      edges {
        node {
          path
        }
      }
    }
    server(path: $path) {
      path
      gatewayUrl
      viewerCan {
        use
        modify
        toggle
        refresh
      }
    }
  }
`);

let app: TestApp;

beforeAll(async () => {
  const port = await freePort();
  app = await startApp({ env: { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}/` } });
  for (const path of ["/a", "/b"]) {
    await app.gqlOk(RegisterServer, { input: { name: `Server ${path}`, path, proxyPassUrl: "http://127.0.0.1:9/mcp" } });
  }
});
afterAll(() => stopApp(app));

/** As a bearer token, or `{ cookie }` as a signed-in session. */
async function call<R, V>(doc: TypedDocumentNode<R, V>, variables: V, as: string | { cookie: string }) {
  const res = await fetch(`${app.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(typeof as === "string" ? { authorization: `Bearer ${as}` } : as) },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data?: R; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

async function limited(scopes: string[], servers: string[], as: string | { cookie: string } = app.adminToken) {
  const { generateToken: r } = await call(LimitedToken, { input: { scopes, servers } }, as);
  if (r.__typename !== "GenerateTokenSuccess") throw new Error(`expected a token, got ${JSON.stringify(r)}`);
  return r.generated;
}

describe("a registry token limited to servers", () => {
  it("records its servers, normalised", async () => {
    const t = await limited(["use_service"], ["a/", "/A"]);
    expect(t.token).toEqual({ scopes: ["use_service"], servers: ["/a"] });
  });

  it("with use_service on /a holds use_service on /a and nothing else, even for an admin's token", async () => {
    const { accessToken } = await limited(["use_service"], ["/a"]);
    const { viewer } = await call(Viewer, {}, accessToken);
    expect(viewer.isAdmin).toBe(false);
    expect(viewer.permissions).toEqual([{ servers: ["/a"], permissions: ["USE_SERVICE"], tools: ["all"] }]);
    // Without list_service it sees no server, not even /a.
    const seen = await call(SeenServers, { path: "/a" }, accessToken);
    expect(seen.servers.totalCount).toBe(0);
    expect(seen.server).toBeNull();
    const toggled = await call(ToggleServer, { path: "/a", enabled: true }, accessToken);
    expect(toggled.toggleServer.__typename).not.toBe("ToggleServerSuccess");
    const registered = await call(RegisterServer, { input: { name: "x", path: "/a/new", proxyPassUrl: "http://127.0.0.1:9/mcp" } }, accessToken);
    expect(registered.registerServer.__typename).toBe("ForbiddenError");
  });

  it("with list_service and use_service sees only its server, and may use only it", async () => {
    const { accessToken } = await limited(["list_service", "use_service"], ["/a"]);
    const a = await call(SeenServers, { path: "/a" }, accessToken);
    expect(a.servers.edges.map((e) => e.node.path)).toEqual(["/a"]);
    expect(a.server).toEqual({
      path: "/a",
      gatewayUrl: `${app.url}/a/mcp`,
      viewerCan: { use: true, modify: false, toggle: false, refresh: false },
    });
    const b = await call(SeenServers, { path: "/b" }, accessToken);
    expect(b.server).toBeNull();
    // The admin's own view of /b: usable (the limit is the token's, not the admin's).
    const admin = await call(SeenServers, { path: "/b" }, app.adminToken);
    expect(admin.server?.viewerCan.use).toBe(true);
  });

  it("generates tokens limited to the same servers, or fewer, never others", async () => {
    // A top-level token (from a session): tokens generated with tokens cannot generate more.
    const session = { cookie: await signInAsAdmin(app.url) };
    const parent = (await limited(["list_service", "use_service"], ["/a"], session)).accessToken;
    const child = await limited(["use_service"], [], parent).catch((e: Error) => e.message);
    expect(child).toContain("name at least one of them");
    const { generateToken: inherited } = await call(LimitedToken, { input: { scopes: ["use_service"] } }, parent);
    expect(inherited.__typename === "GenerateTokenSuccess" && inherited.generated.token.servers).toEqual(["/a"]);
    const { generateToken: wider } = await call(LimitedToken, { input: { servers: ["/a", "/b"] } }, parent);
    expect(wider).toEqual({ __typename: "ValidationError", fieldErrors: [{ field: "servers", message: "your token is not valid for /b" }] });
  });

  it.each([
    ["a path that is not one", { scopes: ["use_service"], servers: ["/a b"] }, "servers", "may contain only"],
    ["too many servers", { scopes: ["use_service"], servers: Array.from({ length: 33 }, (_, i) => `/s${i}`) }, "servers", "at most 32"],
    ["the admin scope", { scopes: ["admin", "use_service"], servers: ["/a"] }, "scopes", "cannot carry admin"],
    ["the publish scope", { scopes: ["publish"], servers: ["/a"] }, "scopes", "cannot carry publish"],
  ])("is refused for %s", async (_name, input, field, message) => {
    const { generateToken: r } = await call(LimitedToken, { input }, app.adminToken);
    expect(r).toEqual({ __typename: "ValidationError", fieldErrors: [{ field, message: expect.stringContaining(message) }] });
  });

  it("is generated by POST /api/tokens/generate with `servers`, and listed with them", async () => {
    const res = await fetch(`${app.url}/api/tokens/generate`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${app.adminToken}` },
      body: JSON.stringify({ scopes: ["use_service"], servers: "/b", description: "rest-limited" }),
    });
    expect(res.status).toBe(200);
    const file = (await res.json()) as { tokens: { access_token: string } };
    const { viewer } = await call(Viewer, {}, file.tokens.access_token);
    expect(viewer.permissions).toEqual([{ servers: ["/b"], permissions: ["USE_SERVICE"], tools: ["all"] }]);
    const list = (await (await fetch(`${app.url}/api/tokens`, { headers: { authorization: `Bearer ${app.adminToken}` } })).json()) as {
      tokens: { description: string; servers: string[] }[];
    };
    expect(list.tokens.find((t) => t.description === "rest-limited")?.servers).toEqual(["/b"]);
    const bad = await fetch(`${app.url}/api/tokens/generate`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${app.adminToken}` },
      body: JSON.stringify({ scopes: ["use_service"], servers: [1] }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: "VALIDATION_ERROR", message: "servers must be a list of server paths" } });
  });
});

describe("the gateway URL", () => {
  it("is in the REST server details, beside the upstream's proxy_pass_url", async () => {
    const res = await fetch(`${app.url}/api/server_details/a`, { headers: { authorization: `Bearer ${app.adminToken}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ path: "/a", proxy_pass_url: "http://127.0.0.1:9/mcp", gateway_url: `${app.url}/a/mcp` });
  });
});
