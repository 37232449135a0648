// The metrics and tracing settings: defaults, and refusals that never echo a secret.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";

describe("metrics and tracing settings", () => {
  it("default to metrics on the main port, no token, no tracing", () => {
    const config = loadConfig({});
    expect(config.metrics).toEqual({ enabled: true, port: undefined, token: undefined });
    expect(config.telemetry).toMatchObject({ tracesUrl: undefined, serviceName: "mcp-gateway-registry", sampleRatio: 1, exportDelayMs: 5_000 });
  });

  it.each([
    [{ METRICS: "maybe" }, /^invalid setting METRICS: expected true or false/],
    [{ METRICS_PORT: "70000" }, /^invalid setting METRICS_PORT: must be between 0 and 65535/],
    [{ METRICS_TOKEN: "short-secret" }, /^invalid setting METRICS_TOKEN: must be 16 to 256 printable characters/],
    [{ METRICS_TOKEN: "a token with spaces in it" }, /^invalid setting METRICS_TOKEN/],
    [{ OTEL_TRACES_SAMPLER_ARG: "1.5" }, /^invalid setting OTEL_TRACES_SAMPLER_ARG: must be a ratio between 0 and 1/],
    [{ OTEL_EXPORTER_OTLP_HEADERS: "authorization" }, /^invalid setting OTEL_EXPORTER_OTLP_HEADERS/],
  ])("refuse %o with a message naming the setting", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("never put a token or an exporter header's value in the error", () => {
    for (const env of [{ METRICS_TOKEN: "short-secret" }, { OTEL_EXPORTER_OTLP_HEADERS: "api-key=%E0%A4%A" }]) {
      let message = "";
      try {
        loadConfig(env);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^invalid setting/);
      expect(message).not.toContain("short-secret");
      expect(message).not.toContain("%E0");
    }
  });

  it("read the sample ratio, the headers and METRICS_PORT=0 (any free port)", () => {
    const config = loadConfig({ OTEL_TRACES_SAMPLER_ARG: "0.25", OTEL_EXPORTER_OTLP_HEADERS: "a=1, b = two%20words", METRICS_PORT: "0", METRICS: "off" });
    expect(config.telemetry.sampleRatio).toBe(0.25);
    expect(config.telemetry.headers).toEqual({ a: "1", b: "two words" });
    expect(config.metrics).toMatchObject({ enabled: false, port: 0 });
  });
});
