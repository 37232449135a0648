// The Koa application: middleware in the documented order, then the routes.
import Router from "@koa/router";
import Koa from "koa";
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import { graphqlRoute } from "./graphql/route.ts";
import type { GraphQL } from "./graphql/yoga.ts";
import { errorBoundary } from "./http/error-boundary.ts";
import { requestLog } from "./http/request-log.ts";
import type { AppState } from "./http/state.ts";

export function createApp(deps: { config: Config; db: Database; graphql: GraphQL; log: Logger }): Koa<AppState> {
  const { config, db, graphql, log } = deps;
  const app = new Koa<AppState>();
  app.proxy = false;
  app.silent = true; // errors are logged by the error boundary, once

  const router = new Router<AppState>();
  router.get("/health", async (ctx) => {
    const database = (await db.ping()) ? "ok" : "unreachable";
    ctx.status = database === "ok" ? 200 : 503;
    ctx.set("Cache-Control", "no-store");
    ctx.body = { status: database === "ok" ? "ok" : "unavailable", database };
  });
  router.all("/graphql", graphqlRoute(graphql, config.bodyLimitBytes));

  app.use(requestLog(log));
  app.use(errorBoundary());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
