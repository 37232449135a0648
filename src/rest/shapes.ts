// The product API's shapes: GraphQL results to snake_case JSON, and the typed
// GraphQL errors to the REST error (status and code by http/status-of.ts's table).
import type { GatewayApiServerFragment, GatewayApiStatusFragment, GatewayApiToolFragment } from "../generated/gql/graphql.ts";
import { HttpError } from "../http/errors.ts";
import { statusOf } from "../http/status-of.ts";
import { parseDocstring, type ParsedDescription } from "./docstring.ts";

type TypedError =
  | { __typename: "ValidationError"; message: string; fieldErrors: { field: string; message: string }[] }
  | { __typename: "NotFoundError"; message: string }
  | { __typename: "ConflictError"; message: string }
  | { __typename: "ForbiddenError"; message: string }
  | { __typename: "ServerDisabledError"; message: string }
  | { __typename: "TokenNotFoundError"; message: string };

/** The REST error for a mutation's typed error. Validation messages name the field as the form does. */
export function httpErrorOf(error: TypedError): HttpError {
  const { status, code } = statusOf(error.__typename) ?? { status: 500, code: "INTERNAL" };
  const first = error.__typename === "ValidationError" ? error.fieldErrors[0] : undefined;
  return new HttpError(status, code, first ? `${snake(first.field)} ${first.message}` : error.message);
}

/** Unwraps a mutation result: its success payload, or the mapped REST error thrown. */
export function successOf<S extends { __typename: string }>(result: S | TypedError): Exclude<S, TypedError> {
  if (statusOf(result.__typename)) throw httpErrorOf(result as TypedError);
  return result as Exclude<S, TypedError>;
}

export function notFound(path: string): HttpError {
  return new HttpError(404, "NOT_FOUND", `No server at ${path}`);
}

export function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export type ToolJson = { name: string; description: string; parsed_description: ParsedDescription; schema: unknown };

export function toolJson(tool: GatewayApiToolFragment): ToolJson {
  return {
    name: tool.name,
    description: tool.description,
    parsed_description: parseDocstring(tool.description),
    schema: tool.inputSchema,
  };
}

/** A server as the product API's answers carry it (register, edit, /api/server_details). */
export function serverDetailsJson(s: GatewayApiServerFragment) {
  return {
    path: s.path,
    name: s.name,
    // The original product's name for `name`; its clients read either.
    server_name: s.name,
    description: s.description,
    proxy_pass_url: s.proxyPassUrl,
    // Where MCP clients reach it through the gateway; proxy_pass_url is the upstream's own address.
    gateway_url: s.gatewayUrl,
    tags: s.tags,
    num_tools: s.numTools,
    num_stars: s.numStars,
    is_python: s.isPython,
    license: s.license,
    metadata: s.metadata,
    transport: s.transport.toLowerCase(),
    upstream_timeout_seconds: s.upstreamTimeoutSeconds,
    is_enabled: s.enabled,
    health_status: s.healthStatus,
    last_checked_iso: s.lastCheckedAt,
    tool_list: s.tools.map(toolJson),
  };
}

export type HealthEntryJson = { status: string; last_checked_iso: string | null; num_tools: number };

/** One entry of the health map (GET and WebSocket /ws/health_status). */
export function healthEntryJson(s: { healthStatus: string; lastCheckedAt?: string | null; numTools: number }): HealthEntryJson {
  return { status: s.healthStatus, last_checked_iso: s.lastCheckedAt ?? null, num_tools: s.numTools };
}

/** The status part of the toggle and refresh responses. */
export function statusJson(s: GatewayApiStatusFragment) {
  return {
    service_path: s.path,
    status: s.healthStatus,
    last_checked_iso: s.lastCheckedAt,
    num_tools: s.numTools,
  };
}
