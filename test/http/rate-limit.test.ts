// Rate limiting: the token bucket's arithmetic as a table, then the real server with
// small limits: the headers count down, an empty bucket answers 429 with Retry-After,
// and each identity (or IP, for anonymous callers) has a bucket of its own, which a
// user's sessions, provider tokens and registry tokens share.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenBuckets } from "../../src/http/rate-limit.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { startIdp, type Idp } from "../support/idp.ts";
import { restContract } from "../support/rest-contract.ts";
import { signInAsAdmin } from "../support/session.ts";

describe("token buckets", () => {
  it("allows a burst of the capacity, then refuses until a token has refilled", () => {
    const b = new TokenBuckets(3, 60_000); // one token every 20 s
    const t0 = 1_000_000;
    const takes = [0, 0, 0, 0].map(() => b.take("a", t0));
    expect(takes.map((t) => [t.allowed, t.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(takes[3]?.retryAfterMs).toBe(20_000);
    expect(takes[2]?.fullAt).toBe(t0 + 60_000);
    expect(b.take("a", t0 + 19_999).allowed).toBe(false);
    expect(b.take("a", t0 + 20_000 + 1).allowed).toBe(true);
    // A full minute later the bucket is full again, never fuller.
    expect(b.take("a", t0 + 10 * 60_000).remaining).toBe(2);
  });

  it("keeps buckets apart by key", () => {
    const b = new TokenBuckets(1, 60_000);
    expect(b.take("a", 0).allowed).toBe(true);
    expect(b.take("a", 0).allowed).toBe(false);
    expect(b.take("b", 0).allowed).toBe(true);
  });

  it("stays bounded, dropping the least recently used bucket", () => {
    const b = new TokenBuckets(1, 60_000, 2);
    b.take("a", 0);
    b.take("b", 0);
    b.take("a", 1); // a is now the most recent
    b.take("c", 2); // b goes
    expect(b.size).toBe(2);
    expect(b.take("a", 3).allowed).toBe(false); // a kept its (empty) bucket
    expect(b.take("b", 3).allowed).toBe(true); // b starts over
  });
});

describe("rate limits on the server", () => {
  let app: TestApp;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    app = await startApp({ env: { RATE_LIMIT_PER_MINUTE: "5", RATE_LIMIT_ANONYMOUS_PER_MINUTE: "3" } });
    alice = await tokenFor(app, { subject: "alice", username: "alice", groups: [], scopes: ["list_service"] });
    bob = await tokenFor(app, { subject: "bob", username: "bob", groups: [], scopes: ["list_service"] });
  });
  afterAll(() => stopApp(app));

  const get = (url: string, token?: string) =>
    fetch(`${app.url}${url}`, { headers: token ? { authorization: `Bearer ${token}`, accept: "application/json" } : { accept: "application/json" } });

  it("counts down the headers, then answers 429 with Retry-After", async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await get("/api/server_details/all", alice);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit")).toBe("5");
      remaining.push(res.headers.get("x-ratelimit-remaining") ?? "");
      const reset = Number(res.headers.get("x-ratelimit-reset"));
      const now = Date.now() / 1000;
      expect(reset).toBeGreaterThanOrEqual(Math.floor(now));
      expect(reset).toBeLessThanOrEqual(Math.ceil(now + 60));
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);

    const refused = await get("/api/server_details/all", alice);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(12); // one token every 12 s at 5 a minute
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    const text = await refused.clone().text();
    (await restContract(app.url)).check("GET", "/api/server_details/all", { status: 429, headers: refused.headers, text });
    expect(await refused.json()).toEqual({ error: { code: "RATE_LIMITED", message: expect.stringMatching(/^Too many requests/) } });

    // GraphQL is limited by the same bucket: it is the same caller.
    const gql = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { username } }" }),
    });
    expect(gql.status).toBe(429);
  });

  it("gives every identity a bucket of its own", async () => {
    const res = await get("/api/server_details/all", bob);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-remaining")).toBe("4");
  });

  it("counts anonymous callers, forged tokens included, by IP with the anonymous limit", async () => {
    const first = await get("/api/server_details/all");
    expect(first.status).toBe(401);
    expect(first.headers.get("x-ratelimit-limit")).toBe("3");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("2");
    const forged = await get("/api/server_details/all", "not.a.token");
    expect(forged.status).toBe(401);
    expect(forged.headers.get("x-ratelimit-remaining")).toBe("1");
    await get("/login");
    const refused = await get("/api/server_details/all", "another.forged.token");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("limits the registry API from the same bucket, with the headers readable cross-origin", async () => {
    const res = await fetch(`${app.url}/v0.1/servers?limit=1`, { headers: { authorization: `Bearer ${bob}`, origin: "https://client.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-remaining")).toBe("3"); // bob's second request
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toContain("X-RateLimit-Remaining");
    const preflight = await fetch(`${app.url}/v0.1/servers`, { method: "OPTIONS", headers: { origin: "https://client.example", "access-control-request-method": "GET" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("x-ratelimit-limit")).toBeNull(); // preflights are not counted
  });

  it("never limits the health probe", async () => {
    for (let i = 0; i < 5; i += 1) {
      const res = await get("/health");
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit")).toBeNull();
    }
  });
});

describe("rate limits keyed by IP", () => {
  let app: TestApp;
  afterAll(() => stopApp(app));

  it("makes callers from one address share a bucket", async () => {
    app = await startApp({ env: { RATE_LIMIT_PER_MINUTE: "2", RATE_LIMIT_KEY: "ip" } });
    const tokens = await Promise.all(
      ["carol", "dave", "erin"].map((subject) => tokenFor(app, { subject, username: subject, groups: [], scopes: ["list_service"] })),
    );
    const statuses: number[] = [];
    for (const token of tokens) {
      const res = await fetch(`${app.url}/api/server_details/all`, { headers: { authorization: `Bearer ${token}` } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe("one bucket per person, whatever the credential", () => {
  let app: TestApp;
  let idp: Idp;
  beforeAll(async () => {
    idp = await startIdp();
    app = await startApp({
      env: {
        RATE_LIMIT_PER_MINUTE: "20",
        OIDC_PROVIDERS: "keycloak",
        OIDC_KEYCLOAK_ISSUER: idp.issuer,
        OIDC_KEYCLOAK_CLIENT_ID: idp.webClient.clientId,
        OIDC_KEYCLOAK_CLIENT_SECRET: idp.webClient.clientSecret,
        OIDC_KEYCLOAK_AUDIENCE: idp.audience,
      },
    });
  });
  afterAll(async () => {
    await stopApp(app);
    await idp?.close();
  });

  const remainingAfter = async (headers: Record<string, string>) => {
    const res = await fetch(`${app.url}/api/tokens`, { headers });
    expect(res.status).toBe(200);
    return Number(res.headers.get("x-ratelimit-remaining"));
  };
  const generate = async (headers: Record<string, string>) => {
    const res = await fetch(`${app.url}/api/tokens/generate`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
      body: "scopes=list_service&expires_in=600",
    });
    expect(res.status).toBe(200);
    return { authorization: `Bearer ${((await res.json()) as { tokens: { access_token: string } }).tokens.access_token}` };
  };

  it.each([
    ["the local admin's session and registry token", async () => ({ cookie: await signInAsAdmin(app.url) })],
    [
      "a provider token and the registry token it generated",
      async () => ({ authorization: `Bearer ${await idp.issueAccessToken({ sub: "carol-sub", preferredUsername: "carol", groups: ["mcp-registry-admin"] })}` }),
    ],
  ])("%s count against one bucket", async (_name, credential) => {
    const first = await credential();
    const registry = await generate(first);
    const counts = [];
    for (const headers of [first, registry, first, registry]) counts.push(await remainingAfter(headers));
    expect(counts.slice(1)).toEqual([counts[0]! - 1, counts[0]! - 2, counts[0]! - 3]);
  });

  it("keeps other people apart, even under the same subject at another provider", async () => {
    const elsewhere = await tokenFor(app, { subject: "carol-sub", username: "carol", groups: [], scopes: ["list_service"] });
    expect(await remainingAfter({ authorization: `Bearer ${elsewhere}` })).toBe(19);
  });
});
