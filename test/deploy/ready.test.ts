// GET /ready tells a load balancer whether this replica should take traffic; /health
// stays the liveness answer (a restart does not cure a database that is away).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres, startApp, stopApp, type TestApp } from "../support/app.ts";
import { restContract, type Contract } from "../support/rest-contract.ts";

let app: TestApp;
let contract: Contract;

beforeAll(async () => {
  app = await startApp();
  contract = await restContract(app.url);
});
afterAll(() => stopApp(app));

async function ready(): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${app.url}/ready`);
  const text = await res.text();
  contract.check("GET", "/ready", { status: res.status, headers: res.headers, text });
  expect(res.headers.get("cache-control")).toBe("no-store");
  return { status: res.status, body: JSON.parse(text) as Record<string, string> };
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("GET /ready", () => {
  it("answers 200 when the database is reachable, migrated and the change feed is connected, without credentials", async () => {
    expect(await ready()).toEqual({
      status: 200,
      body: { status: "ready", database: "ok", migrations: "ok", changeFeed: "ok" },
    });
  });

  it("answers 503 while a migration this release knows is not recorded, and /health stays 200", async () => {
    const [last] = await app.db.prisma.$queryRawUnsafe<{ name: string; checksum: string }[]>(
      "select name, checksum from _migrations order by name desc limit 1",
    );
    await app.db.prisma.$executeRawUnsafe("delete from _migrations where name = $1", last!.name);
    try {
      expect(await ready()).toEqual({
        status: 503,
        body: { status: "unavailable", database: "ok", migrations: "pending", changeFeed: "ok" },
      });
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
    } finally {
      await app.db.prisma.$executeRawUnsafe("insert into _migrations (name, checksum) values ($1, $2)", last!.name, last!.checksum);
    }
    expect((await ready()).status).toBe(200);
  });

  it.runIf(onPostgres)("answers 503 while this replica's change feed is disconnected, and 200 once it reconnects", async () => {
    // Ends this app's LISTEN connection (other suites share the server) from the server's
    // side, as a database failover would.
    const url = app.config.database.kind === "postgres" ? app.config.database.url : "";
    const schema = new URL(url).searchParams.get("schema") ?? "public";
    const ended = await app.db.prisma.$queryRawUnsafe<{ pid: number }[]>(
      "select pg_terminate_backend(pid), pid from pg_stat_activity where query = $1",
      `listen "mcp_registry_${schema}"`,
    );
    expect(ended).toHaveLength(1);
    const during = await eventually(ready, (r) => r.status === 503, 10_000);
    expect(during).toEqual({ status: 503, body: { status: "unavailable", database: "ok", migrations: "ok", changeFeed: "disconnected" } });
    expect((await eventually(ready, (r) => r.status === 200)).body.changeFeed).toBe("ok");
  });

  it("answers 503 with the database unreachable (checked last: it closes the database)", async () => {
    await app.db.close();
    expect(await ready()).toEqual({
      status: 503,
      body: { status: "unavailable", database: "unreachable", migrations: "unknown", changeFeed: app.db.kind === "postgres" ? "disconnected" : "ok" },
    });
    expect((await fetch(`${app.url}/health`)).status).toBe(503);
  });
});
