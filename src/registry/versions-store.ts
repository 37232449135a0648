// Writes that keep one name's versions consistent: a lock per name, and the isLatest
// flag recomputed from the rules in latest.ts. Used by publishing, status changes and
// deleting a server row that is a published version.
import type { Prisma } from "../generated/prisma/client.ts";
import { latestOf } from "./latest.ts";

/** Serialises writes to one name (publish, status, delete) so that "latest" is decided on a stable set. */
export async function lockName(tx: Prisma.TransactionClient, name: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${name}))) AS l`;
}

export async function recomputeLatest(tx: Prisma.TransactionClient, name: string): Promise<void> {
  const rows = await tx.server.findMany({
    where: { registryName: name },
    select: { id: true, version: true, publishedAt: true, status: true, isLatest: true },
  });
  const best = latestOf(rows);
  const stale = rows.filter((r) => r.isLatest && r.id !== best?.id).map((r) => r.id);
  if (stale.length > 0) await tx.server.updateMany({ where: { id: { in: stale } }, data: { isLatest: false } });
  if (best && !best.isLatest) await tx.server.update({ where: { id: best.id }, data: { isLatest: true } });
}
