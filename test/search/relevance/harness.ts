// Runs the relevance suite against a running registry: serves every catalogue server's
// tools from a real MCP SDK server, registers and enables the servers so the registry's
// health check discovers their tools, waits until every tool is in the search index, then
// runs each query through GraphQL `search` and turns the answers into rankings.
// Shared by the gate (relevance.test.ts) and the benchmark (bench/search-relevance.ts);
// no vitest here, because the benchmark runs as a plain Node process.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { parse, type ExecutionResult } from "graphql";
import { z } from "zod";
import type { Database } from "../../../src/db/database.ts";
import type { HealthService } from "../../../src/health/service.ts";
import { startMcpServer, type TestMcpServer, type ToolSpec } from "../../support/mcp-server.ts";
import { CATALOGUE, type CatalogueServer } from "./catalogue.ts";
import type { Outcome } from "./metrics.ts";
import { QUERIES, type RelevanceQuery } from "./queries.ts";

export type Gql = <R, V>(doc: TypedDocumentNode<R, V>, variables?: V) => Promise<ExecutionResult<R>>;

type SearchHit = { __typename: "ServerSearchHit" | "ToolSearchHit"; score: number; server: { path: string }; tool?: { name: string } };
type SearchPage = { mode: "HYBRID" | "LEXICAL_ONLY"; hits: SearchHit[] };
type SearchData = { servers: SearchPage; tools: SearchPage };

// Hand-typed until search-core's schema is merged; then a codegen-typed graphql() document.
// Servers and tools are ranked separately (each its own first 10), in one request.
const Search = parse(`
  query RelevanceSearch($query: String!) {
    servers: search(query: $query, types: [SERVER], first: 10) { ...RelevancePage }
    tools: search(query: $query, types: [TOOL], first: 10) { ...RelevancePage }
  }
  fragment RelevancePage on SearchResults {
    mode
    hits {
      __typename
      score
      ... on ServerSearchHit { server { path } }
      ... on ToolSearchHit { tool { name } server { path } }
    }
  }
`) as TypedDocumentNode<SearchData, { query: string }>;

/** A trailing "?" on a property's description marks it optional (catalogue.ts). */
function toolSpecs(server: CatalogueServer): ToolSpec[] {
  return server.tools.map(([name, description, params]) => ({
    name,
    description,
    inputSchema: Object.fromEntries(
      Object.entries(params).map(([param, text]) =>
        text.endsWith("?") ? [param, z.string().describe(text.slice(0, -1)).optional()] : [param, z.string().describe(text)],
      ),
    ),
  }));
}

export type ServedCatalogue = { urls: Map<string, string>; close(): Promise<void> };

/** One MCP SDK server per catalogue server (each lists its own tools), on loopback ports of this process. */
export async function serveCatalogue(catalogue: readonly CatalogueServer[] = CATALOGUE): Promise<ServedCatalogue> {
  const running: TestMcpServer[] = [];
  const urls = new Map<string, string>();
  try {
    await Promise.all(
      catalogue.map(async (s) => {
        const mcp = await startMcpServer({ name: s.path.slice(1), tools: toolSpecs(s) });
        running.push(mcp);
        urls.set(s.path, mcp.mcpUrl());
      }),
    );
  } catch (err) {
    await Promise.all(running.map((m) => m.close()));
    throw err;
  }
  return { urls, close: async () => void (await Promise.all(running.map((m) => m.close()))) };
}

async function inBatches<T>(items: readonly T[], width: number, each: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await each(item);
    }),
  );
}

/**
 * One document that registers and enables several servers: mutations run in order, so
 * each server is registered before it is enabled. Built at run time (codegen cannot type
 * a document of variable width); one request per batch instead of two per server keeps
 * the gate's set-up inside its time budget on a loaded two-core machine.
 */
function registerBatch(servers: readonly CatalogueServer[], urls: Map<string, string>) {
  const fields = servers.map(
    (_, i) => `r${i}: registerServer(input: $r${i}) { __typename ... on ValidationError { message } }
      e${i}: toggleServer(path: $p${i}, enabled: true) { __typename }`,
  );
  const params = servers.map((_, i) => `$r${i}: RegisterServerInput!, $p${i}: String!`);
  const doc = parse(`mutation RegisterCatalogue(${params.join(", ")}) { ${fields.join("\n")} }`) as TypedDocumentNode<
    Record<string, { __typename: string; message?: string }>,
    Record<string, unknown>
  >;
  const variables: Record<string, unknown> = {};
  servers.forEach((s, i) => {
    variables[`r${i}`] = {
      name: s.name,
      path: s.path,
      description: s.description,
      tags: [...s.tags],
      metadata: s.metadata,
      proxyPassUrl: urls.get(s.path)!,
      transport: "STREAMABLE_HTTP",
    };
    variables[`p${i}`] = s.path;
  });
  return { doc, variables };
}

