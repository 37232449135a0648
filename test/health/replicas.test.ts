// Two replica processes on one PostgreSQL: one probes; when it is killed, the other
// takes over within two intervals.
import { afterAll, describe, expect, it } from "vitest";
import { onPostgres } from "../support/app.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { spawnReplicas, type ReplicaProcess, type ReplicaProcesses } from "../support/replicas.ts";
import { signInAsAdmin } from "../support/session.ts";

type Replica = ReplicaProcess;

const leads = (r: Replica) => r.output().includes("this replica now leads");
const sweeps = (r: Replica) => (r.output().match(/"msg":"health sweep done"/g) ?? []).length;

describe.runIf(onPostgres)("the scheduler across replicas (PostgreSQL)", () => {
  let started: ReplicaProcesses | undefined;
  let replicas: Replica[] = [];
  let mcp: TestMcpServer;

  afterAll(async () => {
    await started?.close();
    await mcp?.close();
  });

  it("only one replica probes; killing it hands probing to the other within two intervals", async () => {
    mcp = await startMcpServer();
    started = await spawnReplicas({ env: { HEALTH_CHECKS: "true", HEALTH_CHECK_INTERVAL_SECONDS: "1", HEALTH_CHECK_TIMEOUT_MS: "1000" } });
    replicas = started.processes;
    const [a] = replicas as [Replica, Replica];
    const cookie = await signInAsAdmin(a.url);
    const post = (query: string) =>
      fetch(`${a.url}/graphql`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ query }) });
    await post(`mutation { registerServer(input: {name: "r", path: "/r", proxyPassUrl: "${mcp.mcpUrl()}"}) { __typename } }`);
    await post(`mutation { toggleServer(path: "/r", enabled: true) { __typename } }`);

    await expect.poll(() => replicas.filter(leads).length, { timeout: 5_000 }).toBe(1);
    await expect.poll(() => replicas.map(sweeps).reduce((x, y) => x + y), { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    const leader = replicas.find(leads)!;
    const follower = replicas.find((r) => r !== leader)!;
    expect(sweeps(follower)).toBe(0);

    leader.child.kill("SIGKILL");
    const killedAt = Date.now();
    await expect.poll(() => leads(follower), { timeout: 4_000, interval: 50 }).toBe(true);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(2_000 + 500);
    await expect.poll(() => sweeps(follower), { timeout: 3_000 }).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
