// startApp(): the real server on a random loopback port, with a fresh embedded
// database, or a fresh schema on the PostgreSQL server named by TEST_DATABASE_URL
// (CI runs the suite once each way).
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { print, type ExecutionResult } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import pg from "pg";
import { inject } from "vitest";
import { loadConfig, type Config } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { PERMISSIONS } from "../../src/auth/policy.ts";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const onPostgres = TEST_DATABASE_URL !== undefined;

export const ADMIN = { username: "admin", password: "test-admin-password" };

export type TestApp = RunningServer & {
  config: Config;
  /** A registry token with every permission (admin group, all scopes). */
  adminToken: string;
  dataDir: string;
  /** Settings that start another server on the same data (a restart, or a second replica). */
  env: Record<string, string>;
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables?: V, headers?: Record<string, string>): Promise<ExecutionResult<R>>;
  /** Like gql, but fails the test on any GraphQL error. */
  gqlOk<R, V>(doc: TypedDocumentNode<R, V>, variables?: V): Promise<R>;
};

export type StartOptions = {
  env?: Record<string, string>;
  /** Reuse another app's data (restart / replica tests). */
  sameDataAs?: TestApp;
};

export async function startApp(options: StartOptions = {}): Promise<TestApp> {
  const base = options.sameDataAs?.env ?? (await freshDataEnv());
  const env: Record<string, string> = {
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    // Suites that test health checks turn them on; the others must not contact anything.
    HEALTH_CHECKS: "false",
    // Suites make many calls as one identity; the rate-limit suite sets its own limits.
    RATE_LIMIT_PER_MINUTE: "1000000",
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: "1000000",
    ...base,
    ...options.env,
  };
  const config = loadConfig(env);
  const running = await startServer(config, createLogger(config.log));
  const adminToken = await tokenFor(running, {
    subject: "test-admin",
    username: "test-admin",
    groups: [config.auth.adminGroup],
    scopes: [...PERMISSIONS, "admin"],
  });
  const gql = async <R, V>(doc: TypedDocumentNode<R, V>, variables?: V, headers: Record<string, string> = {}) => {
    const res = await fetch(`${running.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        authorization: `Bearer ${adminToken}`,
        ...headers,
      },
      body: JSON.stringify({ query: print(doc), variables }),
    });
    return (await res.json()) as ExecutionResult<R>;
  };
  return {
    ...running,
    config,
    adminToken,
    dataDir: env.DATA_DIR ?? "",
    env: base,
    gql,
    async gqlOk<R, V>(doc: TypedDocumentNode<R, V>, variables?: V) {
      const result = await gql(doc, variables);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data as R;
    },
  };
}

/** Issues a registry token in-process, as the token service would for this identity. */
export async function tokenFor(
  app: RunningServer,
  who: { subject: string; username: string; groups: string[]; scopes: string[]; ttlSeconds?: number },
): Promise<string> {
  const { token } = await app.auth.tokens.issue({
    identity: { ...who, authMethod: "bearer-registry" },
    scopes: who.scopes,
    ttlSeconds: who.ttlSeconds ?? 3600,
    description: "test",
  });
  return token;
}

/** A new data directory, and on PostgreSQL a new schema nobody else uses. */
export async function freshDataEnv(): Promise<Record<string, string>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mcp-registry-test-"));
  const env: Record<string, string> = { DATA_DIR: dataDir };
  if (TEST_DATABASE_URL) {
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set("schema", `t_${randomBytes(6).toString("hex")}`);
    env.DATABASE_URL = url.toString();
  } else {
    await fs.cp(inject("pgliteTemplate"), path.join(dataDir, "pglite"), { recursive: true });
  }
  return env;
}

/** Drops what freshDataEnv made; call after every app on it is closed. */
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

export async function stopApp(app: TestApp | undefined): Promise<void> {
  if (!app) return;
  await app.close();
  await dropData(app.env);
}

/** A free loopback port, for tests that must know the server's URL before it starts (OIDC redirect URIs). */
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
