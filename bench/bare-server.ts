// The baseline: a bare Koa route that answers every request with the bytes in
// BENCH_BODY_FILE, precomputed. What a GraphQL request costs beyond this is ours.
import http from "node:http";
import fs from "node:fs";
import Koa from "koa";

const body = fs.readFileSync(String(process.env.BENCH_BODY_FILE));
const app = new Koa();
app.use(async (ctx) => {
  // Drain the request like the real server does.
  for await (const _chunk of ctx.req) void _chunk;
  ctx.type = "application/json";
  ctx.body = body;
});
const port = Number(process.env.PORT ?? 0);
http.createServer(app.callback()).listen(port, "127.0.0.1", () => {
  process.stdout.write(`bare server running at http://127.0.0.1:${port}\n`);
});
