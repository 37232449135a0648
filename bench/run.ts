// `npm run bench`: runs the benchmarks and prints Markdown rows for BENCHMARKS.md.
// Settings: BENCH_SERVERS (20000), BENCH_SECONDS (10), BENCH_DATABASE_URL (a
// PostgreSQL server to measure as well; a fresh schema is made and dropped).
import fs from "node:fs/promises";
import path from "node:path";
import { graphqlList, type Row } from "./graphql-list.ts";
import { machine, ROOT, type Target } from "./support.ts";

const servers = Number(process.env.BENCH_SERVERS ?? 20_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const targets: Target[] = [{ kind: "pglite" }];
if (process.env.BENCH_DATABASE_URL) targets.push({ kind: "postgres", url: process.env.BENCH_DATABASE_URL });

const started = new Date();
console.error(`machine: ${machine()}`);
const rows: Row[] = [];
for (const target of targets) {
  console.error(`graphql-list on ${target.kind}…`);
  rows.push(...(await graphqlList(target, { servers, seconds })));
}

const lines = [
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
];
console.log(lines.join("\n"));
await fs.mkdir(path.join(ROOT, "bench/results"), { recursive: true });
await fs.writeFile(
  path.join(ROOT, "bench/results", `graphql-list-${started.toISOString().replace(/[:.]/g, "-")}.json`),
  JSON.stringify({ machine: machine(), started, servers, seconds, rows }, null, 2),
);
