// Sign-ins, sign-outs and failed sign-ins leave audit events; the password never does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../src/audit/log.ts";
import { ADMIN, startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { signInAsAdmin } from "../support/session.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => stopApp(app));

const authEvents = () =>
  app.db.prisma.auditEvent.findMany({
    where: { action: { startsWith: "auth." } },
    orderBy: { id: "asc" },
    select: { action: true, actor: true, actorName: true, authMethod: true, outcome: true, details: true },
  });

describe("audit events for signing in and out", () => {
  it("records a failed sign-in (denied, without the password), a sign-in and a sign-out", async () => {
    const failed = await fetch(`${app.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: ADMIN.username, password: "wrong-password-123" }).toString(),
      redirect: "manual",
    });
    expect(failed.status).toBe(401);
    const cookie = await signInAsAdmin(app.url);
    const out = await fetch(`${app.url}/logout`, { method: "POST", headers: { cookie, origin: app.url }, redirect: "manual" });
    expect(out.status).toBe(303);
    const local = { actor: `local:${ADMIN.username}`, actorName: ADMIN.username, authMethod: "session-local", details: {} };
    expect(await authEvents()).toEqual([
      { ...local, action: "auth.sign_in_failed", outcome: "denied" },
      { ...local, action: "auth.sign_in", outcome: "ok" },
      { ...local, action: "auth.sign_out", outcome: "ok" },
    ]);
    const rows = JSON.stringify(await app.db.prisma.auditEvent.findMany(), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    expect(rows).not.toContain("wrong-password-123");
    expect(rows).not.toContain(ADMIN.password);
    expect((await verifyAuditChain(app.db.prisma)).ok).toBe(true);
  });

  it("records a token generated, with at most 6 characters of its id", async () => {
    const before = await app.db.prisma.auditEvent.count({ where: { action: "token.generate" } });
    const token = await tokenFor(app, { subject: "carol-sub", username: "carol", groups: ["team-a"], scopes: ["list_service"] });
    const [event] = await app.db.prisma.auditEvent.findMany({ where: { action: "token.generate" }, orderBy: { id: "desc" }, take: 1 });
    expect(await app.db.prisma.auditEvent.count({ where: { action: "token.generate" } })).toBe(before + 1);
    expect(event).toMatchObject({ actor: "carol-sub", actorName: "carol", outcome: "ok" });
    const tokenId = (event!.details as { tokenId: string }).tokenId;
    expect(tokenId).toHaveLength(6);
    const [row] = await app.db.prisma.apiToken.findMany({ where: { subject: "carol-sub" } });
    expect(row!.jti.startsWith(tokenId)).toBe(true);
    expect(JSON.stringify(event, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).not.toContain(token);
  });
});
