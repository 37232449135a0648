// Serves /graphql from Koa: hands the request to yoga and copies its answer back.
import { Readable } from "node:stream";
import type { Middleware } from "koa";
import type { AppState } from "../http/state.ts";
import { readBody } from "../http/body.ts";
import { graphiqlHeaders } from "./graphiql.ts";
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
    // A client that goes away ends what it asked for (a subscription stops its source).
    const aborted = new AbortController();
    const onClose = () => aborted.abort();
    ctx.res.once("close", onClose);
    const request = new Request(`http://${ctx.host || "localhost"}${ctx.originalUrl}`, {
      method: ctx.method,
      headers,
      body: body as BodyInit | undefined,
      signal: aborted.signal,
    });
    const response = await graphql.yoga.fetch(request, { log: ctx.state.log, viewer: ctx.state.viewer });
    ctx.status = response.status;
    response.headers.forEach((value, name) => {
      if (name !== "content-length") ctx.set(name, value);
    });
    const type = response.headers.get("content-type") ?? "";
    if (type.startsWith("text/html")) graphiqlHeaders(ctx);
    if (type.includes("text/event-stream") && response.body) {
      // yoga's body is its fetch ponyfill's stream, which Readable.fromWeb does not accept;
      // its async iterator gives each event as yoga writes it.
      const events = response.body as unknown as AsyncIterable<Uint8Array>;
      ctx.set("Cache-Control", "no-cache");
      ctx.set("X-Accel-Buffering", "no"); // proxies that buffer would hold events back
      ctx.req.socket.setNoDelay(true);
      ctx.req.socket.setTimeout(0);
      const stream = Readable.from(events, { objectMode: false });
      stream.once("close", onClose);
      ctx.body = stream;
    } else {
      ctx.res.off("close", onClose);
      ctx.body = Buffer.from(await response.arrayBuffer());
    }
  };
}
