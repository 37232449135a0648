// The demo: real MCP SDK servers on loopback, registered and enabled through the
// GraphQL API, healthy with tools; a second start updates them instead of adding more;
// the notes server's tool streams progress; a deny-list on loopback is reported.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { startDemo, type RunningDemo } from "../../src/demo/register.ts";
import { graphql } from "../../src/generated/gql/index.ts";
import { createLogger } from "../../src/log.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";

const DemoServersQuery = graphql(`
  query TestDemoServers {
    servers(first: 50) {
      edges {
        node {
          path
          enabled
          health
          proxyPassUrl
          tags
          tools {
            name
          }
        }
      }
    }
  }
`);

const log = createLogger({ level: "silent" });
let app: TestApp | undefined;
const demos: RunningDemo[] = [];

afterEach(async () => {
  for (const d of demos.splice(0)) await d.close();
  await stopApp(app);
  app = undefined;
});

async function demoOn(a: TestApp): Promise<RunningDemo> {
  const demo = await startDemo({ config: a.config, graphql: a.graphql, auth: a.auth, log });
  demos.push(demo);
  return demo;
}

const rows = async (a: TestApp) => (await a.gqlOk(DemoServersQuery)).servers.edges.map((e) => e.node);

describe("the demo", () => {
  it("registers and enables three example servers that are healthy with their tools, and a second start updates them", async () => {
    // Sweeps every second: some run against the old URLs while the second start updates them.
    app = await startApp({ env: { HEALTH_CHECKS: "true", HEALTH_CHECK_INTERVAL_SECONDS: "1" } });
    const first = await demoOn(app);
    expect(first.warnings).toEqual([]);
    const listed = await rows(app);
    expect(listed.map((s) => [s.path, s.enabled, s.health, s.tags.includes("demo"), s.tools.map((t) => t.name).sort()])).toEqual([
      ["/demo-notes", true, "HEALTHY", true, ["add_note", "list_notes", "summarize_notes"]],
      ["/demo-time", true, "HEALTHY", true, ["current_time", "time_difference"]],
      ["/demo-weather", true, "HEALTHY", true, ["get_forecast", "list_cities"]],
    ]);
    expect(listed.map((s) => s.proxyPassUrl)).toEqual(
      ["/demo-notes", "/demo-time", "/demo-weather"].map((p) => first.servers.find((s) => s.spec.path === p)!.url),
    );

    // As after a restart: the old ports are gone, new ones serve the same servers.
    await first.close();
    demos.splice(0);
    const second = await demoOn(app);
    const again = await rows(app);
    expect(again.map((s) => [s.path, s.health])).toEqual([
      ["/demo-notes", "HEALTHY"],
      ["/demo-time", "HEALTHY"],
      ["/demo-weather", "HEALTHY"],
    ]);
    for (const s of again) {
      expect(s.proxyPassUrl).toBe(second.servers.find((d) => d.spec.path === s.path)!.url);
      expect(first.servers.map((d) => d.url)).not.toContain(s.proxyPassUrl);
    }
  }, 90_000);

  it("the notes server's summarize_notes streams a progress notification per note before its answer", async () => {
    app = await startApp();
    const demo = await demoOn(app);
    const notes = demo.servers.find((s) => s.spec.path === "/demo-notes")!;
    const client = new Client({ name: "demo-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(notes.url)));
    try {
      await client.callTool({ name: "add_note", arguments: { text: "buy milk" } });
      await client.callTool({ name: "add_note", arguments: { text: "call the plumber today" } });
      const progress: { progress: number; total?: number }[] = [];
      const result = await client.callTool({ name: "summarize_notes", arguments: { delayMs: 20 } }, undefined, {
        onprogress: (p) => progress.push({ progress: p.progress, total: p.total }),
      });
      expect(progress).toEqual([
        { progress: 1, total: 3 },
        { progress: 2, total: 3 },
        { progress: 3, total: 3 },
      ]);
      expect(result.content).toEqual([{ type: "text", text: "3 notes, 13 words in all." }]);
      const empty = await client.callTool({ name: "add_note", arguments: { text: "" } });
      expect(empty.isError).toBe(true); // an empty note is refused by the tool's schema
    } finally {
      await client.close();
    }
  });

  it("says so when OUTBOUND_DENY_CIDRS blocks loopback, and its servers are then unhealthy", async () => {
    app = await startApp({ env: { HEALTH_CHECKS: "true", OUTBOUND_DENY_CIDRS: "127.0.0.0/8" } });
    const demo = await demoOn(app);
    expect(demo.warnings).toEqual(["Warning: OUTBOUND_DENY_CIDRS blocks 127.0.0.1, so the health checker cannot reach the demo servers."]);
    expect((await rows(app)).map((s) => s.health)).toEqual(["UNHEALTHY", "UNHEALTHY", "UNHEALTHY"]);
  });
});
