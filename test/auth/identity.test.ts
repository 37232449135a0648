// Identity and access against a real OpenID Connect provider (oidc-provider shaped
// like a Keycloak realm) and the real server, over HTTP.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { SignJWT, base64url } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, freePort, startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { CookieJar, loginWithPassword, startIdp, type Idp } from "../support/idp.ts";
import { Policy, RegisterServer, ToggleServer, UpdatePolicy, UpdateServer, Viewer, VisiblePaths } from "../support/operations.ts";
import { seedTools } from "../support/seed.ts";
import { cookieHeader, signInAsAdmin } from "../support/session.ts";

let idp: Idp;
let rolesIdp: Idp;
let app: TestApp;
let policyDir: string;
const m2mSecret = "m2m-secret-for-tests-0123456789";

beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  idp = await startIdp({
    redirectUris: [`${publicUrl}/auth/keycloak/callback`],
    postLogoutRedirectUris: [`${publicUrl}/login?signed_out=1`],
    users: [
      { username: "alice", password: "alice-pw", groups: ["mcp-registry-admin"] },
      { username: "bob", password: "bob-pw", groups: ["weather-team"], roles: ["offline_access"] },
    ],
    m2mClients: [{ clientId: "mcp-gateway-m2m", clientSecret: m2mSecret, groups: ["mcp-servers-unrestricted"] }],
  });
  rolesIdp = await startIdp({ realm: "roles-realm", redirectUris: [`${publicUrl}/auth/kcroles/callback`] });
  policyDir = await fs.mkdtemp(path.join(os.tmpdir(), "policy-"));
  const policyFile = path.join(policyDir, "policy.yaml");
  await fs.writeFile(
    policyFile,
    [
      "groups:",
      "  weather-team:",
      "    - servers: [/weather, /weather/*]",
      "      permissions: [list_service, toggle_service, health_check_service, use_service]",
      "      tools: [get_*]",
      "  mcp-servers-unrestricted:",
      "    - servers: all",
      "      permissions: all",
    ].join("\n"),
  );
  app = await startApp({
    env: {
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      ACCESS_POLICY_FILE: policyFile,
      OIDC_PROVIDERS: "keycloak,kcroles",
      OIDC_KEYCLOAK_ISSUER: idp.issuer,
      OIDC_KEYCLOAK_CLIENT_ID: idp.webClient.clientId,
      OIDC_KEYCLOAK_CLIENT_SECRET: idp.webClient.clientSecret,
      OIDC_KEYCLOAK_DISPLAY_NAME: "Keycloak",
      OIDC_KEYCLOAK_AUDIENCE: `${idp.audience},${idp.webClient.clientId}`,
      OIDC_KCROLES_ISSUER: rolesIdp.issuer,
      OIDC_KCROLES_CLIENT_ID: rolesIdp.webClient.clientId,
      OIDC_KCROLES_CLIENT_SECRET: rolesIdp.webClient.clientSecret,
      OIDC_KCROLES_AUDIENCE: rolesIdp.audience,
      OIDC_KCROLES_GROUPS_CLAIM: "realm_access.roles",
    },
  });
  for (const p of ["/weather", "/weather/eu", "/finance"]) {
    await app.gqlOk(RegisterServer, { input: { name: p, path: p, proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    await seedTools(app, p, [
      { name: "get_data", description: "reads" },
      { name: "drop_data", description: "writes" },
    ]);
  }
});

afterAll(async () => {
  await stopApp(app);
  await idp?.close();
  await rolesIdp?.close();
  await fs.rm(policyDir, { recursive: true, force: true });
});

/** Runs a typed operation with the given headers (cookie or bearer); returns status and body. */
async function call<R, V>(doc: TypedDocumentNode<R, V>, variables: V, headers: Record<string, string>) {
  const res = await fetch(`${app.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  const body = (await res.json()) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[] };
  // /graphql answers a refusal (401, 403, 429) as one GraphQL error with a code: `error` is its code and message.
  const refusal = res.status >= 400 ? body.errors?.[0] : undefined;
  const error = refusal?.extensions?.code ? { code: refusal.extensions.code, message: refusal.message } : undefined;
  return { status: res.status, ...body, error };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The full browser-style login: /auth/keycloak -> provider's form -> callback -> session cookie. */
async function browserLogin(username: string, password: string, next = "/graphql") {
  const start = await fetch(`${app.url}/auth/keycloak?next=${encodeURIComponent(next)}`, { redirect: "manual" });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get("location")!);
  expect(authorize.origin + authorize.pathname).toBe(`${idp.issuer}/auth`);
  expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
  expect(authorize.searchParams.get("state")).toBeTruthy();
  expect(authorize.searchParams.get("nonce")).toBeTruthy();
  const jar = new CookieJar();
  const callback = await loginWithPassword(authorize, username, password, { jar });
  expect(callback.pathname).toBe("/auth/keycloak/callback");
  const done = await fetch(callback, { headers: { cookie: cookieHeader(start) }, redirect: "manual" });
  expect(done.status).toBe(302);
  expect(done.headers.get("location")).toBe(next);
  const setCookie = done.headers.getSetCookie().join("\n");
  expect(setCookie).toMatch(/mcp_gateway_session=[^;]+;.*httponly/i);
  expect(setCookie).toMatch(/samesite=lax/i);
  return cookieHeader(done);
}

describe("OIDC login (browser flow)", () => {
  it("signs in through the provider, then the session cookie identifies the user; logout ends it", async () => {
    const cookie = await browserLogin("bob", "bob-pw");
    const me = await call(Viewer, {}, { cookie });
    expect(me.status).toBe(200);
    expect(me.data?.viewer).toMatchObject({
      username: "bob",
      groups: ["weather-team"],
      authMethod: "session-oidc",
      provider: "keycloak",
      isAdmin: false,
    });
    const out = await fetch(`${app.url}/logout`, { method: "POST", headers: { cookie }, redirect: "manual" });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/login?signed_out=1");
    const after = await call(Viewer, {}, { cookie });
    expect(after.status).toBe(401);
    expect(after.error?.code).toBe("UNAUTHENTICATED");
  });

  it("offers sign-out at the provider too (RP-initiated logout)", async () => {
    const cookie = await browserLogin("alice", "alice-pw");
    const out = await fetch(`${app.url}/logout`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "everywhere=on",
      redirect: "manual",
    });
    expect(out.status).toBe(303);
    const target = new URL(out.headers.get("location")!);
    expect(target.origin + target.pathname).toBe(`${idp.issuer}/session/end`);
    expect(target.searchParams.get("post_logout_redirect_uri")).toBe(`${app.url}/login?signed_out=1`);
    expect(target.searchParams.get("id_token_hint")).toBeTruthy();
  });

  it("maps the admin group (sent as /mcp-registry-admin) to admin", async () => {
    const cookie = await browserLogin("alice", "alice-pw");
    const me = await call(Viewer, {}, { cookie });
    expect(me.data?.viewer).toMatchObject({ username: "alice", groups: ["mcp-registry-admin"], isAdmin: true });
  });

  it("shows the provider's refusal on the login page", async () => {
    const res = await fetch(`${app.url}/auth/keycloak/callback?error=access_denied&error_description=nope`);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("Keycloak did not sign you in (access_denied: nope)");
  });

  it("refuses a callback whose state was not started in this browser", async () => {
    const res = await fetch(`${app.url}/auth/keycloak/callback?code=abc&state=forged`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("expired or was started in another browser");
  });

  it.each([
    ["the sign-in page", "GET", "/login", 200],
    ["a failed local sign-in", "POST", "/login", 401],
    ["the provider's refusal", "GET", "/auth/keycloak/callback?error=access_denied", 401],
    ["a callback from another browser", "GET", "/auth/keycloak/callback?code=abc&state=forged", 400],
    ["an unknown provider", "GET", "/auth/nope", 404],
  ])("forbids framing %s (%s %s), like the UI's pages", async (_name, method, url, status) => {
    const res = await fetch(`${app.url}${url}`, {
      method,
      ...(method === "POST"
        ? { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "username=someone&password=wrong" }
        : {}),
    });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("lists every provider on the login page, with the local admin form", async () => {
    const html = await (await fetch(`${app.url}/login`)).text();
    expect(html).toContain('href="/auth/keycloak"');
    expect(html).toContain("Sign in with Keycloak");
    expect(html).toContain('href="/auth/kcroles"');
    expect(html).toContain('name="password"');
  });
});

describe("bearer tokens", () => {
  it("maps Keycloak realm roles when the provider's groups claim is realm_access.roles", async () => {
    const token = await rolesIdp.issueAccessToken({ preferredUsername: "carol", roles: ["weather-team"], groups: ["/other"] });
    const me = await call(Viewer, {}, bearer(token));
    expect(me.data?.viewer).toMatchObject({ username: "carol", groups: ["weather-team"], authMethod: "bearer-oidc" });
  });

  it("accepts a client-credentials (M2M) token and maps its groups", async () => {
    const res = await fetch(`${idp.issuer}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "mcp-gateway-m2m", client_secret: m2mSecret }),
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    const me = await call(Viewer, {}, bearer(access_token));
    expect(me.status).toBe(200);
    expect(me.data?.viewer).toMatchObject({
      username: "service-account-mcp-gateway-m2m",
      groups: ["mcp-servers-unrestricted"],
      authMethod: "bearer-oidc",
    });
    const seen = await call(VisiblePaths, { path: "/finance" }, bearer(access_token));
    expect(seen.data?.servers.totalCount).toBe(3);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<string>, string, string][] = [
    ["expired", () => idp.issueAccessToken({ expiresIn: -120 }), "TOKEN_EXPIRED", "expired"],
    ["not yet valid", () => idp.issueAccessToken({ nbf: now() + 600 }), "INVALID_TOKEN", "not valid yet"],
    ["from the wrong issuer", () => idp.issueAccessToken({ iss: `${idp.issuer}-evil` }), "INVALID_TOKEN", "issuer is not trusted"],
    ["for the wrong audience", () => idp.issueAccessToken({ aud: "someone-else" }), "INVALID_TOKEN", "audience"],
    [
      "with a bad signature",
      async () => {
        const [h, p, s] = (await idp.issueAccessToken({ groups: ["x"] })).split(".");
        const claims = JSON.parse(Buffer.from(p!, "base64url").toString()) as Record<string, unknown>;
        const forged = base64url.encode(JSON.stringify({ ...claims, groups: ["/mcp-registry-admin"] }));
        return `${h}.${forged}.${s}`;
      },
      "INVALID_TOKEN",
      "signature",
    ],
    [
      "with alg none",
      async () => {
        const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
        const payload = base64url.encode(
          JSON.stringify({ iss: idp.issuer, aud: idp.audience, sub: "x", exp: now() + 300, groups: ["/mcp-registry-admin"] }),
        );
        return `${header}.${payload}.`;
      },
      "INVALID_TOKEN",
      "algorithm",
    ],
    [
      "signed with an HMAC secret (HS/RS confusion)",
      async () =>
        new SignJWT({ groups: ["/mcp-registry-admin"] })
          .setProtectedHeader({ alg: "HS256" })
          .setIssuer(idp.issuer)
          .setAudience(idp.audience)
          .setSubject("x")
          .setExpirationTime("5m")
          .sign(new TextEncoder().encode(JSON.stringify(idp.jwks.keys[0]))),
      "INVALID_TOKEN",
      "algorithm",
    ],
    ["with an unknown kid", () => idp.issueAccessToken({ kid: "no-such-key" }), "INVALID_TOKEN", "unknown key"],
    ["malformed", async () => "not.a.jwt", "INVALID_TOKEN", "malformed"],
  ];

  it.each(cases)("refuses a token %s with 401", async (_name, make, code, words) => {
    const res = await call(Viewer, {}, bearer(await make()));
    expect(res.status).toBe(401);
    expect(res.error?.code).toBe(code);
    expect(res.error?.message).toContain(words);
  });

  it("refuses an Authorization header that is not a bearer token", async () => {
    const res = await call(Viewer, {}, { authorization: "Basic YWRtaW46YWRtaW4=" });
    expect(res.status).toBe(401);
    expect(res.error?.code).toBe("INVALID_TOKEN");
  });

  it("refuses anonymous GraphQL with 401 and the error body", async () => {
    const res = await call(Viewer, {}, {});
    expect(res.status).toBe(401);
    expect(res.error).toEqual({ code: "UNAUTHENTICATED", message: expect.stringContaining("Sign in") });
  });
});

