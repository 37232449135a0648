// Two replicas on one PostgreSQL database behind a client that alternates between them:
// session state lives on the upstream, so any replica serves any request of a session,
// and a server disabled on one replica is refused by the other within a second.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres, tokenFor } from "../support/app.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { ToggleServer } from "../support/operations.ts";
import { startReplicas, type Replicas } from "../support/replicas.ts";
import { bearer, endOf, INITIALIZE, openSessionStream, registerUpstream, rpc, stillOpenAfter } from "./harness.ts";

/** How long a stream on one replica may take to end after a change on the other. */
const END_WITHIN_MS = 1_500;

describe.runIf(onPostgres)("the gateway on two replicas (PostgreSQL)", () => {
  let upstream: TestMcpServer;
  let replicas: Replicas;

  beforeAll(async () => {
    upstream = await startMcpServer({ stateful: true });
    replicas = await startReplicas({ env: { GATEWAY_RATE_LIMIT_PER_MINUTE: "1000000", GATEWAY_TOOL_RATE_LIMIT_PER_MINUTE: "1000000" } });
    await registerUpstream(replicas.apps[0], "/shared", upstream.mcpUrl());
  });

  afterAll(async () => {
    await replicas?.close();
    await upstream?.close();
  });

  it("serves 100 sessions alternating between replicas: 1,000 requests, no failure", { timeout: 180_000 }, async () => {
    const [a, b] = replicas.apps;
    const urls = [`${a.url}/shared/mcp`, `${b.url}/shared/mcp`];
    const tokens = [a.adminToken, b.adminToken];
    let sent = 0;
    const failures: string[] = [];
    const session = async (n: number) => {
      // Each session: initialize, initialized, then 8 calls; every request on the other replica than the one before.
      let turn = n % 2;
      const next = () => (turn = 1 - turn);
      const init = await rpc(urls[turn]!, INITIALIZE, bearer(tokens[turn]!));
      sent++;
      const id = init.headers.get("mcp-session-id");
      const initText = await init.text();
      if (init.status !== 200 || !id) return void failures.push(`initialize: ${init.status} ${initText}`);
      const headers = (t: number) => ({ ...bearer(tokens[t]!), "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" });
      next();
      const initialized = await rpc(urls[turn]!, { jsonrpc: "2.0", method: "notifications/initialized" }, headers(turn));
      sent++;
      await initialized.text();
      if (initialized.status !== 202) failures.push(`initialized: ${initialized.status}`);
      for (let i = 1; i <= 8; i++) {
        next();
        const body =
          i % 2 === 0
            ? { jsonrpc: "2.0", id: i, method: "tools/list" }
            : { jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "add", arguments: { a: n, b: i } } };
        const res = await rpc(urls[turn]!, body, headers(turn));
        sent++;
        const text = await res.text();
        if (res.status !== 200 || !text.includes(`"id":${i}`) || text.includes('"error"')) failures.push(`${body.method}: ${res.status} ${text.slice(0, 200)}`);
      }
    };
    for (let batch = 0; batch < 10; batch++) await Promise.all(Array.from({ length: 10 }, (_, i) => session(batch * 10 + i)));
    expect(failures).toEqual([]);
    expect(sent).toBe(1_000);
    expect(upstream.stats().liveSessions).toBe(100);
  });

  it("ends a stream on one replica when the policy on the other takes its server away", async () => {
    const [a, b] = replicas.apps;
    const policy = (servers: string[]) => ({ groups: { "rep-users": [{ servers, permissions: ["list_service", "use_service"] }] } });
    expect(await a.auth.policy.update(policy(["/shared"]), "test")).toEqual([]);
    // b reads the new policy back from the change feed before a token of that group may use /shared there.
    const token = await tokenFor(b, { subject: "rep-user", username: "rep-user", groups: ["rep-users"], scopes: ["list_service", "use_service"] });
    const status = async () => {
      const res = await rpc(`${b.url}/shared/mcp`, INITIALIZE, bearer(token));
      await res.arrayBuffer();
      return res.status;
    };
    await expect.poll(status, { timeout: 5_000 }).toBe(200);
    const stream = await openSessionStream(`${b.url}/shared/mcp`, bearer(token));
    const admins = await openSessionStream(`${b.url}/shared/mcp`, bearer(b.adminToken));
    expect(await stillOpenAfter(stream, 200)).toBe("open");
    const changedAt = Date.now();
    expect(await a.auth.policy.update(policy(["/elsewhere"]), "test")).toEqual([]);
    expect((await endOf(stream)) - changedAt).toBeLessThan(END_WITHIN_MS);
    expect(await stillOpenAfter(admins, 500)).toBe("open");
    admins.close();
  });

  it("ends a stream on one replica when its server is disabled on the other", async () => {
    const [a, b] = replicas.apps;
    const stream = await openSessionStream(`${b.url}/shared/mcp`, bearer(b.adminToken));
    expect(await stillOpenAfter(stream, 200)).toBe("open");
    const disabledAt = Date.now();
    await a.gqlOk(ToggleServer, { path: "/shared", enabled: false });
    try {
      expect((await endOf(stream)) - disabledAt).toBeLessThan(END_WITHIN_MS);
    } finally {
      await a.gqlOk(ToggleServer, { path: "/shared", enabled: true });
    }
  });

  it("refuses a server on every replica within 1 s of its disabling on one", async () => {
    const [a, b] = replicas.apps;
    const first = await rpc(`${b.url}/shared/mcp`, INITIALIZE, bearer(b.adminToken));
    expect(first.status).toBe(200); // routed, and so cached, on b
    await first.text();
    await a.gqlOk(ToggleServer, { path: "/shared", enabled: false });
    const disabledAt = performance.now();
    let status = 200;
    while (status !== 503 && performance.now() - disabledAt < 5_000) {
      const res = await rpc(`${b.url}/shared/mcp`, INITIALIZE, bearer(b.adminToken));
      status = res.status;
      await res.text();
      if (status !== 503) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(503);
    expect(performance.now() - disabledAt).toBeLessThan(1_000);
  });
});
