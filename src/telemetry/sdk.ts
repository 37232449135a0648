// Starts OpenTelemetry tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set: the Node SDK
// with an OTLP/HTTP (JSON) span exporter, W3C trace context, and no automatic
// instrumentation (the spans are made where the code knows what they mean: spans.ts and
// its callers). The provider is process-wide, as OpenTelemetry's API is: a second app in
// the same process (tests) shares the first one's, and the last to close shuts it down.
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { setTracing } from "./spans.ts";

export type Telemetry = { shutdown(): Promise<void> };

let running: { sdk: NodeSDK; users: number } | undefined;

export function startTelemetry(settings: Config["telemetry"], log: Logger): Telemetry | undefined {
  if (!settings.tracesUrl) return undefined;
  if (!running) {
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
