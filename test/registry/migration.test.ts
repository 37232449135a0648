// Migration 0006 on a database made at 0005: published entries, stored then as disabled
// server rows (as 0005-era publishing wrote them), move to registry_entries intact (same
// id, name, version, document, status, message, timestamps, isLatest) and leave servers
// with their tools and health rows; gateway servers stay as they were.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, readMigrations, type SqlRunner } from "../../src/db/migrate.ts";
import { dropData, freshDataEnv, startApp, stopApp, TEST_DATABASE_URL, type TestApp } from "../support/app.ts";
import { ListServers } from "../support/operations.ts";
import { GATEWAY, OFFICIAL, registryCall, type ServerList } from "../support/registry.ts";

type Sql = { exec(sql: string): Promise<void>; close(): Promise<void>; runner: SqlRunner };

/** An empty database (a new PGlite directory, or a new PostgreSQL schema) and the env that names it. */
async function emptyDatabase(): Promise<{ env: Record<string, string>; sql: Sql }> {
  if (TEST_DATABASE_URL) {
    const env = await freshDataEnv();
    const url = new URL(env.DATABASE_URL!);
    const schema = url.searchParams.get("schema")!;
    url.searchParams.delete("schema");
    const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path="${schema}",public` });
    await client.connect();
    await client.query(`create schema "${schema}"`);
    const q = { exec: async (s: string) => void (await client.query(s)), query: async <T,>(s: string, p: unknown[] = []) => (await client.query(s, p)).rows as T[] };
    const runner: SqlRunner = {
      ...q,
      async transaction(fn) {
        await client.query("begin");
        try {
          const result = await fn(q);
          await client.query("commit");
          return result;
        } catch (err) {
          await client.query("rollback");
          throw err;
        }
      },
      withLock: (fn) => fn(),
    };
    return { env, sql: { exec: q.exec, close: () => client.end(), runner } };
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mcp-registry-migration-"));
  const db = await PGlite.create(path.join(dataDir, "pglite"), { extensions: { pg_trgm } });
  const q = { exec: async (s: string) => void (await db.exec(s)), query: async <T,>(s: string, p: unknown[] = []) => (await db.query<T>(s, p)).rows };
  const runner: SqlRunner = {
    ...q,
    transaction: (fn) =>
      db.transaction((tx) => fn({ exec: async (s) => void (await tx.exec(s)), query: async <T,>(s: string, p: unknown[] = []) => (await tx.query<T>(s, p)).rows })),
    withLock: (fn) => fn(),
  };
  return { env: { DATA_DIR: dataDir }, sql: { exec: q.exec, close: () => db.close(), runner } };
}

const DOC_1 = {
  $schema: "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
  name: "com.example/migrated",
  description: "Published before 0006",
  version: "1.0.0",
  remotes: [{ type: "streamable-http", url: "https://example.com/mcp" }],
  _meta: { "io.modelcontextprotocol.registry/publisher-provided": { tool: "ci", list: [1, 2] } },
};
const DOC_2 = { ...DOC_1, version: "2.0.0", description: "The second version" };
const DOC_CASE = { name: "com.example/Migrated", description: "Same name but for case", version: "1.0.0" };

const ID_1 = "00000000-0000-4000-8000-000000000001";
const ID_2 = "00000000-0000-4000-8000-000000000002";
const ID_CASE = "00000000-0000-4000-8000-000000000003";
const ID_GATEWAY = "00000000-0000-4000-8000-000000000004";

/** Rows as 0005-era code wrote them: publishing made a disabled server row at publishedPathOf(name, version). */
const ROWS_AT_0005 = `
insert into servers (id, path, name, description, proxy_pass_url, transport, search_text, registry_name, version,
  server_json, is_latest, enabled, status, status_message, status_changed_at, published_at, updated_at)
values
  ('${ID_1}', '/com-example/migrated/1-0-0', 'migrated', '${DOC_1.description}', 'https://example.com/mcp', 'STREAMABLE_HTTP',
   'com.example/migrated published before 0006 /com-example/migrated/1-0-0', 'com.example/migrated', '1.0.0',
   '${JSON.stringify(DOC_1)}', false, false, 'DEPRECATED', 'Use 2.0.0', '2025-03-01T10:00:00.123Z', '2025-01-01T08:00:00.001Z', '2025-03-01T10:00:00.123Z'),
  ('${ID_2}', '/com-example/migrated/2-0-0', 'migrated', '${DOC_2.description}', 'https://example.com/mcp', 'STREAMABLE_HTTP',
   'com.example/migrated the second version /com-example/migrated/2-0-0', 'com.example/migrated', '2.0.0',
   '${JSON.stringify(DOC_2)}', true, false, 'ACTIVE', null, null, '2025-02-01T08:00:00.002Z', '2025-02-01T08:00:00.002Z'),
  ('${ID_CASE}', '/com-example/migrated-3f2a9c1d/1-0-0', 'Migrated', '${DOC_CASE.description}', '', 'AUTO',
   'com.example/migrated same name but for case', 'com.example/Migrated', '1.0.0',
   '${JSON.stringify(DOC_CASE)}', true, false, 'ACTIVE', null, null, '2025-02-02T08:00:00.003Z', '2025-02-02T08:00:00.003Z'),
  ('${ID_GATEWAY}', '/kept', 'Kept', 'A gateway server', 'http://127.0.0.1:9/kept/mcp', 'AUTO', 'kept a gateway server /kept', null, '1.0.0',
   null, true, false, 'DEPRECATED', 'Moving', '2025-04-01T00:00:00.000Z', '2025-01-05T00:00:00.000Z', '2025-04-01T00:00:00.000Z');
insert into tools (id, server_id, name, updated_at) values
  ('00000000-0000-4000-8000-0000000000a1', '${ID_2}', 'stray', now()),
  ('00000000-0000-4000-8000-0000000000a2', '${ID_GATEWAY}', 'kept_tool', now());
insert into health_checks (id, server_id, status) values
  ('00000000-0000-4000-8000-0000000000b1', '${ID_1}', 'UNKNOWN'),
  ('00000000-0000-4000-8000-0000000000b2', '${ID_GATEWAY}', 'HEALTHY');
insert into tool_changes (id, server_id, kind, tool_name) values ('00000000-0000-4000-8000-0000000000c1', '${ID_2}', 'ADDED', 'stray');
`;

let app: TestApp;
let data: Record<string, string>;

beforeAll(async () => {
  const { env, sql } = await emptyDatabase();
  data = env;
  try {
    const upTo0005 = await fs.mkdtemp(path.join(os.tmpdir(), "mcp-registry-migrations-"));
    const migrations = (await readMigrations()).filter((m) => m.name < "0006");
    expect(migrations.map((m) => m.name)).toEqual(["0001_init", "0002_identity", "0003_health", "0004_registry", "0005_token_lineage"]);
    for (const m of migrations) {
      await fs.mkdir(path.join(upTo0005, m.name));
      await fs.writeFile(path.join(upTo0005, m.name, "migration.sql"), m.sql);
    }
    expect(await applyMigrations(sql.runner, pino({ level: "silent" }), upTo0005)).toHaveLength(5);
    await fs.rm(upTo0005, { recursive: true, force: true });
    await sql.exec(ROWS_AT_0005);
  } finally {
    await sql.close();
  }
  // The server applies 0006 at start, as on an upgrade.
  app = await startApp({ env: data });
}, 120_000);

afterAll(async () => {
  await stopApp(app);
  if (data) await dropData(data);
});

describe("migration 0006 on a database made at 0005", () => {
  it("moves every published version to registry_entries intact, readable through /v0.1", async () => {
    const versions = await registryCall<ServerList>(app.url, "GET", "/v0.1/servers/com.example%2Fmigrated/versions?include_deleted=true", { token: app.adminToken });
    expect(versions.status).toBe(200);
    expect(versions.body.servers.map((s) => s.server)).toEqual([DOC_2, DOC_1]);
    expect(versions.body.servers.map((s) => s._meta)).toEqual([
      {
        // statusChangedAt from the publication on (migration 0008).
        [OFFICIAL]: {
          status: "active",
          statusChangedAt: "2025-02-01T08:00:00.002Z",
          publishedAt: "2025-02-01T08:00:00.002Z",
          updatedAt: "2025-02-01T08:00:00.002Z",
          isLatest: true,
        },
        [GATEWAY]: { published: true },
      },
      {
        [OFFICIAL]: {
          status: "deprecated",
          statusMessage: "Use 2.0.0",
          statusChangedAt: "2025-03-01T10:00:00.123Z",
          publishedAt: "2025-01-01T08:00:00.001Z",
          updatedAt: "2025-03-01T10:00:00.123Z",
          isLatest: false,
        },
        [GATEWAY]: { published: true },
      },
    ]);
    const other = await registryCall<ServerList>(app.url, "GET", "/v0.1/servers/com.example%2FMigrated/versions", { token: app.adminToken });
    expect(other.body.servers.map((s) => s.server)).toEqual([DOC_CASE]);
    const rows = await app.db.prisma.registryEntry.findMany({ orderBy: { id: "asc" }, select: { id: true, name: true, version: true } });
    expect(rows).toEqual([
      { id: ID_1, name: "com.example/migrated", version: "1.0.0" },
      { id: ID_2, name: "com.example/migrated", version: "2.0.0" },
      { id: ID_CASE, name: "com.example/Migrated", version: "1.0.0" },
    ]);
  });

  it("removes them from servers with their tools, health checks and tool changes, and keeps gateway servers whole", async () => {
    const servers = await app.gqlOk(ListServers, { first: 100 });
    expect(servers.servers.edges.map((e) => e.node.path)).toEqual(["/kept"]);
    const left = await app.db.prisma.$queryRawUnsafe<{ t: string; server_id: string }[]>(
      "select 'tool' as t, server_id::text from tools union all select 'check', server_id::text from health_checks union all select 'change', server_id::text from tool_changes order by 1",
    );
    expect(left).toEqual([
      { t: "check", server_id: ID_GATEWAY },
      { t: "tool", server_id: ID_GATEWAY },
    ]);
    const kept = await registryCall<ServerList>(app.url, "GET", "/v0.1/servers/io.mcpgateway%2Fkept/versions?include_deleted=true", { token: app.adminToken });
    expect(kept.body.servers[0]!._meta[OFFICIAL]).toEqual({
      status: "deprecated",
      statusMessage: "Moving",
      statusChangedAt: "2025-04-01T00:00:00.000Z",
      publishedAt: "2025-01-05T00:00:00.000Z",
      updatedAt: "2025-04-01T00:00:00.000Z",
      isLatest: true,
    });
  });

  it("lists the moved entries with the gateway's, and they take new versions and status changes", async () => {
    const list = await registryCall<ServerList>(app.url, "GET", "/v0.1/servers?include_deleted=true", { token: app.adminToken });
    expect(list.body.servers.map((s) => `${s.server.name} ${s.server.version}`)).toEqual([
      "com.example/Migrated 1.0.0",
      "com.example/migrated 1.0.0",
      "com.example/migrated 2.0.0",
      "io.mcpgateway/kept 1.0.0",
    ]);
    const again = await registryCall(app.url, "POST", "/v0.1/publish", { token: app.adminToken, body: DOC_2 });
    expect(again.status).toBe(400);
    const three = await registryCall(app.url, "POST", "/v0.1/publish", { token: app.adminToken, body: { ...DOC_2, version: "3.0.0" } });
    expect(three.status).toBe(200);
    const latest = await registryCall<{ server: { version: string } }>(app.url, "GET", "/v0.1/servers/com.example%2Fmigrated/versions/latest", { token: app.adminToken });
    expect(latest.body.server.version).toBe("3.0.0");
    const reactivated = await registryCall<{ _meta: Record<string, Record<string, unknown>> }>(app.url, "PATCH", "/v0.1/servers/com.example%2Fmigrated/versions/1.0.0/status", {
      token: app.adminToken,
      body: { status: "active" },
    });
    expect(reactivated.status).toBe(200);
    expect(reactivated.body._meta[OFFICIAL]).toMatchObject({ status: "active", isLatest: false });
    // A published version's name and version never change, whatever writes to the table; since
    // migration 0008 its document may (PUT /v0.1/servers/{name}/versions/{version} edits it).
    // (The embedded driver loses the trigger's message: the same statement on another column shows the refusal is the trigger's.)
    const update = (set: string) => app.db.prisma.$executeRawUnsafe(`update registry_entries set ${set} where id = '${ID_1}'`);
    expect(await update("status_message = status_message")).toBe(1);
    expect(await update("server_json = server_json")).toBe(1);
    await expect(update("version = '9.9.9'")).rejects.toThrow();
    await expect(update("name = 'com.example/other'")).rejects.toThrow();
    const kept1 = await registryCall<{ server: unknown }>(app.url, "GET", "/v0.1/servers/com.example%2Fmigrated/versions/1.0.0", { token: app.adminToken });
    expect(kept1.body.server).toEqual(DOC_1);
    // The old synthetic path is an ordinary free path now.
    const free = await app.gql(ListServers, { first: 10, filter: { search: "/com-example/migrated" } });
    expect(free.data?.servers.totalCount).toBe(0);
  });
});
