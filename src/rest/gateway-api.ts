// The product's REST API, as its API document (gateway-api.md) describes it: register,
// toggle, edit, server details, tools, refresh and the health map. Each handler parses the request, runs a GraphQL
// operation as the caller, and maps the result; the rules live behind the GraphQL schema.
// The original product's clients (its CLI, MCP management server and UI) also call
// register, toggle and edit under /api, and read the health map over plain HTTP.
import type Router from "@koa/router";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import {
  GatewayApiRefreshDocument,
  GatewayApiRegisterDocument,
  GatewayApiServerDocument,
  GatewayApiServersDocument,
  GatewayApiServerToolsDocument,
  GatewayApiToggleDocument,
  GatewayApiToolsDocument,
  GatewayApiUpdateDocument,
  type GatewayApiServersQuery,
  type GatewayApiToolsQuery,
  type RegisterServerInput,
  type Transport,
  type UpdateServerInput,
  HealthFeedServersDocument,
  type HealthFeedServersQuery,
} from "../generated/gql/graphql.ts";
import { flagValue } from "../config.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import { readForm } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import type { AppState } from "../http/state.ts";
import { TRANSPORTS } from "../servers/validate.ts";
import { sendEditPage } from "../web/edit-page.ts";
import { cachedAnswer, type AnswerCache } from "./answer-cache.ts";
import { runOperation } from "./execute.ts";
import {
  healthEntryJson,
  notFound,
  serverDetailsJson,
  statusJson,
  successOf,
  toolJson,
  type HealthEntryJson,
  type ToolJson,
} from "./shapes.ts";

const FORM_LIMIT = 64 * 1024;

type Ctx = { state: AppState; params: Record<string, string | undefined> };

export function gatewayApiRoutes(router: Router<AppState>, graphql: GraphQL, answers: AnswerCache | undefined): void {
  const run = <R, V>(ctx: Ctx, document: TypedDocumentNode<R, V>, variables: V) =>
    runOperation(graphql, document, variables, ctx.state);
  const pathOf = (ctx: Ctx) => ctx.params.service_path ?? "";

  router.post(["/register", "/api/register"], async (ctx) => {
    const form = await readForm(ctx, FORM_LIMIT);
    for (const field of ["name", "description", "path", "proxy_pass_url"] as const) {
      if (form[field] === undefined) throw new HttpError(400, "VALIDATION_ERROR", `${field} is required`);
    }
    const input = serverInput(form) as RegisterServerInput;
    const data = await run(ctx, GatewayApiRegisterDocument, { input });
    const { server } = successOf(data.registerServer);
    ctx.status = 201;
    ctx.body = { message: "Service registered successfully", service: serverDetailsJson(server) };
  });

  router.post(["/toggle/*service_path", "/api/toggle/*service_path"], async (ctx) => {
    const form = await readForm(ctx, FORM_LIMIT);
    const enabled = form.enabled === "on";
    const data = await run(ctx, GatewayApiToggleDocument, { path: pathOf(ctx), enabled });
    const { server } = successOf(data.toggleServer);
    ctx.body = {
      message: `Service ${server.path} ${server.enabled ? "enabled" : "disabled"}`,
      ...statusJson(server),
      new_enabled_state: server.enabled,
    };
  });

  router.get("/edit/*service_path", async (ctx) => {
    const data = await run(ctx, GatewayApiServerDocument, { path: pathOf(ctx) });
    if (!data.server) throw notFound(pathOf(ctx));
    sendEditPage(ctx, serverDetailsJson(data.server));
  });

  router.post(["/edit/*service_path", "/api/edit/*service_path"], async (ctx) => {
    const form = await readForm(ctx, FORM_LIMIT);
    const data = await run(ctx, GatewayApiUpdateDocument, { path: pathOf(ctx), input: serverInput(form) });
    const { server } = successOf(data.updateServer);
    // /api/edit is for API clients (the original product's send `Accept: */*`): always JSON.
    if (ctx.path.startsWith("/api/") || ctx.accepts("html", "json") === "json") {
      ctx.body = serverDetailsJson(server);
    } else {
      ctx.status = 303;
      ctx.redirect("/");
    }
  });

  /** Reads whose finished answers are shared by callers with equal grants (answer-cache.ts). */
  const cachedRead = async (ctx: Ctx & { path: string; type: string; body: unknown }, build: () => Promise<unknown>) => {
    ctx.type = "json";
    // requireViewer ran before: every caller here is signed in.
    ctx.body = await cachedAnswer(answers, ctx.state.viewer!, ctx.path, build);
  };
  // The answers are cached whole, so the GraphQL result cache would only add work.
  const read = <R, V>(ctx: Ctx, document: TypedDocumentNode<R, V>, variables: V) =>
    runOperation(graphql, document, variables, { ...ctx.state, bypassResultCache: answers !== undefined });

  router.get("/api/server_details/*service_path", (ctx) => cachedRead(ctx, () => serverDetails(ctx)));
  router.get("/api/tools/*service_path", (ctx) => cachedRead(ctx, () => serverTools(ctx)));

  async function serverDetails(ctx: Ctx): Promise<unknown> {
    if (pathOf(ctx) === "all") {
      const all: Record<string, ReturnType<typeof serverDetailsJson>> = {};
      let after: string | null = null;
      do {
        const { servers }: GatewayApiServersQuery = await read(ctx, GatewayApiServersDocument, { after });
        for (const { node } of servers.edges) all[node.path] = serverDetailsJson(node);
        after = servers.pageInfo.hasNextPage ? servers.pageInfo.endCursor : null;
      } while (after !== null);
      return all;
    }
    const data = await read(ctx, GatewayApiServerDocument, { path: pathOf(ctx) });
    if (!data.server) throw notFound(pathOf(ctx));
    return serverDetailsJson(data.server);
  }

  async function serverTools(ctx: Ctx): Promise<unknown> {
    if (pathOf(ctx) === "all") {
      const tools: (ToolJson & { server_path: string; server_name: string })[] = [];
      const servers: Record<string, ToolJson[]> = {};
      let after: string | null = null;
      do {
        const page: GatewayApiToolsQuery = await read(ctx, GatewayApiToolsDocument, { after });
        for (const { node } of page.tools.edges) {
          const tool = toolJson(node);
          tools.push({ ...tool, server_path: node.server.path, server_name: node.server.name });
          (servers[node.server.path] ??= []).push(tool);
        }
        after = page.tools.pageInfo.hasNextPage ? page.tools.pageInfo.endCursor : null;
      } while (after !== null);
      return { service_path: "all", tools, servers };
    }
    const data = await read(ctx, GatewayApiServerToolsDocument, { path: pathOf(ctx) });
    const { server } = successOf(data.serverTools);
    return { service_path: server.path, tools: server.tools.map(toolJson) };
  }

  // The WebSocket's first message as one JSON answer, for clients that poll.
  router.get(["/ws/health_status", "/api/health/ws/health_status"], async (ctx) => {
    const map: Record<string, HealthEntryJson> = {};
    let after: string | null = null;
    do {
      const { servers }: HealthFeedServersQuery = await run(ctx, HealthFeedServersDocument, { after });
      for (const { node } of servers.edges) map[node.path] = healthEntryJson(node);
      after = servers.pageInfo.hasNextPage ? servers.pageInfo.endCursor : null;
    } while (after !== null);
    ctx.set("Cache-Control", "no-store");
    ctx.body = map;
  });

  router.post("/api/refresh/*service_path", async (ctx) => {
    const data = await run(ctx, GatewayApiRefreshDocument, { path: pathOf(ctx) });
    const { server } = successOf(data.refreshServer);
    ctx.body = { message: `Service ${server.path} refreshed`, ...statusJson(server) };
  });
}

