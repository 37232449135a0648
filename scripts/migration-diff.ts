// `npm run db:diff`: prints the SQL that takes the committed schema (git HEAD) to the
// working copy of prisma/schema.prisma. Save it as prisma/migrations/<NNNN_name>/migration.sql.
// (`prisma migrate diff --from-migrations` needs a shadow database, which the PGlite
// adapter cannot run multi-statement migrations in.)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const base = process.argv[2] ?? "HEAD";
const previous = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "schema-")), "schema.prisma");
fs.writeFileSync(previous, execFileSync("git", ["show", `${base}:prisma/schema.prisma`], { encoding: "utf8" }));
const sql = execFileSync(
  "npx",
  ["prisma", "migrate", "diff", "--from-schema-datamodel", previous, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
  { encoding: "utf8" },
);
process.stdout.write(sql.replace(/^Loaded Prisma config.*\n/m, ""));
