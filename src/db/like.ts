// LIKE patterns from outside text. Storage-level, so that every capability that
// filters with Prisma's `contains` or `startsWith` escapes the same way.

/** Prisma's `contains` passes % and _ through to LIKE; a search for "%" must match only "%". */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
