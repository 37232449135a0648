// What the gateway's router hands to the code that talks to an upstream: the server as the
// caller may use it. Shared by the Streamable HTTP passthrough and the legacy SSE bridge, so
// neither needs to know how the caller was signed in or where the credential came from.
import type { Dispatcher } from "undici";
import type { CredentialBinding } from "./credential-watch.ts";

/** What the caller may reach on this server through the gateway (from the policy's `tools` lists). */
export type Allow = {
  /** Everything: no list needs filtering, no call needs checking. */
  readonly all: boolean;
  tool(name: string): boolean;
  prompt(name: string): boolean;
  resource(uri: string): boolean;
};

export type ToolCallOutcome = "ok" | "error" | "denied" | "rate_limited" | "upstream_error" | "timeout" | "aborted";

/** One tools/call through the gateway, as logged, counted and audited: never arguments or results. */
export type ToolCallRecord = {
  subject: string;
  authMethod: string;
  path: string;
  tool: string;
  outcome: ToolCallOutcome;
  latencyMs: number;
  sessionId: string | null;
  /** The caller's name and a registry token's first characters (at most 6), for the audit log. */
  username?: string;
  tokenHint?: string | null;
};

/** Hooks for metrics and the audit log; the gateway calls them and never waits on them. */
export type GatewayObserver = {
  toolCall(record: ToolCallRecord): void;
  denied(reason: "unauthenticated" | "forbidden" | "tool" | "audience" | "scope", path: string): void;
  upstreamError(path: string, reason: string): void;
  rateLimited(scope: "server" | "tool", path: string): void;
  /** A stream (SSE answer or GET stream) opened; call the returned function when it ends. */
  streamOpened(path: string): () => void;
};

export type GatewayTarget = {
  /** The server's registry path, e.g. `/weather`. */
  path: string;
  /** The upstream MCP endpoint (proxy_pass_url, resolved to its MCP route). */
  upstreamUrl: URL;
  transport: "streamable-http" | "sse";
  /** The server's stored upstream credential as headers (already decrypted); never anything of the client's. */
  upstreamHeaders: Readonly<Record<string, string>>;
  allow: Allow;
  /** Per-server upstream timeout; notifications/progress from the upstream reset it. */
  timeoutMs: number;
  /** The SSRF-guarded dispatcher with keep-alive per upstream origin. */
  dispatcher: Dispatcher;
  /** Who is calling, for logs and records. */
  caller: { subject: string; authMethod: string; username?: string; tokenHint?: string | null };
  /** The caller's credential: every stream (and bridged session) is bound to it and ends with it. */
  credential: CredentialBinding;
  observer: GatewayObserver;
};
