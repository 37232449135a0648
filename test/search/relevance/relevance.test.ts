// The relevance gate: the catalogue's servers registered through the API and their tools
// discovered from real MCP servers, every query run through GraphQL `search` with no
// embedding provider (lexical-only), and the targets enforced on the result.
import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, stopApp, type TestApp } from "../../support/app.ts";
import { misses, registerCatalogue, runQueries, serveCatalogue, type ServedCatalogue } from "./harness.ts";
import { markdownTable, missedTargets, ndcgAt, summarise } from "./metrics.ts";

// The gate runs with RELEVANCE_GATE=1 (and `npm run bench -- search-relevance` prints the same
// table). It is not in the default `npm test` yet because the ranking misses the issue's
// targets today (lexical-only tool NDCG@10 about 0.60 against 0.70, zero-hit about 17 % against
// 8 %; BENCHMARKS.md): in CI it would fail every run and hold back everything else. When the
// ranking meets them, this condition goes and CI enforces them.
const GATE = process.env.RELEVANCE_GATE === "1";

describe.runIf(GATE)("search relevance (lexical-only)", () => {
  let app: TestApp;
  let served: ServedCatalogue;

  // Set-up took 25-45 s here with a load average of 12-17 on two cores; the margin is for such load.
  beforeAll(async () => {
    served = await serveCatalogue();
    // Automatic checks stay off (startApp's default): the harness runs one sweep itself.
    app = await startApp();
    await registerCatalogue(app.gql, app, served);
  }, 180_000);

  afterAll(async () => {
    await stopApp(app);
    await served?.close();
  });

  it("meets the targets: server and tool NDCG@10 >= 0.70, MRR >= 0.75, zero-hit <= 8 %, no-answer >= 80 %", async () => {
    const { outcomes, modes, ms } = await runQueries(app.gql);
    expect([...modes]).toEqual(["LEXICAL_ONLY"]);
    const rows = summarise(outcomes);
    const worst = misses(outcomes, (o, kind) => ndcgAt(o[kind].ranked, o[kind].judged));
    const report = `${markdownTable(rows)}\n\n${outcomes.length} queries in ${ms} ms; worst:\n${worst.join("\n")}\n`;
    process.stdout.write(report);
    // For looking into a ranking change: every query's rankings as JSON.
    const dump = process.env.RELEVANCE_OUTCOMES;
    if (dump) await fs.writeFile(dump, JSON.stringify(outcomes.map((o) => ({ ...o, servers: { ...o.servers, judged: Object.fromEntries(o.servers.judged) }, tools: { ...o.tools, judged: Object.fromEntries(o.tools.judged) } })), null, 1));
    expect(missedTargets(rows.at(-1)!), report).toEqual([]);
  }, 120_000);
});
