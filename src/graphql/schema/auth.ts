// The caller and what it may do, the access policy, and registry-issued tokens.
import { replaceAccessPolicy } from "../../auth/policy-store.ts";
import { canRegister, describeGrants, PERMISSIONS, scopesHeld } from "../../auth/policy.ts";
import { generateToken, listTokens, revokeToken } from "../../auth/tokens.ts";
import { builder } from "../builder.ts";
import type { Context } from "../context.ts";
import { signedInViewer } from "../viewer.ts";
import { ForbiddenError, resultOf, TokenNotFoundError, ValidationError } from "./errors.ts";

const PERMISSION_DOCS: Record<(typeof PERMISSIONS)[number], string> = {
  list_service: "See the server, its tools and health.",
  register_service: "Register servers at matching paths.",
  modify_service: "Edit or delete the server.",
  toggle_service: "Enable or disable the server.",
  health_check_service: "Run a health check on the server now.",
  use_service: "Connect to the server through the gateway (/{path}/mcp) and call the tools the rule's `tools` allow.",
  publish: "Publish to the registry, and set statuses, in matching namespaces.",
};

const PermissionEnum = builder.enumType("Permission", {
  description: "What a policy can allow on a server.",
  values: Object.fromEntries(
    PERMISSIONS.map((p) => [p.toUpperCase(), { value: p.toUpperCase(), description: PERMISSION_DOCS[p] }]),
  ) as Record<string, { value: string; description: string }>,
});
const toEnum = (p: string) => p.toUpperCase();

const Grant = builder
  .objectRef<{ servers: string[]; namespaces: string[]; permissions: string[]; tools: string[] }>("PermissionGrant")
  .implement({
    description: "Permissions on the servers the selectors match (`all`, a path, or a prefix ending in *).",
    fields: (t) => ({
      servers: t.exposeStringList("servers", { description: "Which servers: `all`, a path, or a path prefix ending in *." }),
      namespaces: t.exposeStringList("namespaces", {
        description: "Registry namespaces where PUBLISH applies: `all`, a namespace, or a prefix ending in *.",
      }),
      permissions: t.field({ type: [PermissionEnum], description: "What is allowed on them.", resolve: (g) => g.permissions.map(toEnum) }),
      tools: t.exposeStringList("tools", { description: "Tools that may be called: `all`, names, or prefixes ending in *." }),
    }),
  });

const ViewerRef = builder.objectRef<Context>("Viewer").implement({
  description: "The signed-in caller.",
  fields: (t) => ({
    subject: t.string({ description: "The stable id of the caller at its identity provider.", resolve: (ctx) => signedInViewer(ctx).identity.subject }),
    username: t.string({ description: "The caller's user name.", resolve: (ctx) => signedInViewer(ctx).identity.username }),
    groups: t.stringList({ description: "The caller's groups, which the access policy grants permissions to.", resolve: (ctx) => signedInViewer(ctx).identity.groups }),
    authMethod: t.string({
      description: "session-oidc, session-local, bearer-oidc or bearer-registry.",
      resolve: (ctx) => signedInViewer(ctx).identity.authMethod,
    }),
    provider: t.string({ nullable: true, description: "The identity provider it signed in with; null for the local admin and registry tokens.", resolve: (ctx) => signedInViewer(ctx).identity.provider ?? null }),
    isAdmin: t.boolean({ description: "Whether it is in the admin group (every permission everywhere).", resolve: (ctx) => signedInViewer(ctx).grants.admin }),
    canRegister: t.boolean({
      description: "Whether the caller may register servers at all (register_service on some path); each path is still checked.",
      resolve: (ctx) => canRegister(signedInViewer(ctx).grants),
    }),
    scopes: t.stringList({
      description: "Scopes this caller holds; a registry token it generates may carry any subset.",
      resolve: (ctx) => scopesHeld(signedInViewer(ctx).grants, signedInViewer(ctx).identity),
    }),
    permissions: t.field({ type: [Grant], description: "What the policy grants it, and where.", resolve: (ctx) => describeGrants(signedInViewer(ctx).grants) }),
  }),
});

const PolicyRef = builder.objectRef<Context>("AccessPolicy").implement({
  description: "Which groups may do what on which servers.",
  fields: (t) => ({
    document: t.field({
      type: "JSON",
      description: "The policy as written: { groups: { <group>: [{ servers, permissions, tools }] } }.",
      resolve: (ctx) => ctx.auth.policy.document,
    }),
    adminGroup: t.string({ description: "The group whose members are admins (ADMIN_GROUP).", resolve: (ctx) => ctx.auth.adminGroup }),
    updatedAt: t.field({ type: "DateTime", nullable: true, description: "When it was last changed; null if never.", resolve: (ctx) => ctx.auth.policy.updatedAt }),
    updatedBy: t.string({ nullable: true, description: "Who last changed it; null if nobody has.", resolve: (ctx) => ctx.auth.policy.updatedBy }),
  }),
});

type TokenShape = {
  jti: string;
  parentJti: string | null;
  username: string;
  scopes: string[];
  servers: string[];
  description: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
};

