// `npm run admin:reset-password`: gives the generated first-run admin (src/auth/initial-admin.ts)
// a new password and prints it. Run it with the registry's own settings (DATA_DIR or
// DATABASE_URL); on the embedded database, stop the registry first.
import { ConfigError, loadConfig } from "../src/config.ts";
import { INITIAL_ADMIN_USERNAME, resetInitialAdmin } from "../src/auth/initial-admin.ts";
import { openDatabase } from "../src/db/database.ts";
import { createLogger } from "../src/log.ts";

try {
  const config = loadConfig(process.env);
  if (config.auth.providers.length > 0 || config.auth.admin) {
    throw new ConfigError(
      "OIDC_PROVIDERS or ADMIN_USERNAME/ADMIN_PASSWORD is set, so the generated admin is not used; change those settings instead",
    );
  }
  const db = await openDatabase(config.database, createLogger({ level: "warn" }));
  try {
    const password = await resetInitialAdmin(db.prisma);
    process.stdout.write(
      `Initial admin password reset. Username: ${INITIAL_ADMIN_USERNAME}  Password: ${password}  (shown once; stored hashed in the database)\n`,
    );
  } finally {
    await db.close();
  }
} catch (err) {
  process.stderr.write(`admin:reset-password: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exit(1);
}
