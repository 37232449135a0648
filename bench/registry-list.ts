// Registry list benchmark: the official registry API's list, GET /v0.1/servers?limit=100,
// over 20,000 servers (concurrency 16), and a full pagination walk over all of them.
// Same-run baselines: graphql-list's GraphQL first page, and a bare
// Koa route answering with the registry page's bytes.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { FIRST_PAGE_QUERY } from "./graphql-list.ts";
import { dropEnv, freshEnv, load, rssOf, seed, startProcess, startSignedIn, type Load, type Target } from "./support.ts";

export type RegistryRow = { variant: string } & Load & { rssMb?: number; peakMb?: number; bytes?: number };
export type WalkRow = { variant: string; limit: number; pages: number; servers: number; ms: number };

type Page = { servers: { server: { name: string } }[]; metadata: { count: number; nextCursor?: string } };

async function walk(base: string, headers: Record<string, string>, limit: number): Promise<Omit<WalkRow, "variant">> {
  const names = new Set<string>();
  let cursor: string | undefined;
  let pages = 0;
  const started = performance.now();
  do {
    const res = await fetch(`${base}/v0.1/servers?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { headers });
    if (res.status !== 200) throw new Error(`walk: page ${pages} answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as Page;
    for (const s of page.servers) {
      if (names.has(s.server.name)) throw new Error(`walk: ${s.server.name} seen twice`);
      names.add(s.server.name);
    }
    cursor = page.metadata.nextCursor;
    pages += 1;
  } while (cursor);
  return { limit, pages, servers: names.size, ms: Math.round(performance.now() - started) };
}

export async function registryList(
  target: Target,
  opts: { servers: number; seconds: number },
): Promise<{ rows: RegistryRow[]; walks: WalkRow[] }> {
  const env = await freshEnv(target);
  const rows: RegistryRow[] = [];
  const walks: WalkRow[] = [];
  const url = "/v0.1/servers?limit=100";
  let pageBytes: Buffer | undefined;
  try {
    const seeded = performance.now();
    await seed(env, opts.servers, 5);
    console.error(`  seeded ${opts.servers} servers in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    for (const cache of [true, false]) {
      const { server, cookie } = await startSignedIn(env, { cache });
      try {
        const headers = { cookie };
        // The walk first, on a cold cache: every page is a distinct request.
        // Without the cache, a second walk shows the steady state of a process that has warmed up.
        const limits = cache ? [100, 1000] : [100, 1000, 100];
        for (const [i, limit] of limits.entries()) {
          const w = await walk(server.url, headers, limit);
          if (w.servers !== opts.servers) throw new Error(`walk saw ${w.servers} of ${opts.servers} servers`);
          const variant = cache ? "response cache on (default), first walks after start" : i < 2 ? "response cache off, first walks after start" : "response cache off, walked again";
          walks.push({ variant, ...w });
        }
        const first = await fetch(`${server.url}${url}`, { headers });
        pageBytes = Buffer.from(await first.arrayBuffer());
        const parsed = JSON.parse(pageBytes.toString()) as Page;
        if (parsed.servers.length !== 100) throw new Error(`unexpected answer: ${pageBytes.toString().slice(0, 300)}`);
        const get = { url: `${server.url}${url}`, method: "GET" as const, headers, connections: 16 };
        await load({ ...get, seconds: 2 }); // warm-up
        const result = await load({ ...get, seconds: opts.seconds });
        rows.push({
          variant: `GET ${url}, response cache ${cache ? "on (default)" : "off"}`,
          ...result,
          ...(await rssOf(server.child.pid!)),
          bytes: pageBytes.length,
        });
        if (cache) {
          // Baseline in the same process: graphql-list's GraphQL first page.
          const gql = { url: `${server.url}/graphql`, body: JSON.stringify({ query: FIRST_PAGE_QUERY }), headers, connections: 16 };
          await load({ ...gql, seconds: 2 });
          const g = await load({ ...gql, seconds: opts.seconds });
          rows.push({ variant: "POST /graphql first page (graphql-list's query, baseline)", ...g, ...(await rssOf(server.child.pid!)) });
        }
      } finally {
        await server.stop();
      }
    }
    const bodyFile = path.join(os.tmpdir(), `bench-registry-body-${process.pid}.json`);
    await fs.writeFile(bodyFile, pageBytes!);
    const bare = await startProcess("bench/bare-server.ts", { BENCH_BODY_FILE: bodyFile });
    try {
      const get = { url: `${bare.url}${url}`, method: "GET" as const, connections: 16 };
      await load({ ...get, seconds: 2 });
      const result = await load({ ...get, seconds: opts.seconds });
      rows.push({ variant: "bare Koa route, same bytes (baseline)", ...result, ...(await rssOf(bare.child.pid!)), bytes: pageBytes!.length });
    } finally {
      await bare.stop();
      await fs.rm(bodyFile, { force: true });
    }
  } finally {
    await dropEnv(env);
  }
  return { rows, walks };
}

export function registryListMarkdown(
  result: { rows: RegistryRow[]; walks: WalkRow[] },
  opts: { servers: number; seconds: number; date: string; machine: string },
): string {
  return [
    `### Registry list (${opts.servers.toLocaleString("en")} servers, PGlite, concurrency 16, ${opts.seconds} s)`,
    "",
    `${opts.date} · ${opts.machine}`,
    "",
    "| variant | requests/s | p50 ms | p99 ms | errors | RSS MB (peak) | response bytes |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...result.rows.map(
      (r) => `| ${r.variant} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors + r.non2xx} | ${r.rssMb ?? "-"} (${r.peakMb ?? "-"}) | ${r.bytes ?? "-"} |`,
    ),
    "",
    "| full walk | limit | pages | servers | seconds |",
    "|---|---:|---:|---:|---:|",
    ...result.walks.map((w) => `| ${w.variant} | ${w.limit} | ${w.pages} | ${w.servers} | ${(w.ms / 1000).toFixed(2)} |`),
  ].join("\n");
}
