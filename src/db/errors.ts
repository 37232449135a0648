// What a failed query means, whichever driver ran it (Prisma's engine or the PGlite adapter).
/**
 * True for a unique-constraint violation: Prisma's P2002, or, from the PGlite
 * adapter (which does not map errors), PostgreSQL's SQLSTATE 23505 in `cause`.
 */
export function isUniqueViolation(err: unknown): boolean {
  return hasCode(err, "P2002", "23505", "UniqueConstraintViolation");
}

/** True for "the row to change was not found": Prisma's P2025. */
export function isRecordNotFound(err: unknown): boolean {
  return hasCode(err, "P2025");
}

function hasCode(err: unknown, ...codes: string[]): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { code?: unknown; cause?: { code?: unknown; kind?: unknown } };
  return [e.code, e.cause?.code, e.cause?.kind].some((c) => typeof c === "string" && codes.includes(c));
}
