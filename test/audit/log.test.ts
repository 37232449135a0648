// The audit log: every server change leaves a row written in the change's transaction,
// naming who did it; the hash chain catches an edited, removed or truncated row; it stays
// linear with concurrent writers (on PostgreSQL: on two replicas); retention keeps it
// verifiable from the anchor.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AUDIT_ROWS_PER_STATEMENT, appendAuditBatch, trimAudit, verifyAuditChain } from "../../src/audit/log.ts";
import { onPostgres, startApp, stopApp, type TestApp } from "../support/app.ts";
import { startReplicas, type Replicas } from "../support/replicas.ts";
import { DeleteServer, RegisterServer, ToggleServer, UpdateServer } from "../support/operations.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => stopApp(app));

const events = () =>
  app.db.prisma.auditEvent.findMany({
    orderBy: { id: "asc" },
    select: { action: true, actor: true, actorName: true, authMethod: true, serverPath: true, outcome: true, tokenHint: true, details: true },
  });

describe("audit events for server changes", () => {
  beforeEach(async () => {
    await app.db.prisma.$executeRawUnsafe("delete from audit_events");
    await app.db.prisma.$executeRawUnsafe(`update audit_head set seq = 0, hash = repeat('0', 64), prev_hash = repeat('0', 64), anchor_id = 0, anchor_hash = repeat('0', 64)`);
  });

  it("register, update (a move), toggle and delete each record who did what to which server", async () => {
    await app.gqlOk(RegisterServer, { input: { name: "audit", path: "/audited", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    await app.gqlOk(UpdateServer, { path: "/audited", input: { path: "/audited-2" } });
    await app.gqlOk(ToggleServer, { path: "/audited-2", enabled: true });
    await app.gqlOk(DeleteServer, { path: "/audited-2" });
    const who = { actor: "test-admin", actorName: "test-admin", authMethod: "bearer-registry", outcome: "ok" };
    const rows = await events();
    expect(rows).toEqual([
      { ...who, action: "server.register", serverPath: "/audited", tokenHint: rows[0]!.tokenHint, details: {} },
      { ...who, action: "server.update", serverPath: "/audited-2", tokenHint: rows[0]!.tokenHint, details: { from: "/audited" } },
      { ...who, action: "server.toggle", serverPath: "/audited-2", tokenHint: rows[0]!.tokenHint, details: { enabled: true } },
      { ...who, action: "server.delete", serverPath: "/audited-2", tokenHint: rows[0]!.tokenHint, details: {} },
    ]);
    // A hint, never the token: at most 6 characters of its id.
    expect(rows[0]!.tokenHint).toMatch(/^[\w-]{1,6}$/);
    expect(app.adminToken).not.toContain(rows[0]!.tokenHint!.repeat(2));
    expect(await verifyAuditChain(app.db.prisma)).toMatchObject({ ok: true, checked: 4 });
  });

  it("a batch append (the gateway's) interleaves with single appends and keeps every field, awkward ones too", async () => {
    await app.gqlOk(RegisterServer, { input: { name: "batch", path: "/batch", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    const odd = ['quote " and \\ backslash', "{braces,} and, commas", "naïve ✓ 日本", "", "NULL"];
    const at = new Date("2026-12-02T06:00:00.123Z");
    const batch = odd.map((tool, i) => ({
      actor: { subject: `s-${tool}`, username: tool, authMethod: i % 2 ? null : "cookie", jti: i % 2 ? undefined : "abcdefghij" },
      entry: { action: "gateway.tools_call", outcome: "ok" as const, serverPath: "/batch", tool, latencyMs: i === 0 ? null : 2.6 * i, session: i === 3 ? null : `sess-${i}`, details: { result: tool, n: i, flag: i > 2 } },
      at,
    }));
    await appendAuditBatch(app.db.prisma, batch);
    await app.gqlOk(ToggleServer, { path: "/batch", enabled: true });
    await appendAuditBatch(app.db.prisma, batch.slice(0, 1));
    const rows = await app.db.prisma.auditEvent.findMany({ orderBy: { id: "asc" }, select: { id: true, at: true, actor: true, actorName: true, authMethod: true, tool: true, latencyMs: true, session: true, tokenHint: true, details: true } });
    expect(rows.map((r) => r.id)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    expect(rows.slice(1, 6)).toEqual(
      odd.map((tool, i) => ({
        id: BigInt(i + 2),
        at,
        actor: `s-${tool}`,
        actorName: tool,
        authMethod: i % 2 ? null : "cookie",
        tool,
        latencyMs: i === 0 ? null : Math.round(2.6 * i),
        session: i === 3 ? null : `sess-${i}`,
        tokenHint: i % 2 ? null : "abcdef",
        details: { result: tool, n: i, flag: i > 2 },
      })),
    );
    expect(await verifyAuditChain(app.db.prisma)).toMatchObject({ ok: true, checked: 8 });
    expect(await app.db.prisma.auditHead.findUnique({ where: { id: 1 }, select: { seq: true } })).toEqual({ seq: 8n });
  });

  it("a batch longer than one statement, written while single appends run, keeps one linear chain", async () => {
    await app.gqlOk(RegisterServer, { input: { name: "long-batch", path: "/long-batch", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    const before = (await app.db.prisma.auditHead.findUnique({ where: { id: 1 }, select: { seq: true } }))!.seq;
    const rows = AUDIT_ROWS_PER_STATEMENT * 2 + 7;
    const batch = Array.from({ length: rows }, (_, i) => ({
      actor: { subject: "batcher", username: "batcher", authMethod: "bearer-registry" },
      entry: { action: "gateway.tools_call", outcome: "ok" as const, serverPath: "/long-batch", tool: `t${i}`, latencyMs: i, session: null, details: { n: i } },
      at: new Date(),
    }));
    const [written] = await Promise.all([
      appendAuditBatch(app.db.prisma, batch),
      app.gqlOk(ToggleServer, { path: "/long-batch", enabled: false }),
      app.gqlOk(ToggleServer, { path: "/long-batch", enabled: true }),
    ]);
    expect(written).toBe(rows);
    const head = await app.db.prisma.auditHead.findUnique({ where: { id: 1 }, select: { seq: true } });
    expect(head!.seq).toBe(before + BigInt(rows) + 2n);
    const tools = await app.db.prisma.auditEvent.findMany({ where: { action: "gateway.tools_call", serverPath: "/long-batch" }, orderBy: { id: "asc" }, select: { tool: true } });
    expect(tools.map((t) => t.tool)).toEqual(batch.map((b) => b.entry.tool));
    expect(await verifyAuditChain(app.db.prisma)).toMatchObject({ ok: true, brokenAt: null });
  });

  it("a change that fails records nothing", async () => {
    const answer = await app.gqlOk(ToggleServer, { path: "/nowhere", enabled: true });
    expect(answer.toggleServer.__typename).toBe("NotFoundError");
    expect(await events()).toEqual([]);
  });

  it("the check names the first row that was edited, removed, or the head when the newest rows are gone", async () => {
    await app.gqlOk(RegisterServer, { input: { name: "chain", path: "/chain", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    for (const enabled of [true, false, true, false]) await app.gqlOk(ToggleServer, { path: "/chain", enabled });
    const ids = (await app.db.prisma.auditEvent.findMany({ orderBy: { id: "asc" }, select: { id: true } })).map((r) => r.id);
    expect(ids).toHaveLength(5);
    expect((await verifyAuditChain(app.db.prisma)).ok).toBe(true);

    await app.db.prisma.$executeRawUnsafe(`update audit_events set details = '{"enabled": false}' where id = $1`, ids[1]);
    expect(await verifyAuditChain(app.db.prisma)).toMatchObject({ ok: false, brokenAt: ids[1], reason: expect.stringMatching(/changed/) });
    await app.db.prisma.$executeRawUnsafe(`update audit_events set details = '{"enabled": true}' where id = $1`, ids[1]);
    expect((await verifyAuditChain(app.db.prisma)).ok).toBe(true);

    await app.db.prisma.$executeRawUnsafe("delete from audit_events where id = $1", ids[2]);
    expect(await verifyAuditChain(app.db.prisma)).toMatchObject({ ok: false, brokenAt: ids[3], reason: expect.stringMatching(/removed/) });

    await app.db.prisma.$executeRawUnsafe("delete from audit_events where id >= $1", ids[2]);
    expect(await verifyAuditChain(app.db.prisma)).toMatchObject({ ok: false, brokenAt: ids[4], reason: expect.stringMatching(/newest rows are missing/) });
  });

  it("trimming by retention keeps the chain verifiable from the recorded anchor", async () => {
    await app.gqlOk(RegisterServer, { input: { name: "trim", path: "/trim", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    for (const enabled of [true, false, true]) await app.gqlOk(ToggleServer, { path: "/trim", enabled });
    const rows = await app.db.prisma.auditEvent.findMany({ orderBy: { id: "asc" } });
    // The first two rows become old.
    const old = new Date(Date.now() - 100 * 86_400_000);
    await app.db.prisma.$executeRawUnsafe("update audit_events set at = $1::timestamptz where id <= $2", old.toISOString(), rows[1]!.id);
    // Ageing rewrote `at`, so those rows no longer match their hashes; the trim removes exactly them.
    expect(await trimAudit(app.db.prisma, 90)).toBe(2);
    expect(await verifyAuditChain(app.db.prisma)).toEqual({ ok: true, checked: 2, anchorId: rows[1]!.id, brokenAt: null, reason: null });
    expect(await trimAudit(app.db.prisma, 90)).toBe(0);
  });
});

describe("concurrent writers", () => {
  it("keep the chain linear: concurrent toggles on one replica", async () => {
    await app.gqlOk(RegisterServer, { input: { name: "busy", path: "/busy", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    await Promise.all(Array.from({ length: 20 }, (_, i) => app.gqlOk(ToggleServer, { path: "/busy", enabled: i % 2 === 0 })));
    expect((await verifyAuditChain(app.db.prisma)).ok).toBe(true);
  });

  describe.runIf(onPostgres)("on two replicas (PostgreSQL)", () => {
    let replicas: Replicas;
    beforeAll(async () => {
      replicas = await startReplicas();
    });
    afterAll(() => replicas.close());

    it("keep the chain linear when both write at once", async () => {
      const [a, b] = replicas.apps;
      await a.gqlOk(RegisterServer, { input: { name: "shared", path: "/shared", proxyPassUrl: "http://127.0.0.1:9/mcp" } });
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).gqlOk(ToggleServer, { path: "/shared", enabled: i % 3 === 0 })),
      );
      // Every row is in the one chain (the replicas' own start-up rows, such as their admin
      // tokens' token.generate, too), and all 31 writes to /shared are among them.
      const total = await a.db.prisma.auditEvent.count();
      expect(await verifyAuditChain(a.db.prisma)).toMatchObject({ ok: true, checked: total });
      expect(await a.db.prisma.auditEvent.count({ where: { serverPath: "/shared" } })).toBe(31);
    });
  });
});