const ApiTokenRef = builder.objectRef<TokenShape>("ApiToken").implement({
  description: "A token this registry issued. The token itself is shown only once, when it is generated.",
  fields: (t) => ({
    jti: t.exposeString("jti", { description: "The token's id, for revokeToken." }),
    parentJti: t.exposeString("parentJti", {
      nullable: true,
      description: "The registry token this one was generated with; revoking that one revoked this one too.",
    }),
    username: t.exposeString("username", { description: "Whose token it is." }),
    scopes: t.exposeStringList("scopes", { description: "What it may do (a subset of its owner's scopes)." }),
    servers: t.exposeStringList("servers", { description: "The server paths it is limited to; empty when it is not limited." }),
    description: t.exposeString("description", { description: "What its owner said it is for." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was issued." }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", description: "When it stops working." }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true, description: "When it was revoked; null if it was not." }),
    active: t.boolean({ description: "Neither revoked nor expired.", resolve: (tok) => !tok.revokedAt && tok.expiresAt.getTime() > Date.now() }),
  }),
});

const GeneratedToken = builder
  .objectRef<{ accessToken: string; expiresIn: number; token: TokenShape }>("GeneratedToken")
  .implement({
    description: "A newly issued registry token.",
    fields: (t) => ({
      accessToken: t.exposeString("accessToken", { description: "The bearer token. Store it now: it is not shown again." }),
      tokenType: t.string({ description: "Always `bearer`: send it as `Authorization: Bearer <accessToken>`.", resolve: () => "bearer" }),
      expiresIn: t.exposeInt("expiresIn", { description: "Seconds until it expires." }),
      token: t.field({ type: ApiTokenRef, description: "The token's record, as `tokens` lists it.", resolve: (g) => g.token }),
    }),
  });

const GenerateTokenInput = builder.inputType("GenerateTokenInput", {
  description: "What the new token may do, and for how long.",
  fields: (t) => ({
    scopes: t.stringList({ required: false, description: "A subset of viewer.scopes; all of them when left out." }),
    servers: t.stringList({
      required: false,
      description:
        "Server paths (at most 32) the token is limited to: it may do what its scopes allow on these servers and nothing else (no admin, no publish). Not limited when left out; a token limited to servers generates tokens for a subset of them.",
    }),
    expiresInSeconds: t.int({
      required: false,
      description:
        "Lifetime; the server's default when left out, at most its maximum. Generated with a registry token: at most what that token has left.",
    }),
    description: t.string({ required: false, description: "What it is for, shown in the token list." }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({ type: ViewerRef, description: "The signed-in caller and what it may do.", resolve: (_r, _a, ctx) => ctx }),
  accessPolicy: t.field({
    type: PolicyRef,
    nullable: true,
    description: "The access policy; null for callers who are not admins.",
    resolve: (_r, _a, ctx) => (signedInViewer(ctx).grants.admin ? ctx : null),
  }),
  tokens: t.field({
    type: [ApiTokenRef],
    args: { all: t.arg.boolean({ required: false, description: "Admins only: every user's tokens." }) },
    description: "Registry-issued tokens of the caller (newest first).",
    resolve: (_r, args, ctx) => listTokens(ctx.auth, signedInViewer(ctx), args.all ?? false),
  }),
}));

builder.mutationFields((t) => ({
  updateAccessPolicy: t.field({
    type: PolicyRef,
    args: { document: t.arg({ type: "JSON", required: true, description: "The new policy: { groups: { <group>: [{ servers, permissions, tools }] } }." }) },
    description: "Replaces the access policy (admins only). Takes effect at once on every replica.",
    errors: { types: [ValidationError, ForbiddenError], ...resultOf("updateAccessPolicy", "policy", "The access policy now in force.") },
    resolve: async (_r, args, ctx) => {
      await replaceAccessPolicy({ policy: ctx.auth.policy, changes: ctx.db.changes }, signedInViewer(ctx), args.document);
      return ctx;
    },
  }),

  generateToken: t.field({
    type: GeneratedToken,
    args: { input: t.arg({ type: GenerateTokenInput, required: false, description: "Scopes, lifetime and description." }) },
    description:
      "Issues a registry token for the caller, limited to the scopes asked for. A registry token may generate tokens that expire no later than itself and are revoked with it; those cannot generate tokens.",
    errors: { types: [ValidationError, ForbiddenError], ...resultOf("generateToken", "generated", "The new token, shown this once.") },
    resolve: (_r, args, ctx) => generateToken(ctx.auth, signedInViewer(ctx), args.input ?? {}, ctx.log),
  }),

  revokeToken: t.field({
    type: ApiTokenRef,
    args: { jti: t.arg.string({ required: true, description: "The token's id (ApiToken.jti)." }) },
    description: "Revokes one of the caller's tokens (admins: anyone's). It stops working at once on every replica.",
    errors: { types: [TokenNotFoundError], ...resultOf("revokeToken", "token", "The revoked token.") },
    resolve: (_r, args, ctx) => revokeToken(ctx.auth, signedInViewer(ctx), args.jti, ctx.log),
  }),
}));
