// Gateway tools/call rows in the audit log: through the real gateway to a real MCP SDK
// server, then read back through auditEvents; and the batching writer's queue limit and
// shutdown flush against the app's real database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../src/generated/gql/index.ts";
import { gatewayAudit } from "../../src/audit/gateway.ts";
import { verifyAuditChain } from "../../src/audit/log.ts";
import { createLogger } from "../../src/log.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { sampleTools, startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { bearer, connectClient, registerUpstream } from "../gateway/harness.ts";

const GatewayEvents = graphql(`
  query TestGatewayAuditEvents($filter: AuditEventFilter) {
    auditEvents(first: 50, filter: $filter) {
      edges {
        node {
          actor
          actorName
          authMethod
          action
          serverPath
          tool
          outcome
          latencyMs
          session
          tokenHint
          details
        }
      }
    }
  }
`);

const SECRET_ARGUMENT = "do-not-record-this-argument-0451";
let app: TestApp;
let upstream: TestMcpServer;

beforeAll(async () => {
  upstream = await startMcpServer({
    stateful: true,
    tools: [{ ...sampleTools[0]!, handler: async (args) => ({ content: [{ type: "text", text: String(args.text) }], structuredContent: { text: String(args.text) } }) }],
  });
  app = await startApp();
  await registerUpstream(app, "/audited", upstream.mcpUrl());
});
afterAll(async () => {
  await stopApp(app);
  await upstream?.close();
});

async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out waiting for the audit rows");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("gateway tools/call audit rows", () => {
  it("records who, how, where, which tool, the outcome, latency and session, and no arguments or results", async () => {
    const { client, transport } = await connectClient(app.url, "/audited", bearer(app.adminToken));
    try {
      const echoed = await client.callTool({ name: "echo", arguments: { text: SECRET_ARGUMENT } });
      expect(JSON.stringify(echoed)).toContain(SECRET_ARGUMENT);
      const nodes = await eventually(async () => {
        const r = await app.gqlOk(GatewayEvents, { filter: { action: "gateway.tools_call", serverPath: "/audited" } });
        return r.auditEvents.edges.length > 0 ? r.auditEvents.edges.map((e) => e.node) : undefined;
      });
      expect(nodes).toHaveLength(1);
      const jti = (JSON.parse(Buffer.from(app.adminToken.split(".")[1]!, "base64url").toString("utf8")) as { jti: string }).jti;
      expect(nodes[0]).toMatchObject({
        actor: "test-admin",
        actorName: "test-admin",
        authMethod: "bearer-registry",
        action: "gateway.tools_call",
        serverPath: "/audited",
        tool: "echo",
        outcome: "ok",
        session: transport.sessionId,
        tokenHint: jti.slice(0, 6),
        details: { result: "ok" },
      });
      expect(transport.sessionId).toBeTruthy();
      expect(nodes[0]!.tokenHint!.length).toBeLessThanOrEqual(6);
      expect(typeof nodes[0]!.latencyMs).toBe("number");
      const stored = await app.db.prisma.$queryRawUnsafe<{ row: string }[]>("select row_to_json(e)::text as row from audit_events e where action = 'gateway.tools_call'");
      expect(stored).toHaveLength(1);
      expect(stored[0]!.row).not.toContain(SECRET_ARGUMENT);
      expect(stored[0]!.row).not.toContain(jti);
      expect(await verifyAuditChain(app.db.prisma)).toMatchObject({ ok: true });
    } finally {
      await client.close();
    }
  });
});

describe("the batching writer", () => {
  const record = (tool: string) => ({ subject: "batch-sub", authMethod: "session", path: "/batch", tool, outcome: "ok" as const, latencyMs: 1.5, sessionId: null });
  const rowsFor = async (path: string) => app.db.prisma.auditEvent.findMany({ where: { serverPath: path }, orderBy: { id: "asc" } });

  it("drops and counts rows past its bound instead of holding them", async () => {
    const audit = gatewayAudit(app.db, createLogger(app.config.log), { maxQueue: 2, flushMs: 60_000, batchRows: 100 });
    for (const tool of ["a", "b", "c", "d", "e"]) audit.observer.toolCall(record(tool));
    expect(audit.dropped).toBe(3);
    await audit.flush();
    expect((await rowsFor("/batch")).map((r) => r.tool)).toEqual(["a", "b"]);
    await audit.close();
    expect(await verifyAuditChain(app.db.prisma)).toMatchObject({ ok: true });
  });

  it("writes what is queued when it closes, and takes nothing after", async () => {
    const audit = gatewayAudit(app.db, createLogger(app.config.log), { flushMs: 60_000 });
    audit.observer.toolCall({ ...record("last"), path: "/closing" });
    expect(await rowsFor("/closing")).toEqual([]);
    await audit.close();
    expect((await rowsFor("/closing")).map((r) => r.tool)).toEqual(["last"]);
    audit.observer.toolCall({ ...record("late"), path: "/closing" });
    await audit.flush();
    expect((await rowsFor("/closing")).map((r) => r.tool)).toEqual(["last"]);
  });
});
