// Tools discovered on servers.
import type { Prisma } from "../../generated/prisma/client.ts";
import { normalizePath } from "../../servers/path.ts";
import { likeEscape } from "../../db/like.ts";
import { canCallTool, serversWhere } from "../../auth/policy.ts";
import { builder } from "../builder.ts";
import { storedIdOf } from "./node-id.ts";
import type { Context } from "../context.ts";
import { grantsOf } from "../viewer.ts";

export const ToolRef = builder.prismaNode("Tool", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id: storedIdOf(id), server: serversWhere(grantsOf(ctx)) }),
  // An unknown or hidden id answers null, not an error (findUniqueOrThrow otherwise).
  nullable: true,
  select: { id: true },
  description: "A tool an MCP server offers, as its tools/list reported it.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "The tool's name, unique on its server." }),
    title: t.exposeString("title", { nullable: true, description: "A display title, if the server gave one." }),
    description: t.exposeString("description", { description: "What the tool does, as the server describes it." }),
    inputSchema: t.field({ type: "JSON", description: "The JSON Schema of its arguments.", select: { inputSchema: true }, resolve: (tool) => tool.inputSchema }),
    outputSchema: t.field({
      type: "JSON",
      nullable: true,
      description: "The JSON Schema of its structured result, if it declares one.",
      select: { outputSchema: true },
      resolve: (tool) => tool.outputSchema,
    }),
    annotations: t.field({
      type: "JSON",
      nullable: true,
      description: "MCP tool annotations (readOnlyHint, destructiveHint, ...), if any.",
      select: { annotations: true },
      resolve: (tool) => tool.annotations,
    }),
    server: t.relation("server", { description: "The server that offers it." }),
    callable: t.boolean({
      description: "Whether the viewer's policy lets it call this tool (through the gateway).",
      select: { name: true, server: { select: { path: true } } },
      resolve: (tool, _args, ctx) => canCallTool(grantsOf(ctx), tool.server.path, tool.name),
    }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When a check last saw it change." }),
  }),
});

/** `indexed`: the tools the search index finds relevant to `search`; they match as well as substrings. */
function toolWhere(
  ctx: Context,
  serverPath: string | null | undefined,
  search: string | null | undefined,
  indexed: readonly string[] = [],
): Prisma.ToolWhereInput | null {
  const where: Prisma.ToolWhereInput = { server: serversWhere(grantsOf(ctx)) };
  if (serverPath != null) {
    const path = normalizePath(serverPath);
    if (!path.ok) return null;
    where.server = { AND: [serversWhere(grantsOf(ctx)), { path: path.path }] };
  }
  const text = search?.trim();
  if (text) {
    where.OR = [
      { name: { contains: likeEscape(text), mode: "insensitive" } },
      { description: { contains: likeEscape(text), mode: "insensitive" } },
      ...(indexed.length > 0 ? [{ id: { in: [...indexed] } }] : []),
    ];
  }
  return where;
}

async function indexedTools(ctx: Context, search: string | null | undefined): Promise<string[]> {
  const text = search?.trim();
  return text ? ctx.search.matchingIds(grantsOf(ctx), text, "tool") : [];
}

builder.queryFields((t) => ({
  tools: t.prismaConnection(
    {
      type: "Tool",
      cursor: "id",
      defaultSize: 100,
      maxSize: 1_000,
      description: "Tools of one server (serverPath), or of all servers when it is left out. Pages hold at most 1,000.",
      args: {
        serverPath: t.arg.string({ required: false, description: "Only this server's tools." }),
        search: t.arg.string({ required: false, description: "Tools the search index finds relevant (words, stems, close spellings), and those whose name or description contains it (case-insensitive)." }),
      },
      resolve: async (query, _root, args, ctx) => {
        const where = toolWhere(ctx, args.serverPath, args.search, await indexedTools(ctx, args.search));
        if (!where) return [];
        return ctx.prisma.tool.findMany({ ...query, where, orderBy: [{ serverId: "asc" }, { name: "asc" }, { id: "asc" }] });
      },
      totalCount: async (_connection, args, ctx) => {
        const where = toolWhere(ctx, args.serverPath, args.search, await indexedTools(ctx, args.search));
        return where ? ctx.prisma.tool.count({ where }) : 0;
      },
    },
    {
      // Declared again only for its description; the extension keeps the plugin's count-only shortcut.
      fields: (t) => ({
        totalCount: t.int({
          description: "How many tools match, on all pages.",
          extensions: { pothosPrismaTotalCount: true },
          resolve: (c) => (c as unknown as { totalCount: () => Promise<number> }).totalCount(),
        }),
      }),
    },
  ),
}));