describe("a restricted user", () => {
  let bobToken: string;
  beforeAll(async () => {
    bobToken = await idp.issueAccessToken({ preferredUsername: "bob", groups: ["weather-team"] });
  });

  it("sees only allowed servers and their tools, and not-found for the rest", async () => {
    const r = await call(VisiblePaths, { path: "/finance" }, bearer(bobToken));
    expect(r.data?.servers.edges.map((e) => e.node.path)).toEqual(["/weather", "/weather/eu"]);
    expect(r.data?.servers.totalCount).toBe(2);
    expect(r.data?.server).toBeNull();
    expect(new Set(r.data?.tools.edges.map((e) => e.node.server.path))).toEqual(new Set(["/weather", "/weather/eu"]));
    const callable = Object.fromEntries(r.data!.tools.edges.map((e) => [e.node.name, e.node.callable]));
    expect(callable).toEqual({ get_data: true, drop_data: false });
    const hidden = await call(VisiblePaths, { path: "/weather", tool: "/finance" }, bearer(bobToken));
    expect(hidden.data?.server?.path).toBe("/weather");
    expect(hidden.data?.tools.totalCount).toBe(0);
  });

  it("cannot reach a hidden server by node id", async () => {
    const all = await app.gqlOk(VisiblePaths, { path: "/finance" });
    const financeId = all.servers.edges.find((e) => e.node.path === "/finance")!.node.id;
    const res = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(bobToken) },
      body: JSON.stringify({ query: `query($id: ID!) { node(id: $id) { id } }`, variables: { id: financeId } }),
    });
    expect(((await res.json()) as { data: { node: unknown } }).data.node).toBeNull();
  });

  it("toggles within the policy, gets not-found outside it and forbidden for missing permissions", async () => {
    const ok = await call(ToggleServer, { path: "/weather", enabled: true }, bearer(bobToken));
    expect(ok.data?.toggleServer.__typename).toBe("ToggleServerSuccess");
    const hidden = await call(ToggleServer, { path: "/finance", enabled: true }, bearer(bobToken));
    expect(hidden.data?.toggleServer.__typename).toBe("NotFoundError");
    const modify = await call(UpdateServer, { path: "/weather", input: { name: "mine" } }, bearer(bobToken));
    expect(modify.data?.updateServer.__typename).toBe("ForbiddenError");
    const register = await call(
      RegisterServer,
      { input: { name: "x", path: "/weather/new", proxyPassUrl: "http://127.0.0.1:9" } },
      bearer(bobToken),
    );
    expect(register.data?.registerServer.__typename).toBe("ForbiddenError");
    expect(await app.db.prisma.server.count({ where: { path: "/weather/new" } })).toBe(0);
    expect((await app.db.prisma.server.findUniqueOrThrow({ where: { path: "/finance" } })).enabled).toBe(false);
  });

  it("cannot read or change the policy; an admin can, and it applies at once", async () => {
    expect((await call(Policy, {}, bearer(bobToken))).data?.accessPolicy).toBeNull();
    const denied = await call(UpdatePolicy, { document: { groups: {} } }, bearer(bobToken));
    expect(denied.data?.updateAccessPolicy.__typename).toBe("ForbiddenError");

    const current = await app.gqlOk(Policy, {});
    expect(current.accessPolicy?.adminGroup).toBe("mcp-registry-admin");
    const invalid = await app.gqlOk(UpdatePolicy, { document: { groups: { x: [{ servers: "nope", permissions: [] }] } } });
    expect(invalid.updateAccessPolicy.__typename).toBe("ValidationError");

    const document = {
      groups: {
        "weather-team": [{ servers: ["/weather", "/weather/*", "/finance"], permissions: ["list_service", "modify_service"] }],
        "mcp-servers-unrestricted": [{ servers: "all", permissions: "all" }],
      },
    };
    expect((await app.gqlOk(UpdatePolicy, { document })).updateAccessPolicy.__typename).toBe("UpdateAccessPolicySuccess");
    const now = await call(VisiblePaths, { path: "/finance" }, bearer(bobToken));
    expect(now.data?.servers.totalCount).toBe(3);
    const modify = await call(UpdateServer, { path: "/finance", input: { description: "edited by bob" } }, bearer(bobToken));
    expect(modify.data?.updateServer.__typename).toBe("UpdateServerSuccess");
  });
});

