// startApp(): the real server on a random loopback port, with a fresh embedded
// database, or a fresh schema on the PostgreSQL server named by TEST_DATABASE_URL
// (CI runs the suite once each way).
import fs from "node:fs/promises";
import path from "node:path";
import { print, type ExecutionResult } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { inject } from "vitest";
import { loadConfig, type Config } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { PERMISSIONS } from "../../src/auth/policy.ts";
import { ADMIN, dropData, newDataEnv } from "./env.ts";

export { ADMIN, dropData, freePort } from "./env.ts";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const onPostgres = TEST_DATABASE_URL !== undefined;

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
    // TEST_EMBEDDED_DATABASE_THREAD=worker runs the suites with PGlite on a worker thread.
    ...(process.env.TEST_EMBEDDED_DATABASE_THREAD ? { EMBEDDED_DATABASE_THREAD: process.env.TEST_EMBEDDED_DATABASE_THREAD } : {}),
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
  const env = await newDataEnv({ dirPrefix: "mcp-registry-test", schemaPrefix: "t", postgresUrl: TEST_DATABASE_URL });
  if (!TEST_DATABASE_URL) await fs.cp(inject("pgliteTemplate"), path.join(env.DATA_DIR!, "pglite"), { recursive: true });
  return env;
}

export async function stopApp(app: TestApp | undefined): Promise<void> {
  if (!app) return;
  await app.close();
  await dropData(app.env);
}
