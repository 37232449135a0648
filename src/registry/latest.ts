// Which version of a server is "latest", by the official registry's rules: a semantic
// version beats a non-semantic one; between semantic versions the higher wins, and of two
// with equal precedence (they differ in build metadata only, `1.0.0+b1` and `1.0.0+b2`)
// the one published first stays; between non-semantic versions the later one wins.
import semver from "semver";
import { versionIssues } from "./semantic.ts";

export type VersionRow = { version: string; publishedAt: Date; status: string };

/** A version string semver parses as written (a leading `v` makes it non-semantic, as in the official registry). */
export function isSemver(version: string): boolean {
  return /^\d/.test(version) && semver.valid(version) !== null;
}

/** Positive when a is later than b. */
export function compareVersions(a: Omit<VersionRow, "status">, b: Omit<VersionRow, "status">): number {
  const as = isSemver(a.version);
  const bs = isSemver(b.version);
  if (as && !bs) return 1;
  if (!as && bs) return -1;
  if (as && bs) {
    const c = semver.compare(a.version, b.version);
    // Build metadata does not count (semver.org §10): the first published keeps its place.
    return c !== 0 ? c : b.publishedAt.getTime() - a.publishedAt.getTime();
  }
  return a.publishedAt.getTime() - b.publishedAt.getTime();
}

/** The latest among versions not deleted (among all when every one is deleted); undefined for none. */
export function latestOf<T extends VersionRow>(rows: readonly T[]): T | undefined {
  const live = rows.filter((r) => r.status !== "DELETED");
  const pool = live.length > 0 ? live : rows;
  let best: T | undefined;
  for (const row of pool) if (!best || compareVersions(row, best) > 0) best = row;
  return best;
}

/** This registry's own rule for a version string: not empty, no surrounding spaces (it names the version in URLs). */
export function versionFormatProblem(version: string): string | null {
  return version.trim() !== version || version === "" ? "must be a non-empty version without surrounding spaces" : null;
}

/**
 * What is wrong with a version string, or null: this registry's format rule, then the
 * official ones (`latest` is reserved; a range such as `^1.2.3`, `>=1.2.3`, `1.x` or
 * `1 - 2` is not a version; free-form versions such as `snapshot - 2025.09` are).
 */
export function versionProblem(version: string): string | null {
  return versionFormatProblem(version) ?? versionIssues("version", version)[0]?.message ?? null;
}
