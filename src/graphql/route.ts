// Serves /graphql from Koa: hands the request to yoga and copies its answer back.
import { Readable } from "node:stream";
import type { Middleware } from "koa";
import type { AppState } from "../http/state.ts";
import { readBody } from "../http/body.ts";
import type { GraphQL } from "./yoga.ts";

export function graphqlRoute(graphql: GraphQL, bodyLimitBytes: number): Middleware<AppState> {
  return async (ctx) => {
    const hasBody = ctx.method !== "GET" && ctx.method !== "HEAD";
    const body = hasBody ? await readBody(ctx, bodyLimitBytes) : undefined;
    // yoga's own fetch implementation: a global Request would be converted again.
    const { Request, Headers } = graphql.yoga.fetchAPI;
    const headers = new Headers();
    for (const [name, value] of Object.entries(ctx.req.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    }
    const request = new Request(`http://${ctx.host || "localhost"}${ctx.originalUrl}`, {
      method: ctx.method,
      headers,
      body: body as BodyInit | undefined,
    });
    const response = await graphql.yoga.fetch(request, { log: ctx.state.log, viewer: ctx.state.viewer });
    ctx.status = response.status;
    response.headers.forEach((value, name) => {
      if (name !== "content-length") ctx.set(name, value);
    });
    const streaming = response.headers.get("content-type")?.includes("text/event-stream");
    if (streaming && response.body) {
      ctx.body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream);
    } else {
      ctx.body = Buffer.from(await response.arrayBuffer());
    }
  };
}
