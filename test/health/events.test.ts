// The one builder of health events: what subscribers hear for each stored state.
import { describe, expect, it } from "vitest";
import { healthEventOf, type HealthEventSource } from "../../src/health/events.ts";

const base: HealthEventSource = {
  id: "0b6f1c4e-0000-4000-8000-000000000001",
  path: "/weather",
  enabled: true,
  healthStatus: "HEALTHY",
  healthReason: null,
  lastChecked: new Date("2026-01-02T03:04:05.000Z"),
  numTools: 3,
  lastLatencyMs: 42,
};

describe("healthEventOf", () => {
  it.each<[string, Partial<HealthEventSource>, { health: string; healthStatus: string; reason: string | null }]>([
    ["healthy", {}, { health: "HEALTHY", healthStatus: "healthy", reason: null }],
    ["unhealthy with a reason", { healthStatus: "UNHEALTHY", healthReason: "timeout" }, { health: "UNHEALTHY", healthStatus: "unhealthy: timeout", reason: "timeout" }],
    ["unhealthy without a reason", { healthStatus: "UNHEALTHY" }, { health: "UNHEALTHY", healthStatus: "unhealthy", reason: null }],
    ["checking", { healthStatus: "CHECKING" }, { health: "CHECKING", healthStatus: "checking", reason: null }],
    ["never checked", { healthStatus: "UNKNOWN" }, { health: "UNKNOWN", healthStatus: "unknown", reason: null }],
    ["disabled, whatever its last check said", { enabled: false, healthStatus: "UNHEALTHY", healthReason: "refused" }, { health: "DISABLED", healthStatus: "disabled", reason: "refused" }],
  ])("%s", (_name, change, expected) => {
    expect(healthEventOf({ ...base, ...change })).toEqual({
      type: "health",
      serverId: base.id,
      path: "/weather",
      ...expected,
      lastCheckedAt: "2026-01-02T03:04:05.000Z",
      numTools: 3,
      latencyMs: 42,
    });
  });

  it("reports a server never checked with null time and latency", () => {
    const event = healthEventOf({ ...base, healthStatus: "UNKNOWN", lastChecked: null, lastLatencyMs: null, numTools: 0 });
    expect(event).toMatchObject({ lastCheckedAt: null, latencyMs: null, numTools: 0 });
  });

  it("is JSON: it crosses replicas as a notification and comes back equal", () => {
    const event = healthEventOf(base);
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });
});
