// Runs once before the suite: builds a migrated embedded database that every
// test app copies, instead of paying PGlite's initdb (seconds) per app.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createLogger } from "../../src/log.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mcp-registry-template-"));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "silent" });
  const db = await openDatabase(config.database, createLogger(config.log));
  await db.close();
  project.provide("pgliteTemplate", path.join(dataDir, "pglite"));
  return () => fs.rm(dataDir, { recursive: true, force: true });
}
