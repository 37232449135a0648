// Spans for the gateway's tool calls, `tools/call {tool}` (the MCP semantic conventions'
// name), made when the call is recorded, under the request's span. The tool name is the
// one the client called: a span is one event, not a series, so it needs no bound.
// Arguments and results never reach it (the record has neither).
import { SpanKind } from "@opentelemetry/api";
import { recordSpan } from "./spans.ts";

/** The session id stays out too: with a stolen bearer it would name a live session. */
export type TracedToolCall = { path: string; tool: string; outcome: string; latencyMs: number };

export function toolCallSpan(record: TracedToolCall): void {
  recordSpan(
    `tools/call ${record.tool}`,
    { startedAt: performance.now() - record.latencyMs, ms: record.latencyMs },
    {
      "mcp.method.name": "tools/call",
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": record.tool,
      "mcp.server.path": record.path,
    },
    { kind: SpanKind.SERVER, ...(record.outcome === "ok" ? {} : { errorType: record.outcome }) },
  );
}