describe("registry-issued tokens", () => {
  it("are generated in the token file format, work with their scopes, and stop working when revoked", async () => {
    const cookie = await signInAsAdmin(app.url);
    const res = await fetch(`${app.url}/api/tokens/generate`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "scopes=list_service&expires_in=600&description=ci",
    });
    expect(res.status).toBe(200);
    const file = (await res.json()) as {
      tokens: { access_token: string; refresh_token: null; token_type: string; expires_in: number; jti: string };
      keycloak_url: string | null;
      realm: string | null;
    };
    expect(file.tokens).toMatchObject({ refresh_token: null, token_type: "bearer", expires_in: 600 });
    expect(file.keycloak_url).toBe(idp.origin);
    expect(file.realm).toBe("mcp-gateway");
    const token = file.tokens.access_token;

    const me = await call(Viewer, {}, bearer(token));
    expect(me.data?.viewer).toMatchObject({ username: ADMIN.username, scopes: ["list_service"], isAdmin: false });
    const toggle = await call(ToggleServer, { path: "/weather", enabled: false }, bearer(token));
    expect(toggle.data?.toggleServer.__typename).toBe("ForbiddenError");

    const list = await fetch(`${app.url}/api/tokens`, { headers: { cookie } });
    const listed = (await list.json()) as { tokens: { jti: string; active: boolean; description: string }[] };
    expect(listed.tokens).toContainEqual(expect.objectContaining({ jti: file.tokens.jti, active: true, description: "ci" }));

    const revoke = await fetch(`${app.url}/api/tokens/${file.tokens.jti}/revoke`, { method: "POST", headers: { cookie } });
    expect(revoke.status).toBe(200);
    const after = await call(Viewer, {}, bearer(token));
    expect(after.status).toBe(401);
    expect(after.error?.code).toBe("TOKEN_REVOKED");
  });

  it("refuse scopes the caller does not hold", async () => {
    const bobToken = await idp.issueAccessToken({ preferredUsername: "bob", groups: ["weather-team"] });
    const res = await fetch(`${app.url}/api/tokens/generate`, {
      method: "POST",
      headers: { ...bearer(bobToken), "content-type": "application/json" },
      body: JSON.stringify({ scopes: "list_service,admin" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("not held by you: admin");
  });

  it("stop working when expired", async () => {
    const token = await tokenFor(app, {
      subject: "s",
      username: "u",
      groups: ["mcp-registry-admin"],
      scopes: ["admin"],
      ttlSeconds: -120,
    });
    const res = await call(Viewer, {}, bearer(token));
    expect(res.status).toBe(401);
    expect(res.error?.code).toBe("TOKEN_EXPIRED");
  });
});

describe("CSRF", () => {
  const register = (path: string) =>
    JSON.stringify({
      query: print(RegisterServer),
      variables: { input: { name: "csrf", path, proxyPassUrl: "http://127.0.0.1:9" } },
    });

  it("refuses a cross-origin cookie-authenticated post, and accepts the same post from curl (no Origin)", async () => {
    const cookie = await signInAsAdmin(app.url);
    const evil = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: "https://evil.example" },
      body: register("/csrf-a"),
    });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe("CSRF_REJECTED");
    const viaReferer = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", referer: "https://evil.example/page" },
      body: register("/csrf-a"),
    });
    expect(viaReferer.status).toBe(403);
    expect(await app.db.prisma.server.count({ where: { path: "/csrf-a" } })).toBe(0);

    const curl = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: register("/csrf-b"),
    });
    expect(curl.status).toBe(200);
    const sameOrigin = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: app.url },
      body: register("/csrf-c"),
    });
    expect(sameOrigin.status).toBe(200);
    expect(await app.db.prisma.server.count({ where: { path: { in: ["/csrf-b", "/csrf-c"] } } })).toBe(2);
  });

  it("does not apply to bearer requests", async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { ...bearer(app.adminToken), "content-type": "application/json", origin: "https://elsewhere.example" },
      body: register("/csrf-d"),
    });
    expect(res.status).toBe(200);
  });
});

