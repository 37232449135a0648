// Rules of the servers service that need no database: what enabling or disabling
// changes, when an update keeps the stored credential, how health groups add up.
import type { HealthStatus, UpstreamAuth } from "../generated/prisma/enums.ts";
import { healthStateOf } from "../health/status.ts";

export type ServerCounts = { total: number; healthy: number; unhealthy: number; checking: number; unknown: number; disabled: number };

/** Adds up (enabled, healthStatus) groups by the state a viewer sees: a disabled server counts as disabled only. */
export function countsOf(groups: readonly { enabled: boolean; healthStatus: HealthStatus; count: number }[]): ServerCounts {
  const counts: ServerCounts = { total: 0, healthy: 0, unhealthy: 0, checking: 0, unknown: 0, disabled: 0 };
  for (const g of groups) {
    counts.total += g.count;
    counts[healthStateOf(g).toLowerCase() as Exclude<keyof ServerCounts, "total">] += g.count;
  }
  return counts;
}

export type ToggleChange = {
  data: { enabled: boolean; healthStatus?: "CHECKING"; healthReason?: null };
  /** Check it at once: it was just enabled, and automatic checks are on. */
  checkNow: boolean;
  /** Its health as viewers see it changes (to or from DISABLED), so subscribers hear of it. */
  healthChanges: boolean;
};

/**
 * Enabling or disabling. A server just enabled reads "checking" until its immediate check
 * reports; with automatic checks off (HEALTH_CHECKS=false) only refreshServer contacts
 * servers, so it keeps its last result.
 */
export function toggleChange(wasEnabled: boolean, enabled: boolean, automaticChecks: boolean): ToggleChange {
  const checkNow = enabled && !wasEnabled && automaticChecks;
  return {
    data: checkNow ? { enabled: true, healthStatus: "CHECKING", healthReason: null } : { enabled },
    checkNow,
    healthChanges: wasEnabled !== enabled,
  };
}

/** An update may leave the secret out to keep the stored one, but only for a credential of the same type. */
export function keepsSecret(
  current: { upstreamAuth: UpstreamAuth; upstreamAuthSecret: string | null } | null,
  type: UpstreamAuth,
): boolean {
  return current !== null && current.upstreamAuth === type && current.upstreamAuthSecret !== null;
}
