// What `search` and the list filters match. Pure: resolvers turn a filter into a
// Prisma `where`, and the text searched is computed once, when a server is written.
import { likeEscape } from "../db/like.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { HealthState } from "../health/status.ts";

/** Lower-cased name, description, path, tags and metadata values, one per line. */
export function searchTextOf(s: {
  name: string;
  description: string;
  path: string;
  tags: readonly string[];
  metadata: unknown;
}): string {
  return [s.name, s.description, s.path, s.tags.join(" "), ...valuesOf(s.metadata)].join("\n").toLowerCase();
}

function valuesOf(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") return [value];
  if (typeof value === "number" || typeof value === "boolean") return [String(value)];
  if (Array.isArray(value)) return value.flatMap(valuesOf);
  if (typeof value === "object") return Object.values(value).flatMap(valuesOf);
  return [];
}

export type ServerFilter = {
  search?: string | null;
  tags?: readonly string[] | null;
  enabled?: boolean | null;
  health?: readonly HealthState[] | null;
};

/**
 * `indexed`: the servers the search index finds relevant to `filter.search` (src/search);
 * they match as well as those whose text contains it.
 */
export function whereOf(filter: ServerFilter | null | undefined, indexed: readonly string[] = []): Prisma.ServerWhereInput {
  if (!filter) return {};
  const and: Prisma.ServerWhereInput[] = [];
  const search = filter.search?.trim();
  // search_text is stored lower-cased by searchTextOf (the same toLowerCase), so a plain LIKE
  // finds what ILIKE would, at a third of the cost (measured on PGlite: 4 ms against 13 ms per 5,000 rows).
  if (search) {
    const substring: Prisma.ServerWhereInput = { searchText: { contains: likeEscape(search.toLowerCase()) } };
    and.push(indexed.length === 0 ? substring : { OR: [substring, { id: { in: [...indexed] } }] });
  }
  const tags = filter.tags?.map((t) => t.trim().toLowerCase()).filter((t) => t !== "");
  if (tags && tags.length > 0) and.push({ tags: { hasEvery: tags } });
  if (filter.enabled != null) and.push({ enabled: filter.enabled });
  if (filter.health && filter.health.length > 0) {
    const live = filter.health.filter((h): h is Exclude<HealthState, "DISABLED"> => h !== "DISABLED");
    const or: Prisma.ServerWhereInput[] = [];
    if (filter.health.includes("DISABLED")) or.push({ enabled: false });
    if (live.length > 0) or.push({ enabled: true, healthStatus: { in: live } });
    and.push({ OR: or });
  }
  return and.length === 0 ? {} : { AND: and };
}
