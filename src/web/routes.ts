// The web UI's routes: the pages for signed-in users (/, /servers/{path}, /tools, /search, /tokens; the
// /edit page is edit-page.ts, served by the product API's route, which reads the server
// as the caller), and the hashed static assets, which are public because the sign-in
// page may use them too.
import type Router from "@koa/router";
import type { Context } from "koa";
import { tokenFileContext } from "../auth/token-file.ts";
import type { Config } from "../config.ts";
import { HttpError } from "../http/errors.ts";
import { htmlHeaders } from "../http/page-headers.ts";
import { normalizePath } from "../servers/path.ts";
import type { AppState } from "../http/state.ts";
import { webAssets } from "./assets.ts";
import { pageShell, type PageName } from "./layout.ts";
import { activityMain, dashboardMain, searchMain, serverMain, tokensMain, toolsMain } from "./pages.ts";


export function webRoutes(
  routers: { public: Router<AppState>; signedIn: Router<AppState> },
  config: Pick<Config, "publicUrl" | "auth">,
): void {
  // Build the assets right after start-up rather than on the first page view. A failure
  // here is not fatal: the first request builds again and reports it.
  setImmediate(() => {
    try {
      webAssets();
    } catch {
      // reported by the request that needs them
    }
  });
  const tokenFile = tokenFileContext(config.publicUrl, config.auth.providers[0]);
  const { tokenMaxTtlSeconds, tokenDefaultTtlSeconds } = config.auth;
  routers.public.get("/assets/:file", (ctx) => {
    const asset = webAssets().get(ctx.params.file ?? "");
    if (!asset) throw new HttpError(404, "NOT_FOUND", `No asset ${ctx.params.file ?? ""}`);
    // The name changes with the content, so a copy never goes stale.
    ctx.set("Cache-Control", "public, max-age=31536000, immutable");
    ctx.set("ETag", asset.etag);
    ctx.set("Vary", "Accept-Encoding");
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.type = asset.type;
    if (ctx.get("if-none-match") === asset.etag) {
      ctx.status = 304;
      return;
    }
    const encoding = ctx.acceptsEncodings("br", "gzip", "identity");
    if (encoding === "br" || encoding === "gzip") {
      ctx.set("Content-Encoding", encoding);
      ctx.body = encoding === "br" ? asset.br : asset.gzip;
    } else {
      ctx.body = asset.body;
    }
  });

  // Browsers ask for it whatever the page says; pages carry their icon inline.
  routers.public.get("/favicon.ico", (ctx) => {
    ctx.set("Cache-Control", "public, max-age=86400");
    ctx.status = 204;
  });

  routers.signedIn.get("/", (ctx) => page(ctx, "dashboard", "Servers", dashboardMain()));
  // The page's data comes from GraphQL, which answers "not found" for hidden servers too.
  routers.signedIn.get("/servers/*service_path", (ctx) => {
    const path = normalizePath(String(ctx.params.service_path ?? ""));
    if (!path.ok) throw new HttpError(404, "NOT_FOUND", `No server at /${String(ctx.params.service_path ?? "")}`);
    page(ctx, "server", "Server", serverMain(), { path: path.path });
  });
  routers.signedIn.get("/tools", (ctx) => page(ctx, "tools", "Tools", toolsMain()));
  routers.signedIn.get("/search", (ctx) => page(ctx, "search", "Search", searchMain()));
  routers.signedIn.get("/activity", (ctx) => page(ctx, "activity", "Activity", activityMain()));
  routers.signedIn.get("/tokens", (ctx) =>
    page(ctx, "tokens", "Tokens", tokensMain(tokenMaxTtlSeconds, tokenDefaultTtlSeconds), tokenFile),
  );
}


function page(ctx: Context & { state: AppState }, name: PageName, title: string, main: string, data?: unknown): void {
  htmlHeaders(ctx);
  ctx.type = "html";
  ctx.body = pageShell({ title, page: name, username: ctx.state.viewer?.identity.username ?? "", main, data });
}
