// The gateway's metrics, as an observer of its events (the GatewayObserver contract in
// src/gateway/target.ts; this module matches it by shape, the base layer imports no
// capability). Server labels are registry paths (the gateway only serves registered
// servers); a tool becomes a label only when the registry has discovered it on that
// server, so a client calling made-up tool names adds no series.
import { CappedLabel, OTHER, type Metrics } from "./registry.ts";

/** tools/call outcomes; anything but "ok" is a failure for mcp.server.operation.duration's error.type. */
type Outcome = "ok" | "error" | "denied" | "rate_limited" | "upstream_error" | "timeout" | "aborted";

export type ToolCallFacts = { path: string; tool: string; outcome: Outcome; latencyMs: number };

/** Whether the registry knows `tool` on the server at `path` (answered from memory, never a query per call). */
export type KnownTools = (path: string, tool: string) => boolean;

const DENIAL_REASONS: ReadonlySet<string> = new Set(["unauthenticated", "forbidden", "tool", "audience", "scope"]);
const RATE_SCOPES: ReadonlySet<string> = new Set(["server", "tool"]);
const OUTCOMES: ReadonlySet<string> = new Set(["ok", "error", "denied", "rate_limited", "upstream_error", "timeout", "aborted"]);

export function gatewayMetricsObserver(metrics: Metrics, knownTools: KnownTools) {
  // Upstream failure reasons are the gateway's words; only short, fixed-looking ones, and few, become labels.
  const reasons = new CappedLabel(32, /^[a-z][a-z0-9_ -]{0,31}$/);
  const server = (path: string) => (path.startsWith("/") && path.length <= 256 ? path : OTHER);
  return {
    toolCall(record: ToolCallFacts): void {
      const path = server(record.path);
      const tool = path !== OTHER && knownTools(record.path, record.tool) ? record.tool : OTHER;
      const outcome = OUTCOMES.has(record.outcome) ? record.outcome : OTHER;
      const seconds = record.latencyMs / 1000;
      metrics.toolCalls.inc({ server: path, tool, outcome });
      metrics.toolCallDuration.observe({ server: path, tool }, seconds);
      metrics.mcpOperationDuration.observe(
        {
          mcp_method_name: "tools/call",
          gen_ai_operation_name: "execute_tool",
          gen_ai_tool_name: tool,
          error_type: outcome === "ok" ? "" : outcome,
        },
        seconds,
      );
    },
    denied(reason: string, _path: string): void {
      metrics.gatewayDenials.inc({ reason: DENIAL_REASONS.has(reason) ? reason : OTHER });
    },
    upstreamError(path: string, reason: string): void {
      metrics.gatewayUpstreamErrors.inc({ server: server(path), reason: reasons.of(reason) });
    },
    rateLimited(scope: string, _path: string): void {
      metrics.gatewayRateLimited.inc({ scope: RATE_SCOPES.has(scope) ? scope : OTHER });
    },
    streamOpened(_path: string): () => void {
      metrics.gatewayStreams.inc();
      let open = true;
      return () => {
        if (!open) return;
        open = false;
        metrics.gatewayStreams.dec();
      };
    },
  };
}
