// The gateway's data plane: `/{path}/mcp` (Streamable HTTP) for every registered server,
// `/{path}/sse` and `/{path}/messages` for clients that speak only the older HTTP+SSE
// transport, and the OAuth protected-resource metadata of each gateway URL. A Koa
// middleware ahead of every route that reads a body: on its routes Koa never touches the
// request or the answer (ctx.respond = false); the rest pass through to `next`.
import type http from "node:http";
import type { Middleware, ParameterizedContext } from "koa";
import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import { tokenHintOf } from "../audit/chain.ts";
import { bearerCredentialOf, sessionCredentialOf, type Credential } from "../auth/credential.ts";
import { csrfGuard } from "../auth/csrf.ts";
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS, originDecision } from "../origins.ts";
import type { AuthService } from "../auth/service.ts";
import { viewerForIdentity } from "../auth/viewer.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import type { Credentials } from "../health/credentials.ts";
import { createGuardedAgent } from "../health/ssrf.ts";
import { TokenBuckets } from "../http/rate-limit.ts";
import type { AppState } from "../http/state.ts";
import { gatewayUrlOf, normalizePath } from "../servers/path.ts";
import type { ChangeFeed } from "../db/changes.ts";
import { createCredentialWatch, type CredentialBinding, type EndReason } from "./credential-watch.ts";
import { accessTo, callerOf, isRefusal, notFound, resourceMetadata, type Refusal } from "./access.ts";
import { loggingObserver, observers } from "./observer.ts";
import { RPC, screenRequest, type JsonRpcId } from "./messages.ts";
import { passThrough, replyError } from "./passthrough.ts";
import { GatewayServers, type GatewayServer } from "./servers.ts";
import { withTraceHeaders } from "../telemetry/spans.ts";
import { createSseBridge } from "./sse-bridge.ts";
import type { GatewayObserver, GatewayTarget } from "./target.ts";

const METADATA_PREFIX = "/.well-known/oauth-protected-resource";
const ROUTE = /^(\/.+)\/(mcp|sse|messages)$/;
const MINUTE = 60_000;

export type Gateway = {
  middleware: Middleware<AppState>;
  /** Adds an observer (metrics, audit); returns the function that removes it. */
  observe(observer: GatewayObserver): () => void;
  close(): Promise<void>;
};