describe("local admin sign-in and sessions", () => {
  it("throttles failed attempts per IP", async () => {
    const throttled = await startApp({ env: { LOGIN_MAX_FAILURES: "3" } });
    try {
      const attempt = (password: string) =>
        fetch(`${throttled.url}/login`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ username: ADMIN.username, password }).toString(),
          redirect: "manual",
        });
      for (let i = 0; i < 3; i += 1) {
        const r = await attempt("wrong-password");
        expect(r.status).toBe(401);
        expect(await r.text()).toContain("Invalid username or password.");
      }
      const blocked = await attempt(ADMIN.password);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await blocked.text()).toContain("Too many failed attempts");
    } finally {
      await stopApp(throttled);
    }
  });

  it("does not lock the username: the right password from another address signs in, after a slow-down", async () => {
    const throttled = await startApp({ env: { LOGIN_MAX_FAILURES: "5", TRUST_PROXY: "true" } });
    try {
      const attempt = (from: string, password: string) =>
        fetch(`${throttled.url}/login`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": from },
          body: new URLSearchParams({ username: ADMIN.username, password }).toString(),
          redirect: "manual",
        });
      for (let i = 0; i < 5; i += 1) expect((await attempt("203.0.113.1", "wrong-password")).status).toBe(401);
      const blocked = await attempt("203.0.113.1", ADMIN.password);
      expect(blocked.status).toBe(429);
      const started = Date.now();
      const elsewhere = await attempt("203.0.113.2", ADMIN.password);
      expect(elsewhere.status).toBe(303);
      expect(elsewhere.headers.getSetCookie().join("\n")).toMatch(/mcp_gateway_session=/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900); // the name's slow-down (1 s after 5 failures)
      const stillBlocked = await attempt("203.0.113.1", ADMIN.password);
      expect(stillBlocked.status).toBe(429);
      expect(Number(stillBlocked.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await stopApp(throttled);
    }
  });

  it("rejects a session past its maximum age", async () => {
    const short = await startApp({ env: { SESSION_MAX_AGE_SECONDS: "1" } });
    try {
      const cookie = await signInAsAdmin(short.url);
      const fresh = await fetch(`${short.url}/api/tokens`, { headers: { cookie } });
      expect(fresh.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1_500));
      const stale = await fetch(`${short.url}/api/tokens`, { headers: { cookie } });
      expect(stale.status).toBe(401);
    } finally {
      await stopApp(short);
    }
  });
});
