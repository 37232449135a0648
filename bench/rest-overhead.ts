// REST layer benchmark (issue 5): GET /api/server_details/all with 1,000 servers and
// GET /api/tools/weather, each against the same data fetched through GraphQL directly
// (the very operations the REST handlers run, sent by the client), in the same run.
import { print } from "graphql";
import { GatewayApiServerDocument, GatewayApiServersDocument } from "../src/generated/gql/graphql.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/database.ts";
import { createLogger } from "../src/log.ts";
import { dropEnv, freshEnv, rssOf, seed, startSignedIn, unitLoad, type Load } from "./support.ts";

export type RestRow = { endpoint: string; variant: string; requestsPerUnit: number; bytes: number } & Load & { rssMb?: number; peakMb?: number };

const WEATHER_TOOLS = ["get_forecast", "get_alerts", "get_history", "get_stations", "get_radar"].map((name) => ({
  name,
  description: `${name.replace("_", " ")} for a place.\n\nArgs:\n    city (str): The city.\n    days (int): How many days.\n\nReturns:\n    dict: The data, by day.\n\nRaises:\n    ValueError: For an unknown city.`,
  inputSchema: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] },
}));

async function seedWeather(env: Record<string, string>): Promise<void> {
  const config = loadConfig(env);
  const db = await openDatabase(config.database, createLogger({ level: "warn" }));
  try {
    const server = await db.prisma.server.update({ where: { path: "/bench/s000001" }, data: { path: "/weather", name: "Weather" } });
    await db.prisma.tool.deleteMany({ where: { serverId: server.id } });
    await db.prisma.tool.createMany({ data: WEATHER_TOOLS.map((t) => ({ ...t, serverId: server.id })) });
  } finally {
    await db.close();
  }
}

export async function restOverhead(opts: { servers: number; seconds: number; cache: boolean[] }): Promise<RestRow[]> {
  const env = await freshEnv({ kind: "pglite" });
  const rows: RestRow[] = [];
  try {
    await seed(env, opts.servers, 5);
    await seedWeather(env);
    for (const cache of opts.cache) {
      const { server, cookie } = await startSignedIn(env, { cache });
      try {
        const get = async (path: string) => {
          const res = await fetch(`${server.url}${path}`, { headers: { cookie, accept: "application/json" } });
          if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
          return Buffer.byteLength(Buffer.from(await res.arrayBuffer()));
        };
        const graphql = async (query: string, variables: Record<string, unknown>) => {
          const res = await fetch(`${server.url}/graphql`, {
            method: "POST",
            headers: { cookie, "content-type": "application/json", accept: "application/json" },
            body: JSON.stringify({ query, variables }),
          });
          const text = await res.text();
          if (res.status !== 200 || text.includes('"errors"')) throw new Error(`graphql: ${res.status} ${text.slice(0, 200)}`);
          return text;
        };
        const serversQuery = print(GatewayApiServersDocument);
        const serverQuery = print(GatewayApiServerDocument);
        /** Every page, as a GraphQL client fetching all servers must. */
        const allPages = async () => {
          let after: string | null = null;
          let requests = 0;
          let bytes = 0;
          do {
            const text = await graphql(serversQuery, { after });
            requests += 1;
            bytes += Buffer.byteLength(text);
            const page = (JSON.parse(text) as { data: { servers: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } } }).data.servers.pageInfo;
            after = page.hasNextPage ? page.endCursor : null;
          } while (after !== null);
          return { requests, bytes };
        };
        const cases: { endpoint: string; variant: string; unit: () => Promise<{ requests: number; bytes: number }>; workers: number }[] = [
          { endpoint: "all servers", variant: "REST GET /api/server_details/all", unit: async () => ({ requests: 1, bytes: await get("/api/server_details/all") }), workers: 4 },
          { endpoint: "all servers", variant: "GraphQL direct: servers pages (baseline)", unit: allPages, workers: 4 },
          { endpoint: "one server's tools", variant: "REST GET /api/tools/weather", unit: async () => ({ requests: 1, bytes: await get("/api/tools/weather") }), workers: 16 },
          {
            endpoint: "one server's tools",
            variant: "GraphQL direct: server(path) (baseline)",
            unit: async () => ({ requests: 1, bytes: Buffer.byteLength(await graphql(serverQuery, { path: "/weather" })) }),
            workers: 16,
          },
        ];
        for (const c of cases) {
          const shape = await c.unit(); // also warms the cache and the JIT
          await unitLoad(async () => void (await c.unit()), { workers: c.workers, seconds: 2 });
          const result = await unitLoad(async () => void (await c.unit()), { workers: c.workers, seconds: opts.seconds });
          rows.push({
            endpoint: c.endpoint,
            variant: `${c.variant}, cache ${cache ? "on" : "off"}`,
            requestsPerUnit: shape.requests,
            bytes: shape.bytes,
            ...result,
            ...(await rssOf(server.child.pid!)),
          });
          console.error(`  ${c.variant} cache=${cache}: ${result.rps}/s p99 ${result.p99} ms`);
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    await dropEnv(env);
  }
  return rows;
}

export function restOverheadMarkdown(rows: RestRow[], servers: number, seconds: number, date: string, machine: string): string {
  const overhead = (rest: RestRow, base: RestRow | undefined) =>
    base ? `${Math.round((base.rps / rest.rps - 1) * 100)}%` : "-";
  return [
    `### REST layer vs GraphQL direct (${servers.toLocaleString("en")} servers × 5 tools, ${seconds} s per row)`,
    "",
    `${date} · ${machine}`,
    "",
    "A unit is one client fetch of the data: one REST request, or the GraphQL requests a client needs for the same data (GraphQL pages hold at most 500 servers). `REST cost` is how much more time a REST unit takes than the GraphQL unit beside it (GraphQL units/s ÷ REST units/s − 1).",
    "",
    "| data | variant | requests per unit | units/s | p50 ms | p99 ms | errors | response bytes | RSS MB (peak) | REST cost |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r, i) => {
      const isRest = r.variant.startsWith("REST");
      return `| ${r.endpoint} | ${r.variant} | ${r.requestsPerUnit} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.bytes} | ${r.rssMb ?? "-"} (${r.peakMb ?? "-"}) | ${isRest ? overhead(r, rows[i + 1]) : ""} |`;
    }),
  ].join("\n");
}
