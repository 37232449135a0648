// `npm run bench [-- name ...]`: runs the named benchmarks (all when none is named)
// and prints a Markdown section for each, for BENCHMARKS.md; the figures are also
// saved as JSON under bench/results/ (git-ignored).
// Benchmarks: graphql-list (the GraphQL first page), auth-viewer (the viewer query
// under bearer and cookie), health-sweep (one full sweep; BENCH_SWEEP_SERVERS, default
// 1000), rest-overhead (REST against GraphQL direct; BENCH_REST_SERVERS, default 1000),
// web-dashboard (the dashboard in Chromium; BENCH_WEB_SERVERS, default 5000),
// registry-list (GET /v0.1/servers and a full walk), gateway (tools/call and a filtered
// tools/list through the MCP gateway against direct, alternating in BENCH_GATEWAY_ROUNDS (3)
// rounds), metrics (list, identity and gateway with METRICS on vs off, interleaved, a fresh
// server pair each round; BENCH_METRICS_SERVERS (5000), BENCH_METRICS_SECONDS
// (5, per slot), BENCH_METRICS_ROUNDS (3), BENCH_METRICS_ONLY (workload names, comma-separated),
// BENCH_METRICS_FIRST (on|off: which server goes first)), registry-publish (1,000 publishes
// against 1,000 GraphQL registerServer; BENCH_PUBLISH_COUNT, default 1000), search-relevance
// (the relevance suite's per-category NDCG@10, MRR, Recall@10, zero-hit and no-answer table), search
// (GraphQL search latency with 1,000 servers and 10,000 tools against GET /health; BENCH_SEARCH_SERVERS), embedded-db
// (PGlite on the main thread against a worker thread; BENCH_EMBEDDED_SERVERS (10000),
// BENCH_EMBEDDED_SECONDS (5, per slot), BENCH_EMBEDDED_ROUNDS (2)).
// Settings: BENCH_SERVERS (20000), BENCH_SECONDS (10), BENCH_DATABASE_URL (a
// PostgreSQL server to measure as well, graphql-list only; a fresh schema is made
// and dropped), BENCH_NODE_ARGS (extra Node flags for the server process, e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof"; auth-viewer, gateway and metrics, where {metrics}
// becomes on or off), BENCH_FRESH_TOKENS=0
// (auth-viewer: skip the new-token-per-request row), BENCH_RUNTIME=tsx (gateway, metrics: run src/
// through tsx instead of the production build it builds and runs by default).
import fs from "node:fs/promises";
import path from "node:path";
import { authViewer, authViewerMarkdown } from "./auth-viewer.ts";
import { graphqlList, type Row } from "./graphql-list.ts";
import { healthSweep } from "./health-sweep.ts";
import { restOverhead, restOverheadMarkdown } from "./rest-overhead.ts";
import { webDashboard, webDashboardMarkdown } from "./web-dashboard.ts";
import { registryList, registryListMarkdown } from "./registry-list.ts";
import { gatewayBench, gatewayMarkdown } from "./gateway.ts";
import { metricsMarkdown, metricsOverhead } from "./metrics.ts";
import { registryPublish, registryPublishMarkdown } from "./registry-publish.ts";
import { searchRelevance, searchRelevanceMarkdown } from "./search-relevance.ts";
import { searchBench, searchMarkdown } from "./search.ts";
import { embeddedDb, embeddedDbMarkdown } from "./embedded-db.ts";
import { machine, ROOT, type Target } from "./support.ts";

const servers = Number(process.env.BENCH_SERVERS ?? 20_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);

type Outcome = { markdown: string; data: unknown };

