// The spans the code makes itself, through the OpenTelemetry API. Until the SDK is
// started (sdk.ts, only when OTEL_EXPORTER_OTLP_ENDPOINT is set) every helper here
// returns at once: no span objects, no context switches, no headers.
// Spans carry names, kinds and outcomes, never request bodies, tool arguments or
// results, SQL text or error messages (which can quote any of those).
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from "@opentelemetry/api";

let tracing = false;

/** sdk.ts turns this on once its tracer provider is registered. */
export function setTracing(on: boolean): void {
  tracing = on;
}

export function isTracing(): boolean {
  return tracing;
}

export function tracer() {
  return trace.getTracer("mcp-gateway-registry");
}

/** Marks a span failed with the error's class name only. */
export function failSpan(span: Span, err: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute("error.type", err instanceof Error ? err.name : "error");
}

/** Runs `fn` inside a new active span (so its queries and outbound calls are its children). */
export function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  if (!tracing) return fn();
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** A span for something that already happened (a query, a tool call), under the active span. */
export function recordSpan(
  name: string,
  timing: { startedAt: number; ms: number },
  attributes: Attributes,
  opts: { kind?: SpanKind; errorType?: string } = {},
): void {
  if (!tracing) return;
  const start = performance.timeOrigin + timing.startedAt;
  const span = tracer().startSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes, startTime: start });
  if (opts.errorType !== undefined) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute("error.type", opts.errorType);
  }
  span.end(start + timing.ms);
}

/** The request headers with the active span's W3C traceparent (and tracestate) added, when tracing. */
export function withTraceContext(headers: HeadersInit | undefined): HeadersInit | undefined {
  if (!tracing) return headers;
  const out = new Headers(headers);
  propagation.inject(context.active(), out, { set: (carrier, key, value) => carrier.set(key, value) });
  return out;
}

/** The active span's traceparent/tracestate as plain headers, for code that builds its own (the gateway); {} when not tracing. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (tracing) propagation.inject(context.active(), carrier);
  return carrier;
}
