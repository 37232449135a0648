// The web UI's static files: the client TypeScript and CSS bundled by esbuild once per
// process (on first use, in memory), named by content hash so that browsers may keep
// them for a year, and compressed once rather than per request.
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { buildSync } from "esbuild";

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

function build(): WebAssets {
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
  const files = new Map<string, Asset>();
  const byEntry = new Map<string, string>();
  for (const out of result.outputFiles) {
    const file = path.basename(out.path);
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
  for (const [outPath, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint) byEntry.set(path.basename(meta.entryPoint), path.basename(outPath));
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
