// Starts OpenTelemetry tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set: the Node SDK
// with an OTLP/HTTP (JSON) span exporter, W3C trace context, and no automatic
// instrumentation (the spans are made where the code knows what they mean: spans.ts and
// its callers). The provider is process-wide, as OpenTelemetry's API is: a second app in
// the same process (tests) shares the first one's, and the last to close shuts it down.
// The SDK and its exporter are imported only when tracing is on: loaded, they cost every
// process about a second of start-up and tens of MB of heap that tracing-off never uses.
import type { NodeSDK } from "@opentelemetry/sdk-node";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { setTracing } from "./spans.ts";

export type Telemetry = { shutdown(): Promise<void> };

let running: { sdk: NodeSDK; users: number } | undefined;

export async function startTelemetry(settings: Config["telemetry"], log: Logger): Promise<Telemetry | undefined> {
  if (!settings.tracesUrl) return undefined;
  if (!running) {
    const [{ OTLPTraceExporter }, { resourceFromAttributes }, { NodeSDK }, { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler }, { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION }] =
      await Promise.all([
        import("@opentelemetry/exporter-trace-otlp-http"),
        import("@opentelemetry/resources"),
        import("@opentelemetry/sdk-node"),
        import("@opentelemetry/sdk-trace-base"),
        import("@opentelemetry/semantic-conventions"),
      ]);
    const exporter = new OTLPTraceExporter({ url: settings.tracesUrl, headers: settings.headers, timeoutMillis: 10_000 });
    const sdk = new NodeSDK({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName, [ATTR_SERVICE_VERSION]: "0.1.0" }),
      autoDetectResources: false,
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: settings.exportDelayMs, maxQueueSize: 2048 })],
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
      instrumentations: [],
    });
    sdk.start();
    running = { sdk, users: 0 };
    setTracing(true);
    log.info({ endpoint: new URL(settings.tracesUrl).origin, sampleRatio: settings.sampleRatio }, "exporting traces (OTLP/HTTP)");
  }
  const current = running;
  current.users += 1;
  let closed = false;
  return {
    async shutdown() {
      if (closed) return;
      closed = true;
      current.users -= 1;
      if (current.users > 0) return;
      running = undefined;
      setTracing(false);
      // Flushes what is queued; an unreachable collector must not hold the shutdown for long.
      await current.sdk.shutdown().catch((err: Error) => log.warn({ err: err.message }, "trace exporter shutdown failed"));
    },
  };
}
