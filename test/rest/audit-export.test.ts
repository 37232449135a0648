// GET /api/audit: the audit log as JSON lines, through the auditEvents operation, with
// its visibility (admins everyone's, others their own), its filters, and clean 400s.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "../../src/audit/log.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";

let app: TestApp;
let aliceToken: string;
const alice = { subject: "alice-sub", username: "alice", authMethod: "bearer-registry" };
const bob = { subject: "bob-sub", username: "bob", authMethod: "session-oidc" };

beforeAll(async () => {
  app = await startApp();
  aliceToken = await tokenFor(app, { subject: alice.subject, username: alice.username, groups: ["team-a"], scopes: ["list_service"] });
  // 1,203 of bob's rows: more than two of the export's pages.
  for (let i = 0; i < 1203; i++) await appendAudit(app.db.prisma, bob, { action: "server.toggle", serverPath: "/b", details: { n: i } });
  await appendAudit(app.db.prisma, alice, { action: "server.delete", serverPath: "/a" });
});
afterAll(() => stopApp(app));

async function exportOf(query: string, token = app.adminToken): Promise<{ status: number; type: string | null; lines: Record<string, unknown>[]; text: string }> {
  const res = await fetch(`${app.url}/api/audit${query}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  const lines = res.ok ? text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { status: res.status, type: res.headers.get("content-type"), lines, text };
}

describe("GET /api/audit", () => {
  it("exports every row an admin may see, newest first, across pages, one JSON object a line", async () => {
    const all = await exportOf("");
    expect(all.status).toBe(200);
    expect(all.type).toMatch(/^application\/x-ndjson/);
    const total = await app.db.prisma.auditEvent.count();
    expect(all.lines).toHaveLength(total);
    const sequences = all.lines.map((l) => BigInt(l.sequence as string));
    expect(sequences).toEqual([...sequences].sort((a, b) => (a > b ? -1 : 1)));
    expect(all.lines[0]).toEqual({
      sequence: expect.stringMatching(/^\d+$/),
      at: expect.any(String),
      actor: "alice-sub",
      actor_name: "alice",
      auth_method: "bearer-registry",
      action: "server.delete",
      server_path: "/a",
      tool: null,
      outcome: "ok",
      latency_ms: null,
      session: null,
      token_hint: null,
      details: {},
    });
  });

  it("filters by actor, server, action and since, and stops at limit", async () => {
    expect((await exportOf("?actor=bob&server=/b&action=server.toggle")).lines).toHaveLength(1203);
    expect((await exportOf("?actor=alice-sub")).lines.map((l) => l.action)).toEqual(["server.delete", "token.generate"]);
    expect((await exportOf("?server=/nowhere")).lines).toEqual([]);
    expect((await exportOf(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).lines).toEqual([]);
    expect((await exportOf("?since=2000-01-01&actor=bob")).lines).toHaveLength(1203);
    const limited = await exportOf("?actor=bob&limit=501");
    expect(limited.lines).toHaveLength(501);
    expect(limited.lines[0]!.details).toEqual({ n: 1202 });
  });

  it("gives anyone else only their own rows, whatever they ask for", async () => {
    const own = await exportOf("", aliceToken);
    expect(own.status).toBe(200);
    expect(new Set(own.lines.map((l) => l.actor))).toEqual(new Set(["alice-sub"]));
    expect((await exportOf("?actor=bob", aliceToken)).lines).toEqual([]);
  });

  it("refuses bad parameters with a 400 in the error shape, and strangers with a 401", async () => {
    for (const q of ["?since=yesterday", "?since=2026-13-45T99:00:00Z", "?limit=0", "?limit=100001", "?limit=1e3", "?actor=a%00b", `?actor=${"a".repeat(257)}`, "?actor=", "?actor=a&actor=b", "?who=me"]) {
      const r = await exportOf(q);
      expect(r.status, q).toBe(400);
      expect(JSON.parse(r.text), q).toEqual({ error: { code: q.includes("%00") ? "BAD_REQUEST" : "VALIDATION_ERROR", message: expect.any(String) } });
    }
    const anonymous = await fetch(`${app.url}/api/audit`, { headers: { accept: "application/json" } });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBeTruthy();
  });
});
