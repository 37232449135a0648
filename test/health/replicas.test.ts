// Two replica processes on one PostgreSQL: one probes; when it is killed, the other
// takes over within two intervals.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN, dropData, freePort, freshDataEnv, onPostgres } from "../support/app.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { signInAsAdmin } from "../support/session.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

type Replica = { url: string; child: ChildProcess; output: () => string };

async function startReplica(env: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      HEALTH_CHECK_INTERVAL_SECONDS: "1",
      HEALTH_CHECK_TIMEOUT_MS: "1000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  await expect.poll(() => out, { timeout: 60_000, interval: 100 }).toContain("running at");
  return { url: `http://127.0.0.1:${port}`, child, output: () => out };
}

const leads = (r: Replica) => r.output().includes("this replica now leads");
const sweeps = (r: Replica) => (r.output().match(/"msg":"health sweep done"/g) ?? []).length;

describe.runIf(onPostgres)("the scheduler across replicas (PostgreSQL)", () => {
  let env: Record<string, string>;
  let replicas: Replica[] = [];
  let mcp: TestMcpServer;

  afterAll(async () => {
    for (const r of replicas) r.child.kill("SIGKILL");
    await mcp?.close();
    if (env) await dropData(env);
  });

  it("only one replica probes; killing it hands probing to the other within two intervals", async () => {
    env = await freshDataEnv();
    mcp = await startMcpServer();
    replicas = [await startReplica(env), await startReplica(env)];
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
