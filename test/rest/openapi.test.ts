// /openapi.json: a strict OpenAPI 3.1 document that names every route the server
// has, and whose schemas catch a response that drifts. The endpoints not exercised
// by gateway-api.test.ts (tokens, sign-in, health) are called here, each response checked.
import type Router from "@koa/router";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, startApp, stopApp, type TestApp } from "../support/app.ts";
import { restContract, type Contract } from "../support/rest-contract.ts";
import { cookieHeader } from "../support/session.ts";

let app: TestApp;
let contract: Contract;

beforeAll(async () => {
  app = await startApp();
  contract = await restContract(app.url);
});
afterAll(() => stopApp(app));

/** Calls the server and checks the response against the document. */
async function call(method: string, url: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(`${app.url}${url}`, { method, headers: init.headers, body: init.body, redirect: "manual" });
  const text = await res.text();
  contract.check(method, url, { status: res.status, headers: res.headers, text });
  return { status: res.status, headers: res.headers, text };
}

const form = (fields: Record<string, string>) => ({
  "content-type": "application/x-www-form-urlencoded",
  body: new URLSearchParams(fields).toString(),
});

describe("/openapi.json", () => {
  it("is public OpenAPI 3.1 whose schemas all compile under strict JSON Schema 2020-12", async () => {
    const res = await fetch(`${app.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; servers: { url: string }[]; components: { schemas: Record<string, object> } };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers[0]?.url).toBe(app.config.publicUrl);
    const ajv = new Ajv2020({ strict: true, validateFormats: false });
    const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('"#/components/schemas/', '"#/$defs/')) as object;
    expect(() => ajv.compile({ $defs: defs })).not.toThrow();
  });

  it("describes every route the server has, with its methods", () => {
    const routes = new Set<string>();
    for (const middleware of app.koa.middleware as ((...args: unknown[]) => unknown)[]) {
      const router = (middleware as { router?: Router }).router;
      for (const layer of router?.stack ?? []) {
        // Koa paths (`/toggle/*service_path`, `/api/tokens/:jti/revoke`) in OpenAPI's spelling.
        const path = String(layer.path).replace(/\*(\w+)/g, "{$1}").replace(/:(\w+)/g, "{$1}");
        // router.all() (GraphQL) lists every method; GET and POST are the ones it answers.
        const methods = layer.methods.length > 10 ? ["GET", "POST"] : layer.methods.filter((m) => m !== "HEAD");
        for (const method of methods) routes.add(`${method} ${path}`);
      }
    }
    const documented = new Set(
      Object.entries(contract.doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    expect([...routes].sort()).toEqual([...documented].sort());
  });

  it("catches a response that drifts from the document", () => {
    const headers = new Headers({
      "content-type": "application/json",
      "x-ratelimit-limit": "10",
      "x-ratelimit-remaining": "9",
      "x-ratelimit-reset": "1",
    });
    const server = { path: "/x", name: "x" }; // most fields missing
    expect(() => contract.check("GET", "/api/server_details/x", { status: 200, headers, text: JSON.stringify(server) })).toThrow(/required/);
    expect(() => contract.check("GET", "/api/server_details/x", { status: 418, headers, text: "{}" })).toThrow(/not documented/);
    headers.delete("x-ratelimit-remaining");
    expect(() =>
      contract.check("GET", "/api/server_details/x", { status: 404, headers, text: JSON.stringify({ error: { code: "NOT_FOUND", message: "m" } }) }),
    ).toThrow(/X-RateLimit-Remaining missing/);
  });
});

describe("responses outside the server endpoints match the document", () => {
  it("health, keys, and the sign-in page", async () => {
    expect((await call("GET", "/health")).status).toBe(200);
    expect((await call("GET", "/.well-known/jwks.json")).status).toBe(200);
    expect((await call("GET", "/login")).status).toBe(200);
    expect((await call("GET", "/auth/nobody")).status).toBe(404);
    expect((await call("GET", "/auth/nobody/callback")).status).toBe(404);
  });

  it("local sign-in: wrong password, missing fields, wrong content type, then success and sign-out", async () => {
    const bad = form({ username: ADMIN.username, password: "wrong" });
    expect((await call("POST", "/login", { headers: { "content-type": bad["content-type"] }, body: bad.body })).status).toBe(401);
    const empty = form({ username: "" });
    expect((await call("POST", "/login", { headers: { "content-type": empty["content-type"] }, body: empty.body })).status).toBe(400);
    expect((await call("POST", "/login", { headers: { "content-type": "text/plain" }, body: "x" })).status).toBe(415);
    const good = form({ username: ADMIN.username, password: ADMIN.password });
    const signedIn = await fetch(`${app.url}/login`, { method: "POST", headers: { "content-type": good["content-type"] }, body: good.body, redirect: "manual" });
    contract.check("POST", "/login", { status: signedIn.status, headers: signedIn.headers, text: await signedIn.text() });
    expect(signedIn.status).toBe(303);
    const cookie = cookieHeader(signedIn);
    const out = await call("POST", "/logout", { headers: { cookie, origin: app.url } });
    expect(out.status).toBe(303);
    expect((await call("POST", "/logout", { headers: { cookie, origin: "https://evil.example" } })).status).toBe(403);
  });

  it("tokens: generate, list, revoke, and their errors", async () => {
    const auth = { authorization: `Bearer ${app.adminToken}` };
    const generated = await call("POST", "/api/tokens/generate", {
      headers: { ...auth, "content-type": "application/x-www-form-urlencoded" },
      body: "scopes=list_service&expires_in=600&description=contract",
    });
    expect(generated.status).toBe(200);
    const file = JSON.parse(generated.text) as { tokens: { jti: string } };
    expect((await call("POST", "/api/tokens/generate", { headers: { ...auth, "content-type": "application/x-www-form-urlencoded" }, body: "expires_in=soon" })).status).toBe(400);
    expect((await call("POST", "/api/tokens/generate", { headers: { ...auth, "content-type": "text/csv" }, body: "a,b" })).status).toBe(415);
    expect((await call("POST", "/api/tokens/generate")).status).toBe(401);
    expect((await call("GET", "/api/tokens", { headers: auth })).status).toBe(200);
    expect((await call("GET", "/api/tokens?all=true", { headers: auth })).status).toBe(200);
    expect((await call("POST", `/api/tokens/${file.tokens.jti}/revoke`, { headers: auth })).status).toBe(200);
    expect((await call("POST", "/api/tokens/no-such-token/revoke", { headers: auth })).status).toBe(404);
  });

  it("refresh, GraphQL and an oversized body", async () => {
    const auth = { authorization: `Bearer ${app.adminToken}` };
    expect((await call("POST", "/api/refresh/nowhere", { headers: auth })).status).toBe(404);
    const gql = await call("POST", "/graphql", { headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ query: "{ viewer { username } }" }) });
    expect(gql.status).toBe(200);
    const big = await call("POST", "/register", {
      headers: { ...auth, "content-type": "application/x-www-form-urlencoded" },
      body: `name=${"x".repeat(70 * 1024)}`,
    });
    expect(big.status).toBe(413);
    expect((await call("GET", "/graphql", { headers: { accept: "text/html" } })).status).toBe(302);
  });
});
