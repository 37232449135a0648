// /api/tokens: generate (in the token file format of the registry API document),
// list and revoke registry tokens. Parse, run the GraphQL operation, map.
//
// Generate takes either body: ours (`scopes`, `expires_in` seconds, `description`, as a
// form or JSON), or the original product's JSON (`requested_scopes` list,
// `expires_in_hours`, `description`), which its CLI and UI send; either may add `servers`
// (paths the token is limited to, a list or comma-separated). Any other field is
// refused, so a misspelt or unsupported request never silently gets every scope.
import type Router from "@koa/router";
import type { OidcProviderConfig } from "../config.ts";
import {
  RestGenerateTokenDocument,
  RestListTokensDocument,
  RestRevokeTokenDocument,
  type GenerateTokenInput,
} from "../generated/gql/graphql.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import { readFields } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import type { AppState } from "../http/state.ts";
import { runOperation } from "./execute.ts";
import { httpErrorOf, snake } from "./shapes.ts";
import { tokenFile, tokenFileContext } from "../auth/token-file.ts";

const FORM_LIMIT = 16 * 1024;

export function tokenRoutes(
  router: Router<AppState>,
  graphql: GraphQL,
  opts: { publicUrl: string; providers: OidcProviderConfig[]; tokenMaxTtlSeconds: number },
): void {
  router.post("/api/tokens/generate", async (ctx) => {
    const request = tokenRequest(await readFields(ctx, FORM_LIMIT));
    const data = await runOperation(graphql, RestGenerateTokenDocument, { input: request.input }, ctx.state);
    const result = data.generateToken;
    if (result.__typename === "ValidationError") {
      const first = result.fieldErrors[0];
      if (first?.field === "expiresInSeconds" && request.hours) {
        throw invalid(`expires_in_hours must be at most ${Number((opts.tokenMaxTtlSeconds / 3600).toFixed(2))}`);
      }
      if (first?.field === "scopes" && request.scopesField === "requested_scopes") {
        throw invalid(`requested_scopes ${first.message}`);
      }
      throw invalid(first ? `${snake(first.field)} ${first.message}` : result.message);
    }
    if (result.__typename === "ForbiddenError") throw httpErrorOf(result);
    ctx.set("Cache-Control", "no-store");
    ctx.body = tokenFile(result.generated, tokenFileContext(opts.publicUrl, opts.providers[0]));
  });

  router.get("/api/tokens", async (ctx) => {
    const data = await runOperation(graphql, RestListTokensDocument, { all: ctx.query.all === "true" }, ctx.state);
    ctx.body = {
      tokens: data.tokens.map((t) => ({
        jti: t.jti,
        username: t.username,
        scopes: t.scopes,
        servers: t.servers,
        description: t.description,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        revoked_at: t.revokedAt ?? null,
        active: t.active,
      })),
    };
  });

  router.post("/api/tokens/:jti/revoke", async (ctx) => {
    const data = await runOperation(graphql, RestRevokeTokenDocument, { jti: ctx.params.jti ?? "" }, ctx.state);
    const result = data.revokeToken;
    if (result.__typename === "TokenNotFoundError") throw httpErrorOf(result);
    ctx.body = { message: "Token revoked", jti: result.token.jti, revoked_at: result.token.revokedAt };
  });
}

const FIELDS = new Set(["scopes", "scope", "requested_scopes", "servers", "expires_in", "expiresIn", "expires_in_hours", "description"]);

const invalid = (message: string) => new HttpError(400, "VALIDATION_ERROR", message);

type TokenRequest = { input: GenerateTokenInput; hours: boolean; scopesField: string | undefined };

/** The body as GraphQL input; which scopes and lifetime are allowed is the schema's call. */
function tokenRequest(body: Record<string, unknown>): TokenRequest {
  const names = Object.keys(body);
  const unknown = names.filter((n) => !FIELDS.has(n));
  if (unknown.length > 0) throw invalid(`unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.map((n) => JSON.stringify(n)).join(", ")}`);
  const scopeFields = names.filter((n) => n === "scopes" || n === "scope" || n === "requested_scopes");
  const lifetimeFields = names.filter((n) => n === "expires_in" || n === "expiresIn" || n === "expires_in_hours");
  if (scopeFields.length > 1) throw invalid(`send one of ${scopeFields.join(", ")}`);
  if (lifetimeFields.length > 1) throw invalid(`send one of ${lifetimeFields.join(", ")}`);
  const scopesField = scopeFields[0];
  const lifetimeField = lifetimeFields[0];

  let scopes: string[] | undefined;
  if (scopesField !== undefined) {
    const value = body[scopesField];
    if (typeof value === "string") scopes = value.split(/[\s,]+/).filter((s) => s !== "");
    else if (Array.isArray(value) && value.every((s): s is string => typeof s === "string")) scopes = value;
    else throw invalid(`${scopesField} must be a list of scope names`);
    // The original product's meaning of an empty requested_scopes: the scopes the caller holds.
    if (scopesField === "requested_scopes" && scopes.length === 0) scopes = undefined;
  }

  let expiresInSeconds: number | undefined;
  if (lifetimeField !== undefined) {
    const value = body[lifetimeField];
    // Any whole number is read (a huge one as "too long", for the range rule's message below).
    const n = typeof value === "number" ? value : typeof value === "string" && /^\d{1,30}$/.test(value) ? Number(value) : NaN;
    const hours = lifetimeField === "expires_in_hours";
    if (!Number.isInteger(n) || n < (hours ? 1 : 0)) {
      throw invalid(hours ? "expires_in_hours must be a whole number of hours, 1 or more" : `${lifetimeField} must be a whole number of seconds`);
    }
    // Past GraphQL's Int the schema would refuse the request itself; the range message is clearer.
    expiresInSeconds = Math.min(hours ? n * 3600 : n, 2_147_483_647);
  }

  let servers: string[] | undefined;
  if (body.servers !== undefined) {
    const value = body.servers;
    if (typeof value === "string") servers = value.split(/[\s,]+/).filter((s) => s !== "");
    else if (Array.isArray(value) && value.every((s): s is string => typeof s === "string")) servers = value;
    else throw invalid("servers must be a list of server paths");
  }

  const description = body.description;
  if (description !== undefined && typeof description !== "string") throw invalid("description must be text");
  return { input: { scopes, servers, expiresInSeconds, description }, hours: lifetimeField === "expires_in_hours", scopesField };
}
