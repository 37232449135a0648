// Settings for a server on a database of its own, shared by the tests and the
// benchmarks (bench/), so both make and drop data the same way. No vitest here:
// the benchmarks run as plain Node processes.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

/** The local admin the tests and benchmarks sign in as. */
export const ADMIN = { username: "admin", password: "test-admin-password" };

/**
 * A new DATA_DIR (under the system temp directory) and, with `postgresUrl`,
 * DATABASE_URL naming a new schema on that server nobody else uses.
 */
export async function newDataEnv(options: {
  dirPrefix: string;
  schemaPrefix: string;
  postgresUrl?: string | undefined;
}): Promise<Record<string, string>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `${options.dirPrefix}-`));
  const env: Record<string, string> = { DATA_DIR: dataDir };
  if (options.postgresUrl) {
    const url = new URL(options.postgresUrl);
    url.searchParams.set("schema", `${options.schemaPrefix}_${randomBytes(6).toString("hex")}`);
    env.DATABASE_URL = url.toString();
  }
  return env;
}

/** Drops what newDataEnv made; call after every server on it is closed. */
export async function dropData(env: Record<string, string>): Promise<void> {
  if (env.DATA_DIR) await fs.rm(env.DATA_DIR, { recursive: true, force: true });
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL);
    const schema = url.searchParams.get("schema");
    url.searchParams.delete("schema");
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await client.end();
    }
  }
}

/** A free loopback port, for servers whose URL must be known before they start (OIDC redirect URIs, child processes). */
export async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as import("node:net").AddressInfo;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}
