// The web UI's static files: the client TypeScript and CSS bundled by esbuild once per
// process (on first use, in memory), named by content hash so that browsers may keep
// them for a year, and compressed once rather than per request. A production build
// (`npm run build`) bundles them ahead of time beside the compiled server, so a
// production install loads those files and needs no bundler.
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

export type Asset = { file: string; type: string; etag: string; body: Buffer; gzip: Buffer; br: Buffer };

/** The entry points, by the name pages use for them. */
const ENTRIES = { "app.js": "main.ts", "theme.js": "theme.ts", "app.css": "styles.css" } as const;
export type AssetName = keyof typeof ENTRIES;

export type WebAssets = {
  /** The hashed URL of an entry, e.g. /assets/main-4KX2D7.js. */
  url(name: AssetName): string;
  get(file: string): Asset | undefined;
};

const CLIENT_DIR = fileURLToPath(new URL("./client/", import.meta.url));

let built: WebAssets | undefined;

/** Builds on first call (about 100 ms) and then answers from memory. */
export function webAssets(): WebAssets {
  built ??= build();
  return built;
}

/** Written by the production build into the client folder: the output files and which entry each one is. */
export const PREBUILT_MANIFEST = "assets.json";

export type BundledAssets = { files: { file: string; contents: Uint8Array }[]; entries: Record<string, string> };

/** Bundles the client; the production build calls it too, and writes what it returns. */
export function bundleClient(): BundledAssets {
  // Loaded only when bundling, so a production install (prebuilt files) never needs esbuild.
  const { buildSync } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  const result = buildSync({
    entryPoints: Object.values(ENTRIES).map((f) => path.join(CLIENT_DIR, f)),
    bundle: true,
    minify: true,
    format: "iife",
    target: ["chrome110", "firefox110", "safari16"],
    outdir: "/assets",
    entryNames: "[name]-[hash]",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const entries: Record<string, string> = {};
  for (const [outPath, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint) entries[path.basename(meta.entryPoint)] = path.basename(outPath);
  }
  return { files: result.outputFiles.map((out) => ({ file: path.basename(out.path), contents: out.contents })), entries };
}

function readPrebuilt(): BundledAssets | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(CLIENT_DIR, PREBUILT_MANIFEST), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined; // sources: bundle them
    throw err;
  }
  const manifest = JSON.parse(text) as { files: string[]; entries: Record<string, string> };
  const files = manifest.files.map((file) => ({ file, contents: fs.readFileSync(path.join(CLIENT_DIR, path.basename(file))) }));
  return { files, entries: manifest.entries };
}

function build(): WebAssets {
  const bundled = readPrebuilt() ?? bundleClient();
  const files = new Map<string, Asset>();
  const byEntry = new Map(Object.entries(bundled.entries));
  for (const out of bundled.files) {
    const file = out.file;
    const body = Buffer.from(out.contents);
    files.set(file, {
      file,
      type: file.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
      body,
      gzip: gzipSync(body, { level: 9 }),
      br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    });
  }
  return {
    url(name) {
      const file = byEntry.get(ENTRIES[name]);
      if (!file) throw new Error(`web asset ${name} was not built`);
      return `/assets/${file}`;
    },
    get: (file) => files.get(file),
  };
}
