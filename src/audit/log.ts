// The audit log: an append-only table written in the same transaction as each change.
// Concurrency: every append updates the one audit_head row first, which takes its row
// lock until the transaction ends, so appends from any number of replicas are serialised
// and the chain stays linear; the id and both hashes come from that same statement.
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { GENESIS_HASH, hashOf, payloadOf, tokenHintOf, type AuditFields } from "./chain.ts";

/** Who did it: an identity as the auth capability describes one (structurally). */
export type AuditActor = { subject: string; username: string; authMethod?: string | null; jti?: string | undefined };

export type AuditEntry = {
  action: string;
  outcome?: "ok" | "denied" | "error";
  serverPath?: string | null;
  tool?: string | null;
  latencyMs?: number | null;
  session?: string | null;
  /** Small facts about the change (enabled: true, status: "deprecated"); never arguments, results or secrets. */
  details?: Record<string, string | number | boolean | null>;
};

/** Anything that runs raw SQL: the client, or a transaction's client. */
type Sql = Pick<PrismaClient, "$executeRawUnsafe"> | Prisma.TransactionClient;

// Migration 0014's function: one statement under the head row's lock, planned once per session.
const APPEND = `select audit_append($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10::int, $11, $12, $13::jsonb)`;

export function auditFields(actor: AuditActor | null | undefined, entry: AuditEntry, at = new Date()): AuditFields {
  return {
    at,
    actor: actor?.subject ?? "anonymous",
    actorName: actor?.username ?? "anonymous",
    authMethod: actor?.authMethod ?? null,
    action: entry.action,
    serverPath: entry.serverPath ?? null,
    tool: entry.tool ?? null,
    outcome: entry.outcome ?? "ok",
    latencyMs: entry.latencyMs == null ? null : Math.round(entry.latencyMs),
    session: entry.session ?? null,
    tokenHint: tokenHintOf(actor?.jti),
    details: entry.details ?? {},
  };
}

/** Appends one event; call it inside the transaction that makes the change. */
export async function appendAudit(sql: Sql, actor: AuditActor | null | undefined, entry: AuditEntry): Promise<void> {
  await auditStatement(sql, actor, entry);
}

/**
 * The append as a statement not yet run, for a batch transaction
 * (`prisma.$transaction([change, auditStatement(...)])`), which saves the interactive
 * transaction's round trips when the event does not depend on the change's result.
 */
export function auditStatement(sql: Sql, actor: AuditActor | null | undefined, entry: AuditEntry, at = new Date()): Prisma.PrismaPromise<number> {
  const f = auditFields(actor, entry, at);
  return sql.$executeRawUnsafe(
    APPEND,
    payloadOf(f),
    f.at.toISOString(),
    f.actor,
    f.actorName,
    f.authMethod,
    f.action,
    f.serverPath,
    f.tool,
    f.outcome,
    f.latencyMs,
    f.session,
    f.tokenHint,
    JSON.stringify(f.details),
  );
}

/** One event of a batch: who, what, and when it happened. */
export type AuditBatchEntry = { actor: AuditActor | null | undefined; entry: AuditEntry; at: Date };

// Migration 0015's function: one statement takes the head's row lock, chains the rows (the
// rule chain.ts states), inserts them and moves the head. Outside a transaction it is a
// transaction of its own.
const APPEND_BATCH = `select audit_append_batch($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
  $8::text[], $9::text[], $10::int[], $11::text[], $12::varchar(6)[], $13::jsonb[])`;

/** Rows per statement: on the embedded database a statement is one pause of the Node thread. */
export const AUDIT_ROWS_PER_STATEMENT = 256;

/**
 * Appends many events, for writers that batch (the gateway's tools/call rows): one
 * statement per AUDIT_ROWS_PER_STATEMENT rows, each atomic and each under the head's row
 * lock, so the chain stays linear whatever runs beside it. Per row this costs an index
 * insert or four instead of a statement and a head update each. Resolves to the rows written;
 * a failed statement rejects, and the rows of the statements before it stay written.
 */
export async function appendAuditBatch(sql: Sql, batch: readonly AuditBatchEntry[]): Promise<number> {
  let written = 0;
  for (let from = 0; from < batch.length; from += AUDIT_ROWS_PER_STATEMENT) {
    const cols: unknown[][] = Array.from({ length: 13 }, () => []);
    for (const { actor, entry, at } of batch.slice(from, from + AUDIT_ROWS_PER_STATEMENT)) {
      const f = auditFields(actor, entry, at);
      const row = [payloadOf(f), f.at.toISOString(), f.actor, f.actorName, f.authMethod, f.action, f.serverPath, f.tool, f.outcome, f.latencyMs, f.session, f.tokenHint, JSON.stringify(f.details)];
      row.forEach((v, i) => cols[i]!.push(v));
    }
    await sql.$executeRawUnsafe(APPEND_BATCH, ...cols);
    written += cols[0]!.length;
  }
  return written;
}

export type ChainCheck = {
  ok: boolean;
  /** Rows checked. */
  checked: number;
  /** The last row a retention trim removed (0: none); the check starts after it. */
  anchorId: bigint;
  /** The first row that does not follow from the one before, or the head when the newest rows are gone. */
  brokenAt: bigint | null;
  reason: string | null;
};

/** Walks the chain from the anchor to the head, recomputing every hash. */
export async function verifyAuditChain(prisma: PrismaClient, batch = 1_000): Promise<ChainCheck> {
  const head = await prisma.auditHead.findUnique({ where: { id: 1 } });
  if (!head) return { ok: false, checked: 0, anchorId: 0n, brokenAt: null, reason: "the chain's head row is missing" };
  let prev = head.anchorHash;
  let lastId = head.anchorId;
  let checked = 0;
  const broken = (at: bigint, reason: string): ChainCheck => ({ ok: false, checked, anchorId: head.anchorId, brokenAt: at, reason });
  for (;;) {
    const rows = await prisma.auditEvent.findMany({ where: { id: { gt: lastId } }, orderBy: { id: "asc" }, take: batch });
    for (const row of rows) {
      if (row.prevHash !== prev) return broken(row.id, "its previous hash is not the hash of the row before it (a row was removed or changed)");
      const fields: AuditFields = { ...row, details: (row.details ?? {}) as Record<string, unknown> };
      if (hashOf(row.id, row.prevHash, payloadOf(fields)) !== row.hash) return broken(row.id, "its fields do not match its hash (the row was changed)");
      prev = row.hash;
      lastId = row.id;
      checked++;
    }
    if (rows.length < batch) break;
  }
  if (head.hash !== prev || head.seq !== lastId) return broken(head.seq, "the newest rows are missing (the head names a later row)");
  return { ok: true, checked, anchorId: head.anchorId, brokenAt: null, reason: null };
}

/**
 * Removes rows older than `days`, keeping the chain verifiable: the last removed row's id
 * and hash become the anchor the check starts from. Returns how many rows it removed.
 */
export async function trimAudit(prisma: PrismaClient, days: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  return prisma.$transaction(async (tx) => {
    // The head's lock keeps appends out while the anchor moves.
    await tx.$queryRawUnsafe("select id from audit_head where id = 1 for update");
    const last = await tx.auditEvent.findFirst({ where: { at: { lt: cutoff } }, orderBy: { id: "desc" }, select: { id: true, hash: true } });
    if (!last) return 0;
    const { count } = await tx.auditEvent.deleteMany({ where: { id: { lte: last.id } } });
    await tx.auditHead.update({ where: { id: 1 }, data: { anchorId: last.id, anchorHash: last.hash, trimmedAt: now } });
    return count;
  });
}

export { GENESIS_HASH };
