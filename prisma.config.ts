// Configuration for the Prisma CLI (generate, migrate diff). The running server
// never uses the CLI: it applies prisma/migrations itself (src/db/migrate.ts).
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

// The CLI reads engineType from the datasource, which needs a URL even when the
// embedded database is used; a placeholder is enough for generate. This is tooling,
// not the server, so it is the one place outside src/config.ts that touches process.env.
process.env.DATABASE_URL ||= "postgresql://placeholder@localhost/placeholder";

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  experimental: { adapter: true },
  engine: "js",
  // A throwaway in-memory database, used by `prisma migrate diff` and `migrate dev`.
  // The cast bridges driver-adapter-utils 6.10 (the adapter's pin) and 6.19; see src/db/database.ts.
  adapter: async () =>
    new PrismaPGlite(new PGlite({ extensions: { pg_trgm } })) as unknown as SqlMigrationAwareDriverAdapterFactory,
});
