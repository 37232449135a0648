// The health words the product's documents use, derived from what is stored.
import type { HealthStatus } from "../generated/prisma/enums.ts";

/** What a viewer sees: a disabled server is `DISABLED` whatever its last check said. */
export type HealthState = HealthStatus | "DISABLED";

export function healthStateOf(s: { enabled: boolean; healthStatus: HealthStatus }): HealthState {
  return s.enabled ? s.healthStatus : "DISABLED";
}

/** `healthy`, `unhealthy: timeout`, `checking`, `disabled` or `unknown`. */
export function healthStringOf(s: { enabled: boolean; healthStatus: HealthStatus; healthReason: string | null }): string {
  const state = healthStateOf(s);
  if (state === "UNHEALTHY") return s.healthReason ? `unhealthy: ${s.healthReason}` : "unhealthy";
  return state.toLowerCase();
}
