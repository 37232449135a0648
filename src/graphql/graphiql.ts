// GraphiQL served entirely by this server. yoga's own page loads GraphiQL from a CDN,
// which fails offline and needs a CSP naming outside hosts; @graphql-yoga/render-graphiql
// ships the same GraphiQL (bundle, styles, editor workers) as strings, which are served
// here as hashed files under /graphql/assets/ so the page needs nothing but this origin
// and no inline script.
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import type { Context } from "koa";
import type { GraphiQLOptions } from "graphql-yoga";
import type Router from "@koa/router";
import { HttpError } from "../http/errors.ts";
import type { AppState } from "../http/state.ts";
import { pageHeaders } from "../http/page-headers.ts";

type Asset = { type: string; etag: string; body: Buffer; gzip: Buffer };
type GraphiQLFiles = { files: Map<string, Asset>; url: (name: keyof typeof NAMES) => string };

const ASSET_PATH = "/graphql/assets/";

/** The files a page needs, by the name used here. */
const NAMES = {
  js: "graphiql.js",
  css: "graphiql.css",
  favicon: "favicon.ico",
  boot: "boot.js",
  start: "start.js",
  editorWorkerService: "editor.worker.js",
  json: "json.worker.js",
  graphql: "graphql.worker.js",
} as const;

const gzip = promisify(gzipCallback);

let loading: Promise<GraphiQLFiles> | undefined;

/** The bundle is about 9 MB of source: loaded on first use, not at start-up. */
function graphiqlFiles(): Promise<GraphiQLFiles> {
  loading ??= load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

async function load(): Promise<GraphiQLFiles> {
  const g = await import("@graphql-yoga/render-graphiql/graphiql");
  const files = new Map<string, Asset>();
  const urls = new Map<string, string>();
  const add = async (name: keyof typeof NAMES, type: string, content: string | Buffer) => {
    const body = typeof content === "string" ? Buffer.from(content) : content;
    const hash = createHash("sha256").update(body).digest("base64url").slice(0, 16);
    const [stem, ...ext] = NAMES[name].split(".");
    const file = `${stem}-${hash}.${ext.join(".")}`;
    // Compressed off the event loop: about 9 MB in all.
    files.set(file, { type, etag: `"${hash}"`, body, gzip: await gzip(body) });
    urls.set(name, `${ASSET_PATH}${file}`);
  };
  const js = "text/javascript; charset=utf-8";
  await Promise.all([
    add("js", js, g.js),
    add("css", "text/css; charset=utf-8", g.css),
    add("favicon", "image/x-icon", Buffer.from(g.favicon.slice(g.favicon.indexOf(",") + 1), "base64")),
    add("editorWorkerService", js, g.editorWorkerService),
    add("json", js, g.jsonWorker),
    add("graphql", js, g.graphqlWorker),
  ]);
  // Monaco asks for its workers by label; it must know where they are before the bundle runs.
  const workers = { editorWorkerService: urls.get("editorWorkerService"), json: urls.get("json"), graphql: urls.get("graphql") };
  await add(
    "boot",
    js,
    `self.MonacoEnvironment={globalAPI:false,getWorkerUrl:function(_id,label){return ${JSON.stringify(workers)}[label]}};`,
  );
  await add(
    "start",
    js,
    `YogaGraphiQL.renderYogaGraphiQL(document.getElementById("root"),JSON.parse(document.getElementById("graphiql-options").textContent));`,
  );
  return { files, url: (name) => urls.get(name) ?? "" };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** yoga's renderGraphiQL: the page, with GraphiQL's options as inert JSON (no inline script). */
export async function renderGraphiQL(options: GraphiQLOptions): Promise<string> {
  const { url } = await graphiqlFiles();
  // In a JSON script block only "<" could end the element early.
  const json = JSON.stringify(options).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.title ?? "GraphiQL")}</title>
<link rel="icon" href="${url("favicon")}">
<link rel="stylesheet" href="${url("css")}">
</head>
<body id="body" class="no-focus-outline">
<noscript>GraphiQL needs JavaScript.</noscript>
<div id="root"></div>
<script type="application/json" id="graphiql-options">${json}</script>
<script src="${url("boot")}"></script>
<script src="${url("js")}"></script>
<script src="${url("start")}"></script>
</body>
</html>
`;
}

/**
 * The GraphiQL page's headers. Everything comes from this origin: scripts and workers are
 * files (no inline script, no eval); styles allow 'unsafe-inline' because the editor
 * (Monaco) and GraphiQL's components add <style> elements at run time.
 */
export function graphiqlHeaders(ctx: Context): void {
  pageHeaders(ctx, [
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "form-action 'self'",
  ]);
}

/** GET /graphql/assets/:file, for signed-in callers like the page itself. */
export function graphiqlAssetRoute(router: Router<AppState>): void {
  router.get(`${ASSET_PATH}:file`, async (ctx) => {
    const asset = (await graphiqlFiles()).files.get(ctx.params.file ?? "");
    if (!asset) throw new HttpError(404, "NOT_FOUND", `No GraphiQL asset ${ctx.params.file ?? ""}`);
    // The name changes with the content (a new package version), so a copy never goes stale.
    ctx.set("Cache-Control", "private, max-age=31536000, immutable");
    ctx.set("ETag", asset.etag);
    ctx.set("Vary", "Accept-Encoding");
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.type = asset.type;
    if (ctx.get("if-none-match") === asset.etag) {
      ctx.status = 304;
      return;
    }
    if (ctx.acceptsEncodings("gzip", "identity") === "gzip") {
      ctx.set("Content-Encoding", "gzip");
      ctx.body = asset.gzip;
    } else {
      ctx.body = asset.body;
    }
  });
}
