// `npm run db:migrate`: applies pending migrations to the configured database
// without starting the server (the server also applies them when it starts).
import { ConfigError, loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/database.ts";
import { createLogger } from "../src/log.ts";

try {
  const config = loadConfig(process.env);
  const log = createLogger(config.log);
  const db = await openDatabase(config.database, log);
  await db.close();
  process.stdout.write(`migrations are up to date (${config.database.kind})\n`);
} catch (err) {
  process.stderr.write(`db:migrate: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exit(1);
}
