// What health checking reports as it runs (to metrics); it never waits on the observer.

/** One sweep, as the scheduler logs it. */
export type SweepReport = { servers: number; ms: number; cpuMs: number; healthy: number; unhealthy: number };

export type CheckOutcomeKind = "healthy" | "unhealthy" | "skipped" | "error";

export type HealthObserver = {
  checked(outcome: CheckOutcomeKind, ms: number): void;
  swept(report: SweepReport): void;
};
