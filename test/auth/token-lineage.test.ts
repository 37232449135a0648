// Tokens generated with registry tokens: never longer-lived or wider than the parent,
// revoked with it, and unable to generate tokens themselves. Against the real server.
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { signInAsAdmin } from "../support/session.ts";
import { GenerateToken, RevokeToken, Viewer } from "../support/operations.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startApp({ env: { REGISTRY_TOKEN_MAX_TTL_SECONDS: "604800" } });
});
afterAll(() => stopApp(app));

async function call<R, V>(doc: TypedDocumentNode<R, V>, variables: V, token: string) {
  const res = await fetch(`${app.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  const body = (await res.json()) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[] };
  // /graphql answers a refusal as one GraphQL error with a code: `error` is its code and message.
  const refusal = res.status >= 400 ? body.errors?.[0] : undefined;
  const error = refusal?.extensions?.code ? { code: refusal.extensions.code, message: refusal.message } : undefined;
  return { status: res.status, ...body, error };
}

/** A registry token as the token service issues it (a top-level one: no parent). */
const parentToken = (ttlSeconds: number, scopes = ["list_service", "toggle_service"]) =>
  tokenFor(app, { subject: "alice", username: "alice", groups: [], scopes, ttlSeconds });

async function generate(with_: string, input: { scopes?: string[]; expiresInSeconds?: number }) {
  const res = await call(GenerateToken, { input }, with_);
  expect(res.status).toBe(200);
  return res.data!.generateToken;
}

async function generated(with_: string, input: { scopes?: string[]; expiresInSeconds?: number }) {
  const r = await generate(with_, input);
  if (r.__typename !== "GenerateTokenSuccess") throw new Error(`expected a token, got ${JSON.stringify(r)}`);
  return r.generated;
}

const parentJtiOf = (token: string) => (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { jti: string }).jti;

describe("a token generated with a registry token", () => {
  it.each([
    ["the default lifetime, capped to what the parent has left", 120, undefined, { expiresIn: [110, 120] }],
    ["a lifetime within the parent's", 600, 300, { expiresIn: [300, 300] }],
    ["a lifetime longer than the parent's", 120, 7 * 24 * 3600, { problem: "must be from 60 to 1" }],
    ["any lifetime, when the parent expires within a minute", 50, 60, { problem: "expires within a minute" }],
  ] as const)("gets %s", async (_name, parentTtl, asked, expected) => {
    const parent = await parentToken(parentTtl);
    const r = await generate(parent, { expiresInSeconds: asked });
    if ("problem" in expected) {
      expect(r.__typename).toBe("ValidationError");
      if (r.__typename === "ValidationError") {
        expect(r.fieldErrors).toEqual([{ field: "expiresInSeconds", message: expect.stringContaining(expected.problem) }]);
      }
      return;
    }
    if (r.__typename !== "GenerateTokenSuccess") throw new Error(JSON.stringify(r));
    const [low, high] = expected.expiresIn;
    expect(r.generated.expiresIn).toBeGreaterThanOrEqual(low);
    expect(r.generated.expiresIn).toBeLessThanOrEqual(high);
    const parentExp = (JSON.parse(Buffer.from(parent.split(".")[1]!, "base64url").toString()) as { exp: number }).exp;
    expect(Date.parse(r.generated.token.expiresAt) / 1000).toBeLessThanOrEqual(parentExp);
    expect(r.generated.token.parentJti).toBe(parentJtiOf(parent));
  });

  it.each([
    ["a subset of the parent's scopes", ["list_service"], { scopes: ["list_service"] }],
    ["all the parent's scopes when none are asked for", undefined, { scopes: ["list_service", "toggle_service"] }],
    ["no scope the parent lacks", ["list_service", "register_service"], { problem: "not held by you: register_service" }],
    ["not admin, which the parent lacks", ["admin"], { problem: "not held by you: admin" }],
  ] as const)("holds %s", async (_name, scopes, expected) => {
    const parent = await parentToken(600);
    const r = await generate(parent, { scopes: scopes ? [...scopes] : undefined });
    if ("problem" in expected) {
      expect(r.__typename).toBe("ValidationError");
      if (r.__typename === "ValidationError") expect(r.fieldErrors).toEqual([{ field: "scopes", message: expected.problem }]);
      return;
    }
    if (r.__typename !== "GenerateTokenSuccess") throw new Error(JSON.stringify(r));
    expect(r.generated.token.scopes).toEqual(expected.scopes);
    const me = await call(Viewer, {}, r.generated.accessToken);
    expect(me.data?.viewer.scopes).toEqual(expected.scopes);
  });

  it("stops working when its parent is revoked (TOKEN_REVOKED), on GraphQL and REST", async () => {
    const parent = await parentToken(600);
    const child = await generated(parent, { expiresInSeconds: 300 });
    expect((await call(Viewer, {}, child.accessToken)).status).toBe(200);
    const revoked = await call(RevokeToken, { jti: parentJtiOf(parent) }, parent);
    expect(revoked.data?.revokeToken.__typename).toBe("RevokeTokenSuccess");
    for (const token of [parent, child.accessToken]) {
      const after = await call(Viewer, {}, token);
      expect(after.status).toBe(401);
      expect(after.error?.code).toBe("TOKEN_REVOKED");
      const rest = await fetch(`${app.url}/api/server_details/all`, { headers: { authorization: `Bearer ${token}` } });
      expect(rest.status).toBe(401);
    }
    const stored = await app.db.prisma.apiToken.findUniqueOrThrow({ where: { jti: child.token.jti } });
    expect(stored.parentJti).toBe(parentJtiOf(parent));
    expect(stored.revokedAt).not.toBeNull();
  });

  it("cannot generate a grandchild (403 on REST, ForbiddenError on GraphQL), and nothing is stored", async () => {
    const parent = await parentToken(600);
    const child = await generated(parent, { expiresInSeconds: 300 });
    const before = await app.db.prisma.apiToken.count();
    const r = await generate(child.accessToken, { expiresInSeconds: 60 });
    expect(r).toMatchObject({ __typename: "ForbiddenError", message: expect.stringContaining("generated by a registry token") });
    const rest = await fetch(`${app.url}/api/tokens/generate`, {
      method: "POST",
      headers: { authorization: `Bearer ${child.accessToken}`, "content-type": "application/x-www-form-urlencoded" },
      body: "expires_in=60",
    });
    expect(rest.status).toBe(403);
    expect(await rest.json()).toEqual({ error: { code: "FORBIDDEN", message: expect.stringContaining("generated by a registry token") } });
    expect(await app.db.prisma.apiToken.count()).toBe(before);
  });

  it("leaves its parent working when only the child is revoked", async () => {
    const parent = await parentToken(600);
    const child = await generated(parent, { expiresInSeconds: 300 });
    expect((await call(RevokeToken, { jti: child.token.jti }, parent)).data?.revokeToken.__typename).toBe("RevokeTokenSuccess");
    expect((await call(Viewer, {}, child.accessToken)).error?.code).toBe("TOKEN_REVOKED");
    expect((await call(Viewer, {}, parent)).status).toBe(200);
  });

  it("is not limited when generated from a session: the server's maximum applies, and it may generate one child", async () => {
    const cookie = await signInAsAdmin(app.url);
    const res = await fetch(`${app.url}/api/tokens/generate`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: `scopes=list_service&expires_in=${7 * 24 * 3600}`,
    });
    expect(res.status).toBe(200);
    const file = (await res.json()) as { tokens: { access_token: string; expires_in: number; jti: string } };
    expect(file.tokens.expires_in).toBe(7 * 24 * 3600);
    expect((await app.db.prisma.apiToken.findUniqueOrThrow({ where: { jti: file.tokens.jti } })).parentJti).toBeNull();
    const child = await generated(file.tokens.access_token, { expiresInSeconds: 3 * 24 * 3600 });
    expect(child.token.parentJti).toBe(file.tokens.jti);
  });
});
