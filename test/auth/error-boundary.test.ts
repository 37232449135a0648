// Domain errors of src/auth mapped at the boundary (http/status-of.ts): status, code and
// WWW-Authenticate as RFC 6750 has them, and "signed in" enforced for GraphQL by generic-auth.
import net from "node:net";
import { SignJWT, generateKeyPair } from "jose";
import { isInterfaceType, isObjectType, parse, print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidTokenError, type InvalidTokenReason } from "../../src/errors.ts";
import { getSchema } from "../../src/graphql/schema/index.ts";
import { httpErrorOf, statusOf } from "../../src/http/status-of.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";

describe("the typed-error table", () => {
  it("has a status for every GraphQL error type", () => {
    const schema = getSchema();
    const error = schema.getType("Error");
    if (!isInterfaceType(error)) throw new Error("no Error interface");
    const names = Object.values(schema.getTypeMap())
      .filter((t) => isObjectType(t) && t.getInterfaces().includes(error))
      .map((t) => t.name);
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) expect(statusOf(name), name).toBeDefined();
    expect(statusOf("RegisterServerSuccess")).toBeUndefined();
  });

  it.each<[InvalidTokenReason, string]>([
    ["expired", "TOKEN_EXPIRED"],
    ["revoked", "TOKEN_REVOKED"],
    ["bad-signature", "INVALID_TOKEN"],
    ["wrong-audience", "INVALID_TOKEN"],
  ])("answers an invalid token (%s) 401 %s with an invalid_token challenge", (reason, code) => {
    const mapped = httpErrorOf(new InvalidTokenError(reason, 'the "reason"'));
    expect(mapped).toMatchObject({ status: 401, code, message: 'Invalid bearer token: the "reason"' });
    expect(mapped?.headers["WWW-Authenticate"]).toBe(`Bearer error="invalid_token", error_description="the 'reason'"`);
  });

  it("leaves other errors to the boundary's 500", () => {
    const lookalike = new Error("x");
    lookalike.name = "ValidationError";
    expect(httpErrorOf(lookalike)).toBeUndefined();
    expect(httpErrorOf("text")).toBeUndefined();
  });
});

describe("at the HTTP boundary", () => {
  let app: TestApp;
  let closedPort: number;

  beforeAll(async () => {
    // A port nobody listens on: the provider's discovery document cannot be fetched.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    app = await startApp({
      env: {
        OIDC_PROVIDERS: "down",
        OIDC_DOWN_ISSUER: `http://127.0.0.1:${closedPort}/realms/down`,
        OIDC_DOWN_CLIENT_ID: "gateway",
        OIDC_DOWN_CLIENT_SECRET: "secret-secret-secret",
      },
    });
  });
  afterAll(async () => {
    await stopApp(app);
  });

  const get = (path: string, headers: Record<string, string>) => fetch(`${app.url}${path}`, { headers: { accept: "application/json", ...headers } });

  it("answers a header that is not `Bearer <token>` 401 invalid_request", async () => {
    const res = await get("/api/tokens", { authorization: "Basic YTpi" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_request"');
    expect(await res.json()).toEqual({ error: { code: "INVALID_TOKEN", message: "Authorization must be `Bearer <token>`" } });
  });

  it("answers a malformed token 401 invalid_token with a description, on REST and GraphQL alike", async () => {
    const rest = await get("/api/tokens", { authorization: "Bearer not-a-jwt" });
    expect(rest.status).toBe(401);
    expect(rest.headers.get("www-authenticate")).toBe('Bearer error="invalid_token", error_description="token is malformed"');
    expect(await rest.json()).toEqual({ error: { code: "INVALID_TOKEN", message: "Invalid bearer token: token is malformed" } });
    const graphql = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer not-a-jwt" },
      body: JSON.stringify({ query: "{ viewer { username } }" }),
    });
    expect(graphql.status).toBe(401);
    expect(graphql.headers.get("www-authenticate")).toBe(rest.headers.get("www-authenticate"));
    expect(await graphql.json()).toEqual({
      errors: [{ message: "Invalid bearer token: token is malformed", extensions: { code: "INVALID_TOKEN" } }],
    });
  });

  it("answers an expired registry token 401 TOKEN_EXPIRED", async () => {
    const token = await tokenFor(app, { subject: "s", username: "u", groups: [], scopes: ["list_service"], ttlSeconds: -120 });
    const res = await get("/api/tokens", { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token", error_description="token has expired"');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("TOKEN_EXPIRED");
  });

  it("answers 503 AUTH_UNAVAILABLE when the token's identity provider cannot be reached", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const token = await new SignJWT({ preferred_username: "carol" })
      .setProtectedHeader({ alg: "ES256", kid: "k" })
      .setIssuer(`http://127.0.0.1:${closedPort}/realms/down`)
      .setAudience("gateway")
      .setSubject("carol")
      .setExpirationTime("5m")
      .sign(privateKey);
    const res = await get("/api/tokens", { authorization: `Bearer ${token}` });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: "AUTH_UNAVAILABLE", message: "Could not verify the token now (identity provider unreachable); try again" },
    });
  });

  it("tells a bearer caller a refusal is insufficient_scope (403)", async () => {
    const parent = await tokenFor(app, { subject: "p", username: "p", groups: [], scopes: ["list_service"] });
    const made = await fetch(`${app.url}/api/tokens/generate`, {
      method: "POST",
      headers: { authorization: `Bearer ${parent}`, "content-type": "application/json" },
      body: JSON.stringify({ scopes: ["list_service"], expires_in: 600 }),
    });
    expect(made.status).toBe(200);
    const child = ((await made.json()) as { tokens: { access_token: string } }).tokens.access_token;
    const res = await fetch(`${app.url}/api/tokens/generate`, {
      method: "POST",
      headers: { authorization: `Bearer ${child}`, "content-type": "application/json" },
      body: JSON.stringify({}),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_scope", error_description="You may not generate tokens/);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
  });

  it("refuses an operation without a viewer in-process, also after a signed-in caller ran the same document", async () => {
    const query = print(parse("query Paths { servers(first: 5) { totalCount } }"));
    const run = async (viewer: unknown) => {
      const res = await app.graphql.yoga.fetch(
        "http://internal/graphql",
        { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) },
        // The context the HTTP layer hands yoga (its log falls back to the server's).
        { viewer, bypassResultCache: true } as never,
      );
      return (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
    };
    const identity = { subject: "a", username: "a", groups: [app.config.auth.adminGroup], scopes: null, authMethod: "session-local" as const };
    const viewer = { identity, grants: { admin: true, rules: [], key: "admin" } };
    for (let round = 0; round < 3; round += 1) {
      expect(await run(viewer)).toEqual({ data: { servers: { totalCount: 0 } } });
      const anonymous = await run(null);
      expect(anonymous.data ?? null).toBeNull();
      expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
  });
});