export function createGateway(deps: {
  config: Config;
  db: Database;
  auth: AuthService;
  credentials: Credentials;
  log: Logger;
  /** The SSRF-guarded dispatcher; by default one of its own (keep-alive per upstream origin). */
  dispatcher?: Dispatcher;
}): Gateway {
  const { config, auth } = deps;
  const log = deps.log.child({ component: "gateway" });
  const settings = config.gateway;
  const publicUrl = config.publicUrl;
  const issuers = config.auth.providers.map((p) => p.issuer);
  const ownDispatcher = deps.dispatcher ? undefined : createGuardedAgent(config.health.outbound, { keepAliveTimeout: 30_000 });
  const dispatcher = deps.dispatcher ?? ownDispatcher!;
  const servers = new GatewayServers(deps.db, deps.credentials, log);
  const list: GatewayObserver[] = [loggingObserver(log)];
  const observer = observers(list, log);
  const perServer = settings.perMinute > 0 ? new TokenBuckets(settings.perMinute, MINUTE) : undefined;
  const perTool = settings.toolPerMinute > 0 ? new TokenBuckets(settings.toolPerMinute, MINUTE) : undefined;
  const csrf = csrfGuard(publicUrl);
  const publicOrigin = new URL(publicUrl).origin;
  const bridge = createSseBridge({ maxSessions: settings.sseMaxSessions, idleMs: settings.sseIdleMs });
  const watch = createCredentialWatch({ auth, changes: deps.db.changes, log });
  const serverStreams = createServerStreams(servers, deps.db.changes, log);
  // Callers without (valid) credentials are counted per client IP, like anonymous traffic elsewhere.
  const anonymous = config.rateLimit.anonymousPerMinute > 0 ? new TokenBuckets(config.rateLimit.anonymousPerMinute, MINUTE) : undefined;

  const refuse = (res: http.ServerResponse, refusal: Refusal, path: string) => {
    if (refusal.reason) observer.denied(refusal.reason, path);
    replyError(res, refusal.status, refusal.message, null, refusal.headers);
  };

  async function handle(ctx: ParameterizedContext<AppState>, path: string, kind: string): Promise<void> {
    const { req, res } = ctx;
    if (!ctx.state.viewer) {
      const take = anonymous?.take(`ip:${ctx.ip}`);
      if (take && !take.allowed) {
        const seconds = Math.max(1, Math.ceil(take.retryAfterMs / 1000));
        return replyError(res, 429, `Too many requests; try again in ${seconds} s`, null, { "retry-after": String(seconds) }, -32029, { retryAfterSeconds: seconds });
      }
    }
    const caller = await callerOf(ctx, auth, publicUrl, path);
    if (isRefusal(caller)) return refuse(res, caller, path);
    // Cookie-signed requests get the same cross-site check as the rest of the API.
    try {
      await csrf(ctx, async () => undefined);
    } catch (err) {
      return refuse(res, { status: 403, message: (err as Error).message, headers: {}, reason: "forbidden" }, path);
    }
    const server = await servers.find(path);
    if (!server) return refuse(res, notFound(path), path);
    const access = accessTo(caller, auth, publicUrl, path);
    if (isRefusal(access)) return refuse(res, access, path);
    if (!server.enabled) return replyError(res, 503, `The server ${path} is disabled`);

    const identity = caller.identity;
    const who = `${identity.provider ?? ""}:${identity.subject}`;
    const limited = (buckets: TokenBuckets | undefined, key: string, scope: "server" | "tool") => {
      const take = buckets?.take(key);
      if (!take || take.allowed) return false;
      const seconds = Math.max(1, Math.ceil(take.retryAfterMs / 1000));
      observer.rateLimited(scope, path);
      replyError(res, 429, `Too many requests${scope === "tool" ? " to this tool" : ""}; try again in ${seconds} s`, null, { "retry-after": String(seconds) }, -32029, {
        retryAfterSeconds: seconds,
      });
      return true;
    };
    if (limited(perServer, `${who} ${path}`, "server")) return;

    const target: GatewayTarget = {
      path,
      upstreamUrl: server.upstreamUrl,
      transport: server.transport,
      // The caller's trace goes on upstream (W3C traceparent) when tracing is on.
      upstreamHeaders: withTraceHeaders(server.upstreamHeaders),
      allow: access.allow,
      timeoutMs: server.timeoutMs ?? settings.upstreamTimeoutMs,
      dispatcher,
      caller: { subject: identity.subject, authMethod: identity.authMethod, username: identity.username, tokenHint: tokenHintOf(identity.jti) },
      credential: serverStreams.bindingFor(
        server,
        watch.bindingFor(credentialOf(ctx, auth), identity.jti, gatewayUrlOf(publicUrl, path)),
        // The caller's grants under the policy in force now, by the rule this request passed.
        () => !isRefusal(accessTo(viewerForIdentity(identity, auth), auth, publicUrl, path)),
      ),
      observer,
    };
    const sessionId = typeof req.headers["mcp-session-id"] === "string" ? req.headers["mcp-session-id"] : null;

    // The older HTTP+SSE transport: /{path}/sse opens the stream, its endpoint takes the POSTs.
    if (kind === "sse") {
      if (req.method !== "GET") return replyError(res, 405, "Use GET", null, { allow: "GET" });
      return bridge.sseStream(req, res, target);
    }
    if (kind === "messages" && req.method !== "POST") return replyError(res, 405, "Use POST", null, { allow: "POST" });
    if (req.method === "GET" || req.method === "DELETE") {
      if (server.transport === "sse") return bridge.streamable(req, res, target);
      return passThrough(req, res, target, { method: req.method, sessionId });
    }
    if (req.method !== "POST") return replyError(res, 405, "Use POST, GET or DELETE", null, { allow: "GET, POST, DELETE" });

    const body = await readBody(req, settings.bodyLimitBytes);
    if (body === "too-large") {
      return replyError(res, 413, `The request body is larger than ${settings.bodyLimitBytes} bytes`, null, { connection: "close" });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return replyError(res, 400, "Parse error: the body is not JSON", null, {}, RPC.parseError);
    }
    const screened = screenRequest(parsed, access.allow);
    if (screened.kind === "reply") {
      for (const denial of screened.denied) {
        if (denial.kind === "tool") {
          observer.toolCall({ subject: identity.subject, authMethod: identity.authMethod, username: identity.username, tokenHint: tokenHintOf(identity.jti), path, tool: denial.name, outcome: "denied", latencyMs: 0, sessionId });
        }
      }
      if (screened.denied.length > 0) observer.denied("tool", path);
      // An SSE-only client reads answers from its stream, not from the POST.
      if (kind === "messages" && screened.status === 200) return bridge.sseReply(req, res, target, screened.body);
      res.writeHead(screened.status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(screened.body)) });
      res.end(screened.body);
      return;
    }
    for (const call of screened.toolCalls) {
      if (limited(perTool, `${who} ${path} ${call.name}`, "tool")) {
        observer.toolCall({ subject: identity.subject, authMethod: identity.authMethod, username: identity.username, tokenHint: tokenHintOf(identity.jti), path, tool: call.name, outcome: "rate_limited", latencyMs: 0, sessionId });
        return;
      }
    }
    if (kind === "messages") return bridge.sseMessage(req, res, target, JSON.parse(screened.body) as unknown);
    if (server.transport === "sse") return bridge.streamable(req, res, target, JSON.parse(screened.body) as unknown);
    return passThrough(req, res, target, { method: "POST", body: screened.body, toolCalls: screened.toolCalls, ids: requestIds(parsed), sessionId });
  }

  const middleware: Middleware<AppState> = async (ctx, next) => {
    if (ctx.path.startsWith(`${METADATA_PREFIX}/`)) {
      const match = ROUTE.exec(ctx.path.slice(METADATA_PREFIX.length));
      const path = match?.[2] === "mcp" ? normalizePath(match[1]!) : undefined;
      if (!path?.ok || path.path !== match?.[1] || (ctx.method !== "GET" && ctx.method !== "HEAD")) return next();
      // Public, and the same for every syntactically valid path: it tells nobody which servers exist.
      ctx.set("Cache-Control", "public, max-age=300");
      ctx.set("Access-Control-Allow-Origin", "*");
      ctx.body = resourceMetadata(publicUrl, path.path, issuers);
      return;
    }
    const match = ROUTE.exec(ctx.path);
    if (!match) return next();
    const path = normalizePath(match[1]!);
    // Reserved paths (the registry's own MCP server at /mcpgw/mcp) and other spellings are not gateway routes.
    if (!path.ok || path.path !== match[1]) return next();
    ctx.respond = false;
    // Browsers say where a request comes from: the registry's own pages and the origins an
    // operator listed may call; anything else is refused before sign-in is even looked at.
    const origin = originDecision(settings.allowedOrigins, ctx.get("origin") || undefined, publicOrigin, `${ctx.protocol}://${ctx.host}`);
    if (origin.kind === "refused") {
      observer.denied("forbidden", path.path);
      return replyError(ctx.res, 403, "Requests from this origin are not allowed (GATEWAY_ALLOWED_ORIGINS lists the origins that may call the gateway)");
    }
    if (origin.kind === "cross") {
      ctx.res.setHeader("access-control-allow-origin", origin.allowOrigin);
      ctx.res.setHeader("access-control-expose-headers", CORS_EXPOSE_HEADERS);
      ctx.res.setHeader("vary", "Origin");
      if (ctx.method === "OPTIONS") {
        // The preflight: no credentials, no upstream; the request it announces is checked as any other.
        ctx.res.writeHead(204, {
          "access-control-allow-methods": CORS_ALLOW_METHODS,
          "access-control-allow-headers": CORS_ALLOW_HEADERS,
          "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
        });
        ctx.res.end();
        return;
      }
    }
    try {
      await handle(ctx, path.path, match[2]!);
    } catch (err) {
      ctx.state.log.error({ err: (err as Error).message, path: path.path }, "gateway request failed");
      if (!ctx.res.headersSent) replyError(ctx.res, 500, "Internal error");
      else ctx.res.destroy();
    }
  };

  return {
    middleware,
    observe(extra) {
      list.push(extra);
      return () => {
        const at = list.indexOf(extra);
        if (at !== -1) list.splice(at, 1);
      };
    },
    async close() {
      servers.close();
      watch.close();
      serverStreams.close();
      await bridge.close();
      if (!ownDispatcher) return;
      // Open SSE streams keep a graceful close waiting: after a short grace, close the sockets.
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(() => void ownDispatcher.destroy().then(resolve, resolve), 1_000);
      });
      await Promise.race([ownDispatcher.close(), grace]);
      clearTimeout(timer);
    },
  };
}

