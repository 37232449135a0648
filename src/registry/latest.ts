// Which version of a server is "latest", by the official registry's rules: a semantic
// version beats a non-semantic one; between semantic versions the higher wins; otherwise
// (both non-semantic, or equal precedence) the one published later wins.
import semver from "semver";

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
    if (c !== 0) return c;
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

/** Version strings that name a range, or `latest`, are refused at publish (versioning.mdx). */
export function versionProblem(version: string): string | null {
  if (version.trim() !== version || version === "") return "must be a non-empty version without surrounding spaces";
  if (version.toLowerCase() === "latest") return "must be a specific version, not `latest`";
  if (isSemver(version)) return null;
  if (/[\^~<>=*|\s]/.test(version) || /(^|\.)[xX](\.|$)/.test(version)) {
    return "must be a specific version, not a range (such as ^1.2.3, ~1.2.3, >=1.2.3, 1.x or 1.*)";
  }
  return null;
}
