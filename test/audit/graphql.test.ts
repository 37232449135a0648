// auditEvents and auditChain: admins read everyone's events and check the chain; anyone
// else reads only their own events and gets no chain.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../src/generated/gql/index.ts";
import { appendAudit } from "../../src/audit/log.ts";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";

const AuditEvents = graphql(`
  query TestAuditEvents($first: Int, $after: String, $filter: AuditEventFilter) {
    auditEvents(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          sequence
          actor
          actorName
          action
          serverPath
          outcome
          details
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const AuditChain = graphql(`
  query TestAuditChain {
    auditChain {
      ok
      checked
      anchor
      brokenAt
      reason
    }
  }
`);

let app: TestApp;
let aliceToken: string;
const alice = { subject: "alice-sub", username: "alice", authMethod: "session" };
const bob = { subject: "bob-sub", username: "bob", authMethod: "session" };

beforeAll(async () => {
  app = await startApp();
  aliceToken = await tokenFor(app, { subject: alice.subject, username: alice.username, groups: ["team-a"], scopes: ["list_service"] });
  // Only the events below: starting the app and issuing tokens recorded some already.
  await app.db.prisma.$executeRawUnsafe("delete from audit_events");
  await app.db.prisma.$executeRawUnsafe(`update audit_head set seq = 0, hash = repeat('0', 64), prev_hash = repeat('0', 64)`);
  for (let i = 0; i < 3; i++) {
    await appendAudit(app.db.prisma, alice, { action: "server.toggle", serverPath: "/a", details: { enabled: i % 2 === 0 } });
    await appendAudit(app.db.prisma, bob, { action: "server.delete", serverPath: "/b" });
  }
});
afterAll(() => stopApp(app));

const asAlice = () => ({ authorization: `Bearer ${aliceToken}` });

describe("auditEvents", () => {
  it("gives an admin everyone's events, newest first, in pages", async () => {
    const first = await app.gqlOk(AuditEvents, { first: 4 });
    expect(first.auditEvents.edges.map((e) => e.node.actorName)).toEqual(["bob", "alice", "bob", "alice"]);
    expect(first.auditEvents.pageInfo.hasNextPage).toBe(true);
    const rest = await app.gqlOk(AuditEvents, { first: 4, after: first.auditEvents.pageInfo.endCursor });
    expect(rest.auditEvents.edges.map((e) => e.node.actorName)).toEqual(["bob", "alice"]);
    const sequences = [...first.auditEvents.edges, ...rest.auditEvents.edges].map((e) => BigInt(e.node.sequence));
    expect(sequences).toEqual([...sequences].sort((a, b) => (a > b ? -1 : 1)));
  });

  it("filters by actor (subject or name), server and action", async () => {
    const byName = await app.gqlOk(AuditEvents, { filter: { actor: "alice" } });
    expect(byName.auditEvents.edges.map((e) => e.node.details)).toEqual([{ enabled: true }, { enabled: false }, { enabled: true }]);
    const bySubject = await app.gqlOk(AuditEvents, { filter: { actor: "bob-sub", serverPath: "/b", action: "server.delete" } });
    expect(bySubject.auditEvents.edges).toHaveLength(3);
    expect((await app.gqlOk(AuditEvents, { filter: { serverPath: "/b", action: "server.toggle" } })).auditEvents.edges).toEqual([]);
  });

  it("gives anyone else only their own events, whatever the filter asks", async () => {
    const own = await app.gql(AuditEvents, {}, asAlice());
    expect(own.errors, JSON.stringify(own.errors)).toBeUndefined();
    expect(new Set(own.data!.auditEvents.edges.map((e) => e.node.actor))).toEqual(new Set(["alice-sub"]));
    const others = await app.gql(AuditEvents, { filter: { actor: "bob" } }, asAlice());
    expect(others.data!.auditEvents.edges).toEqual([]);
  });
});

describe("auditChain", () => {
  it("checks the chain for an admin, and is null for anyone else", async () => {
    expect((await app.gqlOk(AuditChain, {})).auditChain).toEqual({ ok: true, checked: 6, anchor: "0", brokenAt: null, reason: null });
    expect((await app.gql(AuditChain, {}, asAlice())).data?.auditChain).toBeNull();
    const [row] = await app.db.prisma.auditEvent.findMany({ orderBy: { id: "asc" }, take: 1, skip: 2 });
    await app.db.prisma.auditEvent.update({ where: { id: row!.id }, data: { actorName: "mallory" } });
    expect((await app.gqlOk(AuditChain, {})).auditChain).toMatchObject({ ok: false, checked: 2, brokenAt: row!.id.toString() });
  });
});