/**
 * The form's text fields as GraphQL input: only fields sent, each turned into the
 * type the schema declares. Whether the values are acceptable is the schema's call;
 * this only refuses text that cannot be given the declared type.
 */
function serverInput(form: Record<string, string>): UpdateServerInput {
  const input: UpdateServerInput = {};
  if (form.name !== undefined) input.name = form.name;
  if (form.description !== undefined) input.description = form.description;
  if (form.path !== undefined) input.path = form.path;
  if (form.proxy_pass_url !== undefined) input.proxyPassUrl = form.proxy_pass_url;
  if (form.license !== undefined) input.license = form.license;
  if (form.tags !== undefined) input.tags = form.tags.split(",").filter((t) => t.trim() !== "");
  if (present(form.num_tools)) input.numTools = integer("num_tools", form.num_tools);
  if (present(form.num_stars)) input.numStars = integer("num_stars", form.num_stars);
  if (present(form.is_python)) input.isPython = boolean("is_python", form.is_python);
  if (present(form.metadata)) input.metadata = json("metadata", form.metadata);
  if (present(form.transport)) input.transport = transport(form.transport);
  if (present(form.upstream_timeout_seconds)) input.upstreamTimeoutSeconds = integer("upstream_timeout_seconds", form.upstream_timeout_seconds);
  return input;
}

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";

function invalid(field: string, message: string): HttpError {
  return new HttpError(400, "VALIDATION_ERROR", `${field} ${message}`);
}

const INT_MAX = 2_147_483_647;

function integer(field: string, value: string): number {
  if (!/^\s*-?\d{1,20}\s*$/.test(value)) throw invalid(field, "must be a whole number");
  // GraphQL's Int is 32-bit: a larger number would be refused as a malformed request.
  const n = Number(value);
  if (Math.abs(n) > INT_MAX) throw invalid(field, `must be at most ${INT_MAX}`);
  return n;
}

function boolean(field: string, value: string): boolean {
  const flagged = flagValue(value);
  if (flagged === undefined) throw invalid(field, "must be true or false");
  return flagged;
}

function json(field: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw invalid(field, "must be a JSON object");
  }
}

function transport(value: string): Transport {
  const v = value.trim().toUpperCase().replace(/-/g, "_");
  if (!(TRANSPORTS as readonly string[]).includes(v)) {
    throw invalid("transport", `must be one of ${TRANSPORTS.map((t) => t.toLowerCase()).join(", ")}`);
  }
  return v as Transport;
}
