// Prints the GraphQL schema built from the code to schema.graphql; with --check,
// exits 1 when the checked-in file differs (CI's schema drift check).
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { printSchema } from "graphql";
import { getSchema } from "../src/graphql/schema/index.ts";

export const SCHEMA_FILE = fileURLToPath(new URL("../schema.graphql", import.meta.url));

export function printedSchema(): string {
  return `${printSchema(getSchema())}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const printed = printedSchema();
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, "utf8") : "";
    if (current !== printed) {
      process.stderr.write("schema.graphql is out of date: run `npm run schema:print` and commit it.\n");
      process.exit(1);
    }
    process.stdout.write("schema.graphql is up to date.\n");
  } else {
    fs.writeFileSync(SCHEMA_FILE, printed);
    process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
  }
}
