/* global URL, process -- a plain Node script: it must run before anything is generated or compiled */
// npm runs this after every install. A full install generates the Prisma client, the
// Pothos types and the typed GraphQL documents, as it always has. A production install
// (`npm ci --omit=dev`) has none of the generators and needs none: `npm run build`
// compiled the generated code into dist/ (README: "Production build").
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const has = (file) => existsSync(new URL(`../${file}`, import.meta.url));

if (!has("node_modules/@graphql-codegen/cli/package.json") || !has("node_modules/prisma/package.json")) {
  if (!has("dist/src/main.js")) {
    process.stderr.write(
      "mcp-gateway-registry: production install without a build; run `npm ci && npm run build` first, then `npm ci --omit=dev`\n",
    );
  }
  process.exit(0);
}
// npm puts node_modules/.bin on the PATH of install scripts.
const run = spawnSync("prisma generate && graphql-codegen --silent", { shell: true, stdio: "inherit" });
process.exit(run.status ?? 1);