/** The credential the caller signed in with, read as resolveViewer read it (a bearer header wins over the cookie). */
function credentialOf(ctx: ParameterizedContext<AppState>, auth: AuthService): Credential {
  const header = ctx.get("authorization") || ctx.get("x-authorization");
  if (header) return bearerCredentialOf(header);
  const session = sessionCredentialOf(ctx.cookies.get(auth.sessionCookie, { signed: false }), auth);
  if (!session) throw new Error("a signed-in gateway caller without a credential");
  return session;
}

/** The ids of the requests (not notifications) in a message or batch. */
function requestIds(parsed: unknown): JsonRpcId[] {
  const ids: JsonRpcId[] = [];
  for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
    if (typeof m !== "object" || m === null || !("method" in m)) continue;
    const id = (m as { id?: unknown }).id;
    if (typeof id === "string" || typeof id === "number") ids.push(id);
  }
  return ids;
}

/** The request body, or "too-large" once it passes `limit` bytes (the rest is not read). */
async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return "too-large";
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      return "too-large";
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The streams open to each server, so that a server disabled, removed or pointed at another
 * upstream (on any replica: the change feed) ends them, as a disabled server refuses new
 * requests. Each binding also carries the access check a policy change runs (credential-watch).
 */
function createServerStreams(servers: GatewayServers, changes: ChangeFeed, log: Logger) {
  /** Per path, each open stream's end, the server it opened to (signature), and what unbinds it from its credential. */
  type Open = { opened: string; release: () => void };
  const byPath = new Map<string, Map<(why: EndReason) => void, Open>>();
  const signature = (server: GatewayServer) => `${server.id} ${server.upstreamUrl.href} ${server.transport}`;
  let checking = false;
  let again = false;

  async function check(): Promise<void> {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      do {
        again = false;
        for (const [path, streams] of [...byPath]) {
          const server = await servers.find(path);
          const now = server && server.enabled ? signature(server) : null;
          for (const [end, open] of [...streams]) {
            if (open.opened === now || !streams.delete(end)) continue;
            open.release();
            log.info({ path }, "a gateway server was disabled, removed or changed; closing its stream");
            try {
              end("server");
            } catch (err) {
              log.error({ err: (err as Error).message }, "could not end a gateway stream");
            }
          }
          if (streams.size === 0 && byPath.get(path) === streams) byPath.delete(path);
        }
      } while (again);
    } catch (err) {
      log.warn({ err: (err as Error).message }, "could not check the gateway's open streams against their servers");
    } finally {
      checking = false;
    }
  }

  const stop = changes.subscribe((change) => {
    if (change.entity === "server" && byPath.size > 0) void check();
  });

  return {
    bindingFor(server: GatewayServer, binding: CredentialBinding, stillAllowed: () => boolean): CredentialBinding {
      return {
        key: binding.key,
        bind(end, allowed) {
          let streams: Map<(why: EndReason) => void, Open> | undefined;
          const entry = (why: EndReason) => {
            streams?.delete(entry);
            end(why);
          };
          const unbind = binding.bind(entry, allowed ?? stillAllowed);
          if (!unbind) return undefined;
          streams = byPath.get(server.path);
          if (!streams) byPath.set(server.path, (streams = new Map()));
          streams.set(entry, { opened: signature(server), release: unbind });
          return () => {
            streams?.delete(entry);
            if (streams?.size === 0 && byPath.get(server.path) === streams) byPath.delete(server.path);
            unbind();
          };
        },
      };
    },
    close(): void {
      stop();
      byPath.clear();
    },
  };
}
