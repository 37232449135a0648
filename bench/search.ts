// Search latency: 1,000 servers and 10,000 tools (bench/search-data.ts), GraphQL `search`
// with a new text on every request at concurrency 10, against GET /health of the same
// process in the same run (the static route). PGlite, embedded, lexical-only.
import { randomUUID } from "node:crypto";
import type autocannon from "autocannon";
import { catalogue, queryOf } from "./search-data.ts";
import { dropEnv, freshEnv, insertServers, load, rssOf, startSignedIn, type Load, type SeededServer } from "./support.ts";

export const SEARCH_QUERY = `query BenchSearch($q: String!) {
  search(query: $q, first: 10) { mode totalServers totalTools hits { score matchContext matchedTerms
    ... on ServerSearchHit { server { path name } matchingTools { tool { name } } }
    ... on ToolSearchHit { tool { name description } server { path } } } }
}`;

export type SearchRow = { variant: string } & Load & { rssMb: number; peakMb: number };
export type SearchBench = { servers: number; tools: number; seconds: number; connections: number; seededMs: number; rows: SearchRow[]; ratio: number };

export async function searchBench(opts: { servers: number; toolsPerServer: number; seconds: number; connections: number; nodeArgs?: string[] }): Promise<SearchBench> {
  const env = await freshEnv({ kind: "pglite" });
  try {
    const seeded = performance.now();
    const servers: SeededServer[] = catalogue(opts.servers, opts.toolsPerServer).map((s) => ({
      server: { id: randomUUID(), name: s.name, description: s.description, path: s.path, proxyPassUrl: "http://127.0.0.1:9/mcp", tags: s.tags, metadata: s.metadata, enabled: true },
      tools: s.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema as never })),
    }));
    await insertServers(env, servers);
    const seededMs = Math.round(performance.now() - seeded);
    console.error(`  seeded ${opts.servers} servers and ${opts.servers * opts.toolsPerServer} tools in ${(seededMs / 1000).toFixed(1)} s`);
    const { server, cookie } = await startSignedIn(env, { cache: true, nodeArgs: opts.nodeArgs ?? [] });
    try {
      const headers = { cookie };
      const probe = await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query: SEARCH_QUERY, variables: { q: "create calendar event" } }),
      });
      const answer = (await probe.json()) as { data?: { search: { hits: unknown[] } }; errors?: unknown };
      if (!answer.data || answer.data.search.hits.length === 0) throw new Error(`unexpected answer: ${JSON.stringify(answer).slice(0, 300)}`);
      let n = 0;
      // A new text every request: nothing (the response cache, the plan cache) can answer from memory.
      const requests: autocannon.Request[] = [
        { method: "POST", setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: SEARCH_QUERY, variables: { q: queryOf(n++) } }) }) },
      ];
      const rows: SearchRow[] = [];
      const health = async (seconds: number) => load({ url: `${server.url}/health`, method: "GET", connections: opts.connections, seconds, fineLatency: true });
      const search = async (seconds: number) => load({ url: `${server.url}/graphql`, headers, connections: opts.connections, seconds, requests, fineLatency: true });
      await search(2); // warm-up
      await health(1);
      rows.push({ variant: `GraphQL search, distinct queries, concurrency ${opts.connections}`, ...(await search(opts.seconds)), ...(await rssOf(server.child.pid!)) });
      rows.push({ variant: "GET /health, same process (static route)", ...(await health(opts.seconds)), ...(await rssOf(server.child.pid!)) });
      const ratio = Math.round((rows[0]!.rps / Math.max(1, rows[1]!.rps)) * 1000) / 1000;
      return { servers: opts.servers, tools: opts.servers * opts.toolsPerServer, seconds: opts.seconds, connections: opts.connections, seededMs, rows, ratio };
    } finally {
      await server.stop();
    }
  } finally {
    await dropEnv(env);
  }
}

export function searchMarkdown(b: SearchBench, date: string, machine: string): string {
  const line = (r: SearchRow) =>
    `| ${r.variant} | ${r.rps} | ${r.fine?.p50 ?? r.p50} | ${r.fine?.p99 ?? r.p99} | ${r.errors + r.non2xx} | ${r.rssMb} / ${r.peakMb} |`;
  return [
    `### Search latency (${date})`,
    "",
    `${machine}. PGlite (embedded), lexical-only, ${b.servers.toLocaleString("en")} servers and ${b.tools.toLocaleString("en")} tools (seeded in ${(b.seededMs / 1000).toFixed(1)} s, documents written by the triggers), ${b.seconds} s per row at concurrency ${b.connections}, a new query text on every request.`,
    "Targets: p50 <= 20 ms, p99 <= 100 ms, throughput >= 0.10 x the static route of the same process.",
    "",
    "| variant | requests/s | p50 ms | p99 ms | errors | RSS / peak MB |",
    "|---|---|---|---|---|---|",
    ...b.rows.map(line),
    "",
    `Search throughput is ${b.ratio} x the static route.`,
  ].join("\n");
}
