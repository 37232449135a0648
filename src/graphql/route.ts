// Serves /graphql from Koa: hands the request to yoga and copies its answer back.
// Every error answer is a GraphQL response (`{"errors": [{"message", "extensions": {"code"}}]}`):
// yoga answers some refusals (405, 406, 415) with an empty or plain-text body, and
// would fail with a 500 on GET parameters that are not JSON.
import { Readable } from "node:stream";
import type { Context, Middleware } from "koa";
import type { AppState } from "../http/state.ts";
import { readBody } from "../http/body.ts";
import { graphiqlHeaders } from "./graphiql.ts";
import type { GraphQL } from "./yoga.ts";

const REFUSALS: Record<number, { code: string; message: string }> = {
  400: { code: "BAD_REQUEST", message: "Malformed GraphQL request" },
  404: { code: "NOT_FOUND", message: "Not found" },
  405: { code: "METHOD_NOT_ALLOWED", message: "Send GraphQL requests with GET or POST (mutations with POST)" },
  406: { code: "NOT_ACCEPTABLE", message: "Accept application/json or application/graphql-response+json" },
  415: { code: "UNSUPPORTED_MEDIA_TYPE", message: "Send application/json (or application/graphql+json)" },
};

export function graphqlRoute(graphql: GraphQL, bodyLimitBytes: number): Middleware<AppState> {
  return async (ctx) => {
    if (ctx.method === "GET") {
      const problem = getParameterProblem(ctx.URL.searchParams);
      if (problem) return refuse(ctx, 400, "BAD_REQUEST", problem);
    }
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
    // The router matches /GRAPHQL and /graphql/ too; yoga serves only its own spelling.
    const request = new Request(`http://${ctx.host || "localhost"}/graphql${ctx.search}`, {
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
      return;
    }
    ctx.res.off("close", onClose);
    const answer = Buffer.from(await response.arrayBuffer());
    if (response.status >= 400 && !/json/.test(type)) {
      const known = REFUSALS[response.status] ?? { code: "BAD_REQUEST", message: "Malformed GraphQL request" };
      return refuse(ctx, response.status, known.code, known.message);
    }
    ctx.body = answer;
  };
}

/** A GraphQL response with one error; JSON even for a caller that accepts nothing we send (406). */
function refuse(ctx: Context, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.remove("content-type");
  ctx.type = "application/json";
  ctx.body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
}

/** GET's `variables` and `extensions` must be JSON objects; yoga would throw on anything else. */
function getParameterProblem(params: URLSearchParams): string | undefined {
  for (const name of ["variables", "extensions"]) {
    const text = params.get(name);
    if (text === null || text === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return `The ${name} parameter is not valid JSON`;
    }
    if (value !== null && (typeof value !== "object" || Array.isArray(value))) return `The ${name} parameter must be a JSON object`;
  }
  return undefined;
}