const benchmarks: Record<string, (started: Date) => Promise<Outcome>> = {
  "rest-overhead": async (started) => {
    const count = Number(process.env.BENCH_REST_SERVERS ?? 1_000);
    console.error(`rest-overhead on pglite (${count} servers)…`);
    const rows = await restOverhead({ servers: count, seconds, cache: [true, false] });
    return { markdown: restOverheadMarkdown(rows, count, seconds, started.toISOString().slice(0, 10), machine()), data: { count, seconds, rows } };
  },
  "graphql-list": async (started) => {
    const targets: Target[] = [{ kind: "pglite" }];
    if (process.env.BENCH_DATABASE_URL) targets.push({ kind: "postgres", url: process.env.BENCH_DATABASE_URL });
    const rows: Row[] = [];
    for (const target of targets) {
      console.error(`graphql-list on ${target.kind}…`);
      rows.push(...(await graphqlList(target, { servers, seconds })));
    }
    const markdown = [
      `### GraphQL first page (${servers.toLocaleString("en")} servers × 5 tools, first 100 with tags and tool names, concurrency 16, ${seconds} s)`,
      "",
      `${started.toISOString().slice(0, 10)} · ${machine()}`,
      "",
      "| database | variant | requests/s | p50 ms | p99 ms | errors | RSS MB (peak) | response bytes |",
      "|---|---|---:|---:|---:|---:|---:|---:|",
      ...rows.map(
        (r) =>
          `| ${r.database} | ${r.variant} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors + r.non2xx} | ${r.rssMb ?? "-"} (${r.peakMb ?? "-"}) | ${r.bytes ?? "-"} |`,
      ),
    ].join("\n");
    return { markdown, data: { servers, seconds, rows } };
  },
  "health-sweep": async (started) => {
    const count = Number(process.env.BENCH_SWEEP_SERVERS ?? 1_000);
    const hangTimeoutMs = Number(process.env.BENCH_SWEEP_TIMEOUT_MS ?? 2_000);
    console.error(`health-sweep on pglite (${count} servers)…`);
    const rows = await healthSweep({ kind: "pglite" }, { servers: count, concurrency: 100, hangTimeoutMs });
    const markdown = [
      `### Health sweep (${count.toLocaleString("en")} servers on 4 MCP SDK server processes, concurrency 100)`,
      "",
      `${started.toISOString().slice(0, 10)} · ${machine()}`,
      "",
      "| database | upstreams | timeout ms | sweep s | CPU s | avg cores | healthy | unhealthy | expected s |",
      "|---|---|---:|---:|---:|---:|---:|---:|---:|",
      ...rows.map(
        (r) =>
          `| ${r.database} | ${r.variant} | ${r.timeoutMs} | ${(r.sweepMs / 1000).toFixed(1)} | ${(r.cpuMs / 1000).toFixed(1)} | ${r.cores} | ${r.healthy} | ${r.unhealthy} | ${r.expectedMs ? (r.expectedMs / 1000).toFixed(1) : "-"} |`,
      ),
    ].join("\n");
    return { markdown, data: { count, hangTimeoutMs, rows } };
  },
  "web-dashboard": async (started) => {
    const count = Number(process.env.BENCH_WEB_SERVERS ?? 5_000);
    console.error(`web-dashboard on pglite (${count} servers)…`);
    const result = await webDashboard({ servers: count });
    return { markdown: webDashboardMarkdown(result, started.toISOString().slice(0, 10), machine()), data: result };
    },
  "registry-list": async (started) => {
    console.error("registry-list on pglite…");
    const result = await registryList({ kind: "pglite" }, { servers, seconds });
    const markdown = registryListMarkdown(result, { servers, seconds, date: started.toISOString().slice(0, 10), machine: machine() });
    return { markdown, data: { servers, seconds, ...result } };
  },
  gateway: async (started) => {
    console.error("gateway on pglite…");
    const result = await gatewayBench({
      seconds,
      rounds: Number(process.env.BENCH_GATEWAY_ROUNDS ?? 3),
      nodeArgs: process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [],
      runtime: process.env.BENCH_RUNTIME === "tsx" ? "tsx" : "production",
    });
    return { markdown: gatewayMarkdown(result, started.toISOString().slice(0, 10), machine()), data: result };
  },
  "registry-publish": async (started) => {
    const count = Number(process.env.BENCH_PUBLISH_COUNT ?? 1_000);
    console.error(`registry-publish on pglite (${count} of each)…`);
    const rows = await registryPublish({ kind: "pglite" }, { count });
    const markdown = registryPublishMarkdown(rows, { count, date: started.toISOString().slice(0, 10), machine: machine(), database: "PGlite" });
    return { markdown, data: { count, rows } };
  },
  "search-relevance": async (started) => {
    console.error("search-relevance on pglite…");
    const runs = await searchRelevance();
    return { markdown: searchRelevanceMarkdown(runs, started.toISOString().slice(0, 10), machine()), data: { runs } };
  },
  search: async (started) => {
    const opts = { servers: Number(process.env.BENCH_SEARCH_SERVERS ?? 1_000), toolsPerServer: 10, seconds, connections: 10, nodeArgs: process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [] };
    console.error(`search on pglite (${opts.servers} servers, ${opts.servers * opts.toolsPerServer} tools)…`);
    const result = await searchBench(opts);
    return { markdown: searchMarkdown(result, started.toISOString().slice(0, 10), machine()), data: result };
  },
  "embedded-db": async (started) => {
    const opts = {
      servers: Number(process.env.BENCH_EMBEDDED_SERVERS ?? 10_000),
      seconds: Number(process.env.BENCH_EMBEDDED_SECONDS ?? 5),
      rounds: Number(process.env.BENCH_EMBEDDED_ROUNDS ?? 2),
    };
    console.error(`embedded-db: main thread vs worker thread (${opts.servers} servers)…`);
    const rows = await embeddedDb(opts);
    const markdown = embeddedDbMarkdown(rows, { ...opts, date: started.toISOString().slice(0, 10), machine: machine() });
    return { markdown, data: { ...opts, rows } };
  },
  "auth-viewer": async (started) => {
    console.error("auth-viewer on pglite…");
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
    const rows = await authViewer({ seconds, nodeArgs, freshTokens: process.env.BENCH_FRESH_TOKENS !== "0" });
    return {
      markdown: authViewerMarkdown(rows, seconds, started.toISOString().slice(0, 10), machine()),
      data: { seconds, nodeArgs, rows },
    };
  },
  metrics: async (started) => {
    const opts = {
      servers: Number(process.env.BENCH_METRICS_SERVERS ?? 5_000),
      seconds: Number(process.env.BENCH_METRICS_SECONDS ?? 5),
      rounds: Number(process.env.BENCH_METRICS_ROUNDS ?? 3),
    };
    console.error(`metrics on vs off on pglite (${opts.servers} servers)…`);
    const only = process.env.BENCH_METRICS_ONLY?.split(",").map((w) => w.trim()).filter(Boolean);
    const first = process.env.BENCH_METRICS_FIRST === "off" ? "off" : "on";
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
    const runtime = process.env.BENCH_RUNTIME === "tsx" ? "tsx" : "production";
    const rows = await metricsOverhead({ ...opts, gateway: true, only, first, nodeArgs, runtime });
    return { markdown: metricsMarkdown(rows, { ...opts, runtime }, started.toISOString().slice(0, 10), machine()), data: { ...opts, runtime, rows } };
  },
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in benchmarks));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}`);
  process.exit(2);
}

console.error(`machine: ${machine()}`);
await fs.mkdir(path.join(ROOT, "bench/results"), { recursive: true });
const sections: string[] = [];
for (const name of names.length > 0 ? names : Object.keys(benchmarks)) {
  const started = new Date();
  const { markdown, data } = await benchmarks[name]!(started);
  sections.push(markdown);
  await fs.writeFile(
    path.join(ROOT, "bench/results", `${name}-${started.toISOString().replace(/[:.]/g, "-")}.json`),
    JSON.stringify({ benchmark: name, machine: machine(), started, ...(data as object) }, null, 2),
  );
}
console.log(sections.join("\n\n"));
