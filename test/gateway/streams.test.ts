// No gateway stream outlives its credential: a passthrough GET stream, a bridged session's
// stream and an SSE-only client's /{path}/sse stream end when the token that opened them is
// revoked, the session is signed out, or the token expires; other callers' streams stay open.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { createCredentialWatch } from "../../src/gateway/credential-watch.ts";
import { freePort, startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { startIdp, type Idp } from "../support/idp.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { RevokeToken, ToggleServer, UpdateServer } from "../support/operations.ts";
import { gatewayUrlOf } from "../../src/servers/path.ts";
import { signInAsAdmin } from "../support/session.ts";
import { bearer, endOf, INITIALIZE, openSessionStream, openStream, registerUpstream, rpc, stillOpenAfter, type OpenStream } from "./harness.ts";

/** How long a stream may take to end after its credential did (the brief: within about a second). */
const END_WITHIN_MS = 1_500;
/** How long a stream that should stay open is watched. */
const STAYS_OPEN_MS = 1_000;

let streamable: TestMcpServer;
let legacy: TestMcpServer;
let app: TestApp;
let policyDir: string;
let idp: Idp;

beforeAll(async () => {
  streamable = await startMcpServer({ stateful: true });
  legacy = await startMcpServer({});
  const port = await freePort();
  idp = await startIdp({});
  policyDir = await fs.mkdtemp(path.join(os.tmpdir(), "gateway-streams-policy-"));
  const policyFile = path.join(policyDir, "policy.yaml");
  await fs.writeFile(policyFile, ["groups:", "  gw-users:", "    - servers: [/live, /old]", "      permissions: [list_service, use_service]"].join("\n"));
  app = await startApp({
    env: {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ACCESS_POLICY_FILE: policyFile,
      OIDC_PROVIDERS: "keycloak",
      OIDC_KEYCLOAK_ISSUER: idp.issuer,
      OIDC_KEYCLOAK_CLIENT_ID: idp.webClient.clientId,
      OIDC_KEYCLOAK_CLIENT_SECRET: idp.webClient.clientSecret,
      OIDC_KEYCLOAK_AUDIENCE: idp.audience,
      GATEWAY_RATE_LIMIT_PER_MINUTE: "1000000",
      GATEWAY_TOOL_RATE_LIMIT_PER_MINUTE: "1000000",
    },
  });
  await registerUpstream(app, "/live", streamable.mcpUrl());
  await registerUpstream(app, "/old", legacy.sseUrl());
});

afterAll(async () => {
  await stopApp(app);
  await streamable?.close();
  await legacy?.close();
  await idp?.close();
  if (policyDir) await fs.rm(policyDir, { recursive: true, force: true });
});

let users = 0;
async function userToken(ttlSeconds?: number): Promise<{ token: string; jti: string; subject: string }> {
  users++;
  const subject = `stream-user-${users}`;
  const token = await tokenFor(app, {
    subject,
    username: subject,
    groups: ["gw-users"],
    scopes: ["list_service", "use_service"],
    ...(ttlSeconds ? { ttlSeconds } : {}),
  });
  return { token, jti: String(decodeJwt(token).jti), subject };
}

/** Opens a Streamable HTTP session at /{path}/mcp and its GET stream. */
function sessionStream(gatewayPath: string, headers: Record<string, string>): Promise<OpenStream> {
  return openSessionStream(`${app.url}${gatewayPath}/mcp`, headers);
}

/** An SSE-only client's stream at /{path}/sse, once its endpoint event arrived. */
async function sseOnlyStream(gatewayPath: string, headers: Record<string, string>): Promise<OpenStream> {
  const stream = await openStream(`${app.url}${gatewayPath}/sse`, headers);
  await expect.poll(() => stream.text(), { timeout: 10_000 }).toContain("event: endpoint");
  return stream;
}

async function revoke(jti: string): Promise<number> {
  const r = await app.gqlOk(RevokeToken, { jti });
  expect(r.revokeToken.__typename).toBe("RevokeTokenSuccess");
  return Date.now();
}

describe("gateway streams end with their credential", () => {
  it.each([
    ["a passthrough GET stream at /{path}/mcp", (h: Record<string, string>) => sessionStream("/live", h)],
    ["a bridged session's GET stream at /{path}/mcp", (h: Record<string, string>) => sessionStream("/old", h)],
    ["an SSE-only client's /{path}/sse stream", (h: Record<string, string>) => sseOnlyStream("/old", h)],
  ])("%s ends when its registry token is revoked; another caller's stays open", async (_name, open) => {
    const alice = await userToken();
    const bob = await userToken();
    const hers = await open(bearer(alice.token));
    const his = await open(bearer(bob.token));
    expect(await stillOpenAfter(hers, 200)).toBe("open");

    const revokedAt = await revoke(alice.jti);
    const endedAt = await endOf(hers);
    expect(endedAt - revokedAt).toBeLessThan(END_WITHIN_MS);
    expect(await stillOpenAfter(his, STAYS_OPEN_MS)).toBe("open");
    expect(his.isOpen()).toBe(true);
    his.close();
  });

  it("a bridged session ends with the token that used it: the same user's next token finds no session", async () => {
    const first = await userToken();
    const url = `${app.url}/old/mcp`;
    const init = await rpc(url, INITIALIZE, bearer(first.token));
    expect(init.status).toBe(200);
    const sessionId = init.headers.get("mcp-session-id")!;
    await init.text();
    const inSession = (token: string) => ({ ...bearer(token), "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" });
    const ack = await rpc(url, { jsonrpc: "2.0", method: "notifications/initialized" }, inSession(first.token));
    expect(ack.status).toBe(202);
    await ack.text();

    const next = await tokenFor(app, { subject: first.subject, username: first.subject, groups: ["gw-users"], scopes: ["list_service", "use_service"] });
    await revoke(first.jti);
    await expect
      .poll(
        async () => {
          const r = await rpc(url, { jsonrpc: "2.0", method: "notifications/initialized" }, inSession(next));
          await r.text();
          return r.status;
        },
        { timeout: END_WITHIN_MS, interval: 100 },
      )
      .toBe(404);
  });

  it("a session cookie's stream ends at logout", async () => {
    const cookie = await signInAsAdmin(app.url);
    const other = await userToken();
    const headers = { cookie, origin: app.url };
    const mine = await sessionStream("/live", headers);
    const theirs = await sseOnlyStream("/old", bearer(other.token));
    expect(await stillOpenAfter(mine, 200)).toBe("open");

    const out = await fetch(`${app.url}/logout`, { method: "POST", headers, redirect: "manual" });
    expect(out.status).toBeLessThan(400);
    const loggedOutAt = Date.now();
    const endedAt = await endOf(mine);
    expect(endedAt - loggedOutAt).toBeLessThan(END_WITHIN_MS);
    expect(await stillOpenAfter(theirs, STAYS_OPEN_MS)).toBe("open");
    theirs.close();
  });

  it.each([
    ["a passthrough GET stream", (h: Record<string, string>) => sessionStream("/live", h)],
    ["an SSE-only client's stream", (h: Record<string, string>) => sseOnlyStream("/old", h)],
  ])("%s ends when its short-lived token expires", async (_name, open) => {
    const short = await userToken(3);
    const long = await userToken();
    const expiresAt = Number(decodeJwt(short.token).exp) * 1000;
    const hers = await open(bearer(short.token));
    const his = await open(bearer(long.token));
    const endedAt = await endOf(hers);
    // Not before its expiry (the clocks are the same machine's), and soon after it.
    expect(endedAt).toBeGreaterThanOrEqual(expiresAt - 50);
    expect(endedAt - expiresAt).toBeLessThan(END_WITHIN_MS);
    expect(his.isOpen()).toBe(true);
    his.close();
  });

  it("a change-feed entry naming no credential re-checks every stream, and ends none whose credential still works", async () => {
    const forLive = await idp.issueAccessToken({ aud: gatewayUrlOf(app.config.publicUrl, "/live"), groups: ["gw-users"], expiresIn: 300 });
    const cookie = await signInAsAdmin(app.url);
    const provider = await sessionStream("/live", bearer(forLive));
    const registry = await sseOnlyStream("/old", bearer((await userToken()).token));
    const session = await sessionStream("/live", { cookie, origin: app.url });
    // "Some token or session may have ended" (a feed that reconnected may have missed some).
    app.db.changes.publish({ entity: "token" });
    app.db.changes.publish({ entity: "session" });
    for (const stream of [provider, registry, session]) expect(await stillOpenAfter(stream, 300)).toBe("open");
    expect(await stillOpenAfter(provider, STAYS_OPEN_MS)).toBe("open");
    for (const stream of [provider, registry, session]) stream.close();
  });

  it.each([
    ["the provider's audience", () => idp.audience],
    ["the server's gateway URL as audience (RFC 8707)", () => gatewayUrlOf(app.config.publicUrl, "/live")],
  ])("a provider JWT's stream ends at its exp (%s)", async (_name, aud) => {
    const token = await idp.issueAccessToken({ aud: aud(), groups: ["gw-users"], expiresIn: 3 });
    const expiresAt = Number(decodeJwt(token).exp) * 1000;
    const stream = await sessionStream("/live", bearer(token));
    const endedAt = await endOf(stream);
    expect(endedAt).toBeGreaterThanOrEqual(expiresAt - 50);
    expect(endedAt - expiresAt).toBeLessThan(END_WITHIN_MS);
  });
});

describe("gateway streams end when the access policy takes the server away", () => {
  const ORIGINAL = { groups: { "gw-users": [{ servers: ["/live", "/old"], permissions: ["list_service", "use_service"] }] } };
  const policy = (users: string[]) => ({
    groups: {
      "gw-users": [{ servers: users, permissions: ["list_service", "use_service"] }],
      "gw-keep": [{ servers: ["/live", "/old"], permissions: ["list_service", "use_service"] }],
    },
  });
  const token = async (groups: string[]) => {
    users++;
    return tokenFor(app, { subject: `policy-user-${users}`, username: `policy-user-${users}`, groups, scopes: ["list_service", "use_service"] });
  };

  it.each([
    ["a passthrough GET stream at /{path}/mcp", "/live", (h: Record<string, string>) => sessionStream("/live", h)],
    ["a bridged session's GET stream at /{path}/mcp", "/old", (h: Record<string, string>) => sessionStream("/old", h)],
    ["an SSE-only client's /{path}/sse stream", "/old", (h: Record<string, string>) => sseOnlyStream("/old", h)],
  ])("%s ends when its caller loses use_service on the server; a caller who keeps it stays", async (_name, gone, open) => {
    try {
      expect(await app.auth.policy.update(policy(["/live", "/old"]), "test")).toEqual([]);
      const losing = await open(bearer(await token(["gw-users"])));
      const keeping = await open(bearer(await token(["gw-keep"])));
      expect(await stillOpenAfter(losing, 200)).toBe("open");
      // Only the other server is left to gw-users: an edit that leaves this one alone ends nothing.
      expect(await app.auth.policy.update(policy(gone === "/live" ? ["/live"] : ["/old"]), "test")).toEqual([]);
      expect(await stillOpenAfter(losing, 300)).toBe("open");
      const changedAt = Date.now();
      expect(await app.auth.policy.update(policy(gone === "/live" ? ["/old"] : ["/live"]), "test")).toEqual([]);
      const endedAt = await endOf(losing);
      expect(endedAt - changedAt).toBeLessThan(END_WITHIN_MS);
      expect(await stillOpenAfter(keeping, STAYS_OPEN_MS)).toBe("open");
      keeping.close();
    } finally {
      await app.auth.policy.update(ORIGINAL, "test");
    }
  });
});

describe("gateway streams end with their server", () => {
  const toggle = async (p: string, enabled: boolean) => expect((await app.gqlOk(ToggleServer, { path: p, enabled })).toggleServer.__typename).toBe("ToggleServerSuccess");

  it.each([
    ["a passthrough GET stream at /{path}/mcp", "/live", (h: Record<string, string>) => sessionStream("/live", h)],
    ["a bridged session's GET stream at /{path}/mcp", "/old", (h: Record<string, string>) => sessionStream("/old", h)],
    ["an SSE-only client's /{path}/sse stream", "/old", (h: Record<string, string>) => sseOnlyStream("/old", h)],
  ])("%s ends when its server is disabled; an edit that leaves its upstream alone ends nothing", async (_name, p, open) => {
    const other = p === "/live" ? "/old" : "/live";
    const mine = await open(bearer((await userToken()).token));
    const theirs = await (other === "/live" ? sessionStream("/live", bearer((await userToken()).token)) : sseOnlyStream("/old", bearer((await userToken()).token)));
    try {
      expect((await app.gqlOk(UpdateServer, { path: p, input: { description: `edited ${Date.now()}` } })).updateServer.__typename).toBe("UpdateServerSuccess");
      expect(await stillOpenAfter(mine, 300)).toBe("open");
      const disabledAt = Date.now();
      await toggle(p, false);
      const endedAt = await endOf(mine);
      expect(endedAt - disabledAt).toBeLessThan(END_WITHIN_MS);
      expect(await stillOpenAfter(theirs, STAYS_OPEN_MS)).toBe("open");
    } finally {
      await toggle(p, true);
      theirs.close();
    }
  });

  it("a passthrough stream ends when its server is pointed at another upstream", async () => {
    const stream = await sessionStream("/live", bearer((await userToken()).token));
    const elsewhere = await startMcpServer({ stateful: true });
    try {
      const movedAt = Date.now();
      expect((await app.gqlOk(UpdateServer, { path: "/live", input: { proxyPassUrl: elsewhere.mcpUrl() } })).updateServer.__typename).toBe("UpdateServerSuccess");
      const endedAt = await endOf(stream);
      expect(endedAt - movedAt).toBeLessThan(END_WITHIN_MS);
    } finally {
      await app.gqlOk(UpdateServer, { path: "/live", input: { proxyPassUrl: streamable.mcpUrl() } });
      await elsewhere.close();
    }
  });
});

describe("the streams one process watches are bounded", () => {
  const log = createLogger({ level: "silent" });
  const resource = "http://gateway.test/live/mcp";

  it("refuses bindings beyond its count, and takes new ones as old ones end", async () => {
    const watch = createCredentialWatch({ auth: app.auth, changes: app.db.changes, log, maxBindings: 2 });
    const a = watch.bindingFor({ kind: "bearer", token: (await userToken()).token }, undefined, resource);
    const b = watch.bindingFor({ kind: "bearer", token: (await userToken()).token }, undefined, resource);
    const first = a.bind(() => undefined);
    const second = a.bind(() => undefined);
    expect(first).toBeTypeOf("function");
    expect(second).toBeTypeOf("function");
    expect(b.bind(() => undefined)).toBeUndefined();
    expect(watch.size()).toBe(2);
    first!();
    first!(); // unbinding twice frees one place, not two
    expect(watch.size()).toBe(1);
    const third = b.bind(() => undefined);
    expect(third).toBeTypeOf("function");
    expect(a.bind(() => undefined)).toBeUndefined();
    second!();
    third!();
    expect(watch.size()).toBe(0);
    watch.close();
  });

  it("refuses a credential once the held credentials would pass its byte bound", async () => {
    const one = await userToken();
    const watch = createCredentialWatch({ auth: app.auth, changes: app.db.changes, log, maxBytes: one.token.length + resource.length + 20 });
    const a = watch.bindingFor({ kind: "bearer", token: one.token }, one.jti, resource);
    const b = watch.bindingFor({ kind: "bearer", token: (await userToken()).token }, undefined, resource);
    const unbind = a.bind(() => undefined);
    expect(unbind).toBeTypeOf("function");
    // The same credential again costs no more bytes; another one does not fit.
    expect(a.bind(() => undefined)).toBeTypeOf("function");
    expect(b.bind(() => undefined)).toBeUndefined();
    watch.close();
    expect(watch.size()).toBe(0);
    expect(a.bind(() => undefined)).toBeUndefined(); // closed: nothing is watched any more
  });
});
