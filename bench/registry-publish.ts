// Registry publish benchmark: 1,000 POST /v0.1/publish of a typical example document
// (the official examples' remote-and-package server, a new version each time) in a row,
// one at a time, against the same number of GraphQL registerServer mutations in the same
// run as the baseline: both are one validated write with its transaction and change
// announcement. Per-request latencies (p50, p99), on `npm start` over PGlite.
import fs from "node:fs/promises";
import { dropEnv, freshEnv, rssOf, startSignedIn, ROOT, type Target } from "./support.ts";

export type PublishRow = { variant: string; count: number; p50: number; p90: number; p99: number; max: number; totalMs: number; rssMb?: number };

const EXAMPLE = `${ROOT}/test/registry/spec/examples/server-with-remote-and-package-options.server.json`;

function percentile(sorted: number[], p: number): number {
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2));
}

function rowOf(variant: string, times: number[], totalMs: number): PublishRow {
  const sorted = [...times].sort((a, b) => a - b);
  return { variant, count: times.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: percentile(sorted, 100), totalMs: Math.round(totalMs) };
}

async function timed(count: number, one: (i: number) => Promise<void>): Promise<{ times: number[]; totalMs: number }> {
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await one(i);
    times.push(performance.now() - t);
  }
  return { times, totalMs: performance.now() - started };
}

export async function registryPublish(target: Target, opts: { count: number }): Promise<PublishRow[]> {
  const env = await freshEnv(target);
  const example = JSON.parse(await fs.readFile(EXAMPLE, "utf8")) as Record<string, unknown>;
  try {
    const { server, cookie } = await startSignedIn(env, { cache: true });
    try {
      const headers = { cookie, "content-type": "application/json", "x-requested-with": "bench" };
      const publish = async (i: number) => {
        const res = await fetch(`${server.url}/v0.1/publish`, { method: "POST", headers, body: JSON.stringify({ ...example, version: `1.0.${i}` }) });
        if (res.status !== 200) throw new Error(`publish ${i}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      };
      const query = "mutation($input: RegisterServerInput!) { registerServer(input: $input) { __typename } }";
      const register = async (i: number) => {
        const input = { path: `/bench/s${i}`, name: `Server ${i}`, description: String(example.description), proxyPassUrl: `http://127.0.0.1:9/s${i}/mcp` };
        const res = await fetch(`${server.url}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables: { input } }) });
        const body = (await res.json()) as { data?: { registerServer?: { __typename: string } } };
        if (body.data?.registerServer?.__typename !== "RegisterServerSuccess") throw new Error(`register ${i}: ${JSON.stringify(body)}`);
      };
      // A short warm-up of each, on names the measured runs do not use.
      for (let i = 0; i < 20; i++) {
        await publish(100_000 + i);
        await register(100_000 + i);
      }
      const rows: PublishRow[] = [];
      const p = await timed(opts.count, publish);
      rows.push({ ...rowOf(`POST /v0.1/publish (${EXAMPLE.split("/").pop()}, a new version each)`, p.times, p.totalMs), ...(await rssOf(server.child.pid!)) });
      const g = await timed(opts.count, register);
      rows.push({ ...rowOf("POST /graphql registerServer (baseline)", g.times, g.totalMs), ...(await rssOf(server.child.pid!)) });
      return rows;
    } finally {
      await server.stop();
    }
  } finally {
    await dropEnv(env);
  }
}

export function registryPublishMarkdown(rows: PublishRow[], meta: { count: number; date: string; machine: string; database: string }): string {
  const [publish, baseline] = rows;
  return [
    `### Registry publish (${meta.count.toLocaleString("en")} in a row, one at a time, ${meta.database})`,
    "",
    `${meta.date} · ${meta.machine}`,
    "",
    "| variant | count | p50 ms | p90 ms | p99 ms | max ms | total ms | RSS MB |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.variant} | ${r.count} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} | ${r.totalMs} | ${r.rssMb ?? "-"} |`),
    "",
    publish && baseline ? `publish p50 / registerServer p50: ${(publish.p50 / baseline.p50).toFixed(2)}` : "",
  ].join("\n");
}
