// /mcpgw/mcp: the registry's own MCP server over Streamable HTTP, stateless (no session to
// keep, so any replica answers any request). Signed in like the rest of the API (session,
// bearer JWT, registry token, or `X-Authorization: Bearer`, which resolveViewer reads);
// anyone else gets 401 with a Bearer challenge. The SDK's stateless transport cannot be
// reused, so each request gets its own server and transport.
import fs from "node:fs";
import type Router from "@koa/router";
import type { ParameterizedContext } from "koa";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Viewer } from "../auth/viewer.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import { parseJsonBody, readBody } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import type { AppState } from "../http/state.ts";
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS, originDecision, type AllowedOrigins } from "../origins.ts";
import { registryMcpServer } from "./server.ts";

export const MCPGW_PATH = "/mcpgw/mcp";

const VERSION = (JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** A JSON-RPC error as the MCP transports answer refusals outside a request (id null). */
const rpcError = (code: number, message: string) => ({ jsonrpc: "2.0", error: { code, message }, id: null });

export function mcpgwRoutes(
  router: Router<AppState>,
  graphql: GraphQL,
  opts: { publicUrl: string; bodyLimitBytes: number; issuers: readonly string[]; allowedOrigins: AllowedOrigins },
): void {
  const base = opts.publicUrl.replace(/\/+$/, "");
  const publicOrigin = new URL(opts.publicUrl).origin;
  // The gateway's Origin rule (GATEWAY_ALLOWED_ORIGINS): browsers from elsewhere are refused,
  // listed origins get CORS. False when the request was refused (the answer is set).
  const screenOrigin = (ctx: ParameterizedContext<AppState>): boolean => {
    const decision = originDecision(opts.allowedOrigins, ctx.get("origin") || undefined, publicOrigin, `${ctx.protocol}://${ctx.host}`);
    if (decision.kind === "refused") {
      ctx.status = 403;
      ctx.body = rpcError(-32000, "Requests from this origin are not allowed (GATEWAY_ALLOWED_ORIGINS lists the origins that may call)");
      return false;
    }
    if (decision.kind === "cross") {
      ctx.set("Access-Control-Allow-Origin", decision.allowOrigin);
      ctx.set("Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
      ctx.vary("Origin");
    }
    return true;
  };
  const metadataPath = `/.well-known/oauth-protected-resource${MCPGW_PATH}`;
  // As the gateway's servers do (MCP authorization): the challenge names the resource's
  // metadata (RFC 9728), which names the identity providers a client may get a token from.
  const challenge = `Bearer resource_metadata="${base}${metadataPath}", scope="list_service"`;
  const metadata = JSON.stringify({
    resource: `${base}${MCPGW_PATH}`,
    authorization_servers: [...opts.issuers],
    scopes_supported: ["list_service"],
    bearer_methods_supported: ["header"],
    resource_name: "MCP Gateway Registry (the registry's own MCP server)",
  });

  router.get(metadataPath, (ctx) => {
    ctx.type = "json";
    ctx.set("Cache-Control", "public, max-age=300");
    ctx.body = metadata;
  });

  router.options(MCPGW_PATH, (ctx) => {
    if (!screenOrigin(ctx)) return;
    ctx.set("Allow", "POST");
    if (ctx.response.get("Access-Control-Allow-Origin")) {
      ctx.set("Access-Control-Allow-Methods", "POST");
      ctx.set("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
      ctx.set("Access-Control-Max-Age", String(CORS_MAX_AGE_SECONDS));
    }
    ctx.status = 204;
  });

  router.post(MCPGW_PATH, async (ctx) => {
    if (!screenOrigin(ctx)) return;
    const viewer = ctx.state.viewer as Viewer | null;
    if (!viewer) {
      ctx.status = 401;
      ctx.set("WWW-Authenticate", challenge);
      ctx.body = rpcError(-32001, "Sign in: send `Authorization: Bearer <token>` (a registry token or one from the identity provider)");
      return;
    }
    let body: unknown;
    try {
      body = parseJsonBody(await readBody(ctx, opts.bodyLimitBytes));
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      ctx.status = err.status;
      ctx.body = rpcError(err.status === 413 ? -32600 : -32700, err.message);
      return;
    }
    const mcp = registryMcpServer(graphql, { viewer, log: ctx.state.log }, VERSION);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    ctx.res.on("close", () => {
      void transport.close().catch(() => undefined);
      void mcp.close().catch(() => undefined);
    });
    await mcp.connect(transport);
    // The transport writes the answer itself; Koa must leave the response alone.
    ctx.respond = false;
    await transport.handleRequest(ctx.req, ctx.res, body);
  });

  // Stateless: no server-to-client stream to open, no session to end.
  const notAllowed = (ctx: ParameterizedContext<AppState>) => {
    if (!screenOrigin(ctx)) return;
    ctx.status = 405;
    ctx.set("Allow", "POST");
    ctx.body = rpcError(-32000, `${ctx.method} is not allowed on ${MCPGW_PATH}; use POST`);
  };
  router.get(MCPGW_PATH, notAllowed);
  router.delete(MCPGW_PATH, notAllowed);
}
