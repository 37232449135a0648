// `npm run audit:verify`: walks the audit log's hash chain from its anchor to its head and
// says whether every row follows from the one before (exit 0) or which row does not (exit 1).
// On the embedded database, stop the server first (one process per DATA_DIR); GraphQL's
// `auditChain` answers while it runs.
import { verifyAuditChain } from "../src/audit/log.ts";
import { ConfigError, loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/database.ts";
import { createLogger } from "../src/log.ts";

try {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" });
  const db = await openDatabase(config.database, createLogger(config.log));
  try {
    const check = await verifyAuditChain(db.prisma);
    const from = check.anchorId > 0n ? ` after the retention anchor (row ${check.anchorId})` : "";
    if (check.ok) process.stdout.write(`audit chain ok: ${check.checked} rows${from}\n`);
    else process.stdout.write(`audit chain BROKEN at row ${check.brokenAt}: ${check.reason} (${check.checked} rows before it are intact${from})\n`);
    process.exitCode = check.ok ? 0 : 1;
  } finally {
    await db.close();
  }
} catch (err) {
  process.stderr.write(`audit:verify: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exit(2);
}
