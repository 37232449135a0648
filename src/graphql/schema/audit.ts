// The audit log through GraphQL: its events (admins see everyone's, others their own) and
// the check of its hash chain (admins).
import { verifyAuditChain, type ChainCheck } from "../../audit/log.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { builder } from "../builder.ts";
import type { Context } from "../context.ts";
import { signedInViewer } from "../viewer.ts";

builder.prismaObject("AuditEvent", {
  description: "One change or gateway tool call, as the audit log recorded it. Never arguments, results or secrets.",
  fields: (t) => ({
    sequence: t.string({ description: "Its position in the hash chain.", resolve: (e) => e.id.toString() }),
    at: t.expose("at", { type: "DateTime", description: "When it happened." }),
    actor: t.exposeString("actor", { description: "The subject of the identity that did it (`anonymous` for a failed sign-in)." }),
    actorName: t.exposeString("actorName", { description: "Its user name when it was recorded." }),
    authMethod: t.exposeString("authMethod", { nullable: true, description: "How it was signed in (session, bearer-oidc, bearer-registry ...)." }),
    action: t.exposeString("action", { description: "What happened: server.toggle, token.revoke, auth.sign_in_failed, gateway.tools_call ..." }),
    serverPath: t.exposeString("serverPath", { nullable: true, description: "The server it concerned." }),
    tool: t.exposeString("tool", { nullable: true, description: "The tool called, for gateway calls." }),
    outcome: t.exposeString("outcome", { description: "ok, denied or error." }),
    latencyMs: t.exposeInt("latencyMs", { nullable: true, description: "How long it took, for gateway calls." }),
    session: t.exposeString("session", { nullable: true, description: "The MCP session, for gateway calls." }),
    tokenHint: t.exposeString("tokenHint", { nullable: true, description: "At most 6 characters of the registry token's id it used." }),
    details: t.expose("details", { type: "JSONObject", description: "Small facts about the change, such as `{\"enabled\": true}`." }),
  }),
});

const AuditEventFilter = builder.inputType("AuditEventFilter", {
  description: "Which audit events to return; every field given must match.",
  fields: (t) => ({
    actor: t.string({ required: false, description: "The actor's subject or user name." }),
    serverPath: t.string({ required: false, description: "The server's path, such as /weather." }),
    action: t.string({ required: false, description: "The action, such as server.toggle." }),
    since: t.field({ type: "DateTime", required: false, description: "Only events at or after this time." }),
  }),
});

type Filter = { actor?: string | null; serverPath?: string | null; action?: string | null; since?: Date | null } | null | undefined;

function auditWhere(ctx: Context, filter: Filter): Prisma.AuditEventWhereInput {
  const viewer = signedInViewer(ctx);
  const and: Prisma.AuditEventWhereInput[] = [];
  // Someone who is not an admin sees what they did, and nothing else.
  if (!viewer.grants.admin) and.push({ actor: viewer.identity.subject });
  if (filter?.actor) and.push({ OR: [{ actor: filter.actor }, { actorName: filter.actor }] });
  if (filter?.serverPath) and.push({ serverPath: filter.serverPath });
  if (filter?.action) and.push({ action: filter.action });
  if (filter?.since) and.push({ at: { gte: filter.since } });
  return { AND: and };
}

const AuditChainCheck = builder.objectRef<ChainCheck>("AuditChainCheck").implement({
  description: "The audit log's hash chain, checked row by row from its anchor to its head.",
  fields: (t) => ({
    ok: t.exposeBoolean("ok", { description: "True when every row follows from the one before and the head names the last row." }),
    checked: t.exposeInt("checked", { description: "Rows checked (up to the first broken one)." }),
    anchor: t.string({ description: "The last row a retention trim removed (0: none); the check starts after it.", resolve: (c) => c.anchorId.toString() }),
    brokenAt: t.string({ nullable: true, description: "The first row that does not follow, or the head's row when the newest rows are gone.", resolve: (c) => c.brokenAt?.toString() ?? null }),
    reason: t.exposeString("reason", { nullable: true, description: "What is wrong at `brokenAt`." }),
  }),
});

builder.queryFields((t) => ({
  auditEvents: t.prismaConnection({
    type: "AuditEvent",
    cursor: "id",
    defaultSize: 50,
    maxSize: 500,
    description: "The audit log, newest first: everyone's for admins, the caller's own for anyone else. Pages hold at most 500.",
    args: { filter: t.arg({ type: AuditEventFilter, required: false, description: "Only events that match." }) },
    resolve: (query, _root, args, ctx) => ctx.prisma.auditEvent.findMany({ ...query, where: auditWhere(ctx, args.filter), orderBy: { id: "desc" } }),
  }),
  auditChain: t.field({
    type: AuditChainCheck,
    nullable: true,
    description: "Checks the audit log's hash chain now (it reads every row); null for callers who are not admins.",
    resolve: (_r, _a, ctx) => (signedInViewer(ctx).grants.admin ? verifyAuditChain(ctx.prisma) : null),
  }),
}));
