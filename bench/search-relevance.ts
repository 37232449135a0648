// Search relevance benchmark: the relevance suite (test/search/relevance/) run once on a
// fresh embedded database: 124 catalogue servers served by MCP SDK servers in this
// process, discovered by the registry's own health sweep, 120 graded queries through
// GraphQL `search`. Prints the per-category NDCG@10, MRR, Recall@10, zero-hit and
// no-answer table, lexical-only (no embedding provider configured).
import { print, type ExecutionResult } from "graphql";
import { loadConfig } from "../src/config.ts";
import { PERMISSIONS } from "../src/auth/policy.ts";
import { createLogger } from "../src/log.ts";
import { startServer } from "../src/server.ts";
import { ADMIN, dropData, newDataEnv } from "../test/support/env.ts";
import { registerCatalogue, runQueries, serveCatalogue, type Gql } from "../test/search/relevance/harness.ts";
import { markdownTable, missedTargets, summarise, type Row } from "../test/search/relevance/metrics.ts";
import { CATALOGUE } from "../test/search/relevance/catalogue.ts";
import { QUERIES } from "../test/search/relevance/queries.ts";

export type RelevanceRun = { variant: string; mode: string; rows: Row[]; searchMs: number; setupMs: number; missed: string[] };

async function runOnce(variant: string, extraEnv: Record<string, string>): Promise<RelevanceRun> {
  const started = performance.now();
  const served = await serveCatalogue();
  const data = await newDataEnv({ dirPrefix: "mcp-registry-bench", schemaPrefix: "bench" });
  try {
    const config = loadConfig({
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "warn",
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      HEALTH_CHECKS: "false", // the harness runs the one sweep that discovers the tools
      RATE_LIMIT_PER_MINUTE: "1000000",
      ...data,
      ...extraEnv,
    });
    const app = await startServer(config, createLogger(config.log));
    try {
      const { token } = await app.auth.tokens.issue({
        identity: { subject: "bench-admin", username: "bench-admin", groups: [config.auth.adminGroup], scopes: [...PERMISSIONS, "admin"], authMethod: "bearer-registry" },
        scopes: [...PERMISSIONS, "admin"],
        ttlSeconds: 3600,
        description: "search-relevance bench",
      });
      const gql: Gql = async (doc, variables) => {
        const res = await fetch(`${app.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: print(doc), variables }),
        });
        return (await res.json()) as ExecutionResult<never>;
      };
      await registerCatalogue(gql, app, served);
      const setupMs = Math.round(performance.now() - started);
      const { outcomes, modes, ms } = await runQueries(gql);
      const rows = summarise(outcomes);
      return { variant, mode: [...modes].join(", "), rows, searchMs: ms, setupMs, missed: missedTargets(rows.at(-1)!) };
    } finally {
      await app.close();
    }
  } finally {
    await served.close();
    await dropData(data);
  }
}

export async function searchRelevance(): Promise<RelevanceRun[]> {
  return [await runOnce("lexical-only (no embedding provider)", {})];
}

export function searchRelevanceMarkdown(runs: readonly RelevanceRun[], date: string, machine: string): string {
  const tools = CATALOGUE.reduce((n, s) => n + s.tools.length, 0);
  const sections = [
    `### Search relevance (${CATALOGUE.length} servers, ${tools} tools discovered from MCP SDK servers, ${QUERIES.length} graded queries, PGlite)`,
    "",
    `${date} · ${machine}`,
    "",
    "Targets (lexical-only, the **all** row): server and tool NDCG@10 ≥ 0.70, MRR ≥ 0.75, zero-hit on answerable queries ≤ 8 %, no-answer queries with no hits ≥ 80 %.",
  ];
  for (const run of runs) {
    sections.push(
      "",
      `#### ${run.variant} — mode ${run.mode}; set-up ${(run.setupMs / 1000).toFixed(1)} s, ${QUERIES.length * 2} searches in ${(run.searchMs / 1000).toFixed(1)} s`,
      "",
      markdownTable(run.rows),
      "",
      run.missed.length === 0 ? "Every target met." : `Missed: ${run.missed.join("; ")}.`,
    );
  }
  return sections.join("\n");
}
