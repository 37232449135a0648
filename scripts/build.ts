// `npm run build`: the production build. Generates the Prisma client, Pothos types and
// GraphQL documents, compiles src/ and the operator scripts to JavaScript under dist/
// (one file per module, same layout, so paths relative to a module still resolve), and
// bundles the web client. dist/ then runs with plain `node` and production dependencies
// only: `npm ci --omit=dev && npm run start:prod` (README: "Production build").
//   --out DIR      write there instead of dist/ (the production test builds into a temporary copy)
//   --no-generate  use the generated code as it is (a test must not rewrite it under other suites)
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build, type Plugin } from "esbuild";
import { bundleClient, PREBUILT_MANIFEST } from "../src/web/assets.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values: args } = parseArgs({ options: { out: { type: "string" }, "no-generate": { type: "boolean" } } });
const DIST = path.resolve(args.out ?? path.join(ROOT, "dist"));

/** Command-line programs an operator runs in a production install (beside the server). */
const PRODUCTION_SCRIPTS = ["scripts/migrate.ts", "scripts/reset-admin-password.ts", "scripts/audit-verify.ts"];

const started = performance.now();
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);
if (!args["no-generate"]) {
  execFileSync(bin("prisma"), ["generate"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  execFileSync(bin("graphql-codegen"), ["--silent"], { cwd: ROOT, stdio: "inherit" });
}

await fs.rm(DIST, { recursive: true, force: true });

// Each module stays its own file: every import is left external, with `.ts` specifiers
// rewritten to the `.js` files this build writes beside them.
const keepImports: Plugin = {
  name: "keep-imports",
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      return { path: args.path.startsWith(".") ? args.path.replace(/\.ts$/, ".js") : args.path, external: true };
    });
  },
};
// The browser's code (src/web/client) is bundled on its own, below.
const sources = (await fs.readdir(path.join(ROOT, "src"), { recursive: true }))
  .filter((f) => f.endsWith(".ts") && !f.startsWith(path.join("web", "client") + path.sep))
  .map((f) => path.join("src", f));
await build({
  absWorkingDir: ROOT,
  entryPoints: [...sources, ...PRODUCTION_SCRIPTS],
  outbase: ".",
  outdir: DIST,
  bundle: true,
  plugins: [keepImports],
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
});

// Files modules read relative to themselves: the JSON schemas beside the validator, the
// migrations two levels above src/db, the package's version for /v0.1.
await fs.cp(path.join(ROOT, "src/registry/schemas"), path.join(DIST, "src/registry/schemas"), { recursive: true });
await fs.cp(path.join(ROOT, "prisma/migrations"), path.join(DIST, "prisma/migrations"), { recursive: true });
const pkg = JSON.parse(await fs.readFile(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
await fs.writeFile(
  path.join(DIST, "package.json"),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: "module" }, null, 2)}\n`,
);

const client = bundleClient();
const clientDir = path.join(DIST, "src/web/client");
await fs.mkdir(clientDir, { recursive: true });
for (const out of client.files) await fs.writeFile(path.join(clientDir, out.file), out.contents);
await fs.writeFile(
  path.join(clientDir, PREBUILT_MANIFEST),
  JSON.stringify({ files: client.files.map((f) => f.file), entries: client.entries }),
);

console.log(`built ${path.relative(ROOT, DIST) || DIST} (${sources.length + PRODUCTION_SCRIPTS.length} modules) in ${Math.round(performance.now() - started)} ms`);