/**
 * Registers and enables every catalogue server, runs one health sweep (the registry's
 * own discovery: it connects to each server and stores the tools it lists), then checks
 * that every tool is stored and every document indexed.
 */
export async function registerCatalogue(
  gql: Gql,
  app: { db: Database; health: HealthService },
  served: ServedCatalogue,
  catalogue: readonly CatalogueServer[] = CATALOGUE,
): Promise<void> {
  const batches: CatalogueServer[][] = [];
  for (let i = 0; i < catalogue.length; i += 16) batches.push(catalogue.slice(i, i + 16));
  await inBatches(batches, 2, async (batch) => {
    const { doc, variables } = registerBatch(batch, served.urls);
    const result = await gql(doc, variables);
    const failed = Object.entries(result.data ?? {}).filter(([, v]) => !/^(RegisterServer|ToggleServer)Success$/.test(v.__typename));
    if (result.errors?.length || !result.data || failed.length > 0) {
      throw new Error(`registering the catalogue failed: ${JSON.stringify(result.errors ?? failed)}`);
    }
  });
  const sweep = await app.health.scheduler.sweep();
  const unhealthy = await app.db.prisma.server.findMany({ where: { healthStatus: { not: "HEALTHY" } }, select: { path: true, healthReason: true } });
  if (sweep.servers !== catalogue.length || unhealthy.length > 0) {
    throw new Error(`the sweep checked ${sweep.servers} of ${catalogue.length} servers; not healthy: ${JSON.stringify(unhealthy)}`);
  }
  const tools = catalogue.reduce((n, s) => n + s.tools.length, 0);
  const [stored, indexed] = await Promise.all([app.db.prisma.tool.count(), indexedDocuments(app.db)]);
  if (stored !== tools || (indexed !== null && indexed !== catalogue.length + tools)) {
    throw new Error(`discovery incomplete: ${stored} of ${tools} tools stored, ${indexed} of ${catalogue.length + tools} documents indexed`);
  }
}

/** Rows in the search index (search_documents, CONTRACT-16), or null before it exists. */
async function indexedDocuments(db: Database): Promise<number | null> {
  try {
    const [row] = await db.prisma.$queryRawUnsafe<{ n: number }[]>("select count(*)::int as n from search_documents");
    return row?.n ?? 0;
  } catch {
    return null;
  }
}

export type RunResult = { outcomes: Outcome[]; modes: Set<string>; ms: number };

const toolKey = (hit: SearchHit) => `${hit.server.path}#${hit.tool?.name ?? ""}`;

/** Each query's servers and tools, the first 10 of each, a few queries at a time. */
export async function runQueries(gql: Gql, queries: readonly RelevanceQuery[] = QUERIES): Promise<RunResult> {
  const modes = new Set<string>();
  const outcomes: Outcome[] = new Array<Outcome>(queries.length);
  const started = performance.now();
  await inBatches(
    queries.map((q, i) => [q, i] as const),
    4,
    async ([q, i]) => {
      const result = await gql(Search, { query: q.text });
      if (result.errors?.length || !result.data) throw new Error(`search ${JSON.stringify(q.text)} failed: ${JSON.stringify(result.errors)}`);
      const { servers, tools } = result.data;
      modes.add(servers.mode).add(tools.mode);
      outcomes[i] = {
        text: q.text,
        category: q.category,
        servers: { ranked: servers.hits.map((h) => h.server.path), judged: new Map(Object.entries(q.servers ?? {})) },
        tools: { ranked: tools.hits.map(toolKey), judged: new Map(Object.entries(q.tools ?? {})) },
      };
    },
  );
  return { outcomes, modes, ms: Math.round(performance.now() - started) };
}

/** The queries that did worst, with what they got instead, for the printed report. */
export function misses(outcomes: readonly Outcome[], ndcg: (o: Outcome, kind: "servers" | "tools") => number, limit = 25): string[] {
  const lines: { score: number; line: string }[] = [];
  for (const o of outcomes) {
    if (o.category === "none") {
      const got = [...o.servers.ranked.slice(0, 2), ...o.tools.ranked.slice(0, 2)];
      if (got.length > 0) lines.push({ score: -1, line: `[none] "${o.text}" answered: ${got.join(", ")}` });
      continue;
    }
    for (const kind of ["servers", "tools"] as const) {
      const score = ndcg(o, kind);
      if (Number.isNaN(score) || score >= 0.5) continue;
      const wanted = [...o[kind].judged].filter(([, g]) => g >= 2).map(([id]) => id).slice(0, 3);
      lines.push({
        score,
        line: `[${o.category}] ${kind} ${score.toFixed(2)} "${o.text}": wanted ${wanted.join(", ")}; got ${o[kind].ranked.slice(0, 3).join(", ") || "nothing"}`,
      });
    }
  }
  return lines.sort((a, b) => a.score - b.score).slice(0, limit).map((l) => l.line);
}
