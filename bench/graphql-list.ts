// GraphQL list benchmark: 20,000 servers with 5 tools each; the first page of 100
// servers with tags and tool names through GraphQL, at concurrency 16, compared
// with a bare Koa route returning the same bytes, in the same run.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { dropEnv, freshEnv, load, rssOf, seed, startProcess, startSignedIn, type Load, type Target } from "./support.ts";

export const FIRST_PAGE_QUERY = `query BenchFirstPage {
  servers(first: 100) { edges { node { path name tags tools { name } } } }
}`;

export type Row = { database: string; variant: string } & Load & { rssMb?: number; peakMb?: number; bytes?: number };

export async function graphqlList(target: Target, opts: { servers: number; seconds: number }): Promise<Row[]> {
  const env = await freshEnv(target);
  const rows: Row[] = [];
  const database = target.kind === "pglite" ? "PGlite (embedded)" : "PostgreSQL 15";
  try {
    const seeded = performance.now();
    await seed(env, opts.servers, 5);
    console.error(`  seeded ${opts.servers} servers in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    const body = JSON.stringify({ query: FIRST_PAGE_QUERY });
    let responseBytes: Buffer | undefined;
    for (const cache of [true, false]) {
      const { server, cookie } = await startSignedIn(env, { cache });
      try {
        const headers = { cookie };
        const first = await fetch(`${server.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
        responseBytes = Buffer.from(await first.arrayBuffer());
        const parsed = JSON.parse(responseBytes.toString()) as { data?: { servers: { edges: unknown[] } } };
        if (parsed.data?.servers.edges.length !== 100) throw new Error(`unexpected answer: ${responseBytes.toString().slice(0, 300)}`);
        await load({ url: `${server.url}/graphql`, body, headers, connections: 16, seconds: 2 }); // warm-up
        const result = await load({ url: `${server.url}/graphql`, body, headers, connections: 16, seconds: opts.seconds });
        rows.push({
          database,
          variant: cache ? "GraphQL, response cache on (default)" : "GraphQL, response cache off",
          ...result,
          ...(await rssOf(server.child.pid!)),
          bytes: responseBytes.length,
        });
      } finally {
        await server.stop();
      }
    }
    const bodyFile = path.join(os.tmpdir(), `bench-body-${process.pid}.json`);
    await fs.writeFile(bodyFile, responseBytes!);
    const bare = await startProcess("bench/bare-server.ts", { BENCH_BODY_FILE: bodyFile });
    try {
      await load({ url: `${bare.url}/graphql`, body, connections: 16, seconds: 2 });
      const result = await load({ url: `${bare.url}/graphql`, body, connections: 16, seconds: opts.seconds });
      rows.push({ database, variant: "bare Koa route, same bytes (baseline)", ...result, ...(await rssOf(bare.child.pid!)), bytes: responseBytes!.length });
    } finally {
      await bare.stop();
      await fs.rm(bodyFile, { force: true });
    }
  } finally {
    await dropEnv(env);
  }
  return rows;
}
