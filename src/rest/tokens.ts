// /api/tokens: generate (in the token file format of the registry API document),
// list and revoke registry tokens. Parse, run the GraphQL operation, map.
import type Router from "@koa/router";
import type { OidcProviderConfig } from "../config.ts";
import { RestGenerateTokenDocument, RestListTokensDocument, RestRevokeTokenDocument } from "../generated/gql/graphql.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import { readForm } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import type { AppState } from "../http/state.ts";
import { runOperation } from "./execute.ts";
import { successOf } from "./shapes.ts";
import { tokenFile, tokenFileContext } from "../auth/token-file.ts";

const FORM_LIMIT = 16 * 1024;

export function tokenRoutes(router: Router<AppState>, graphql: GraphQL, opts: { publicUrl: string; providers: OidcProviderConfig[] }): void {
  router.post("/api/tokens/generate", async (ctx) => {
    const form = await readForm(ctx, FORM_LIMIT);
    const expires = form.expires_in ?? form.expiresIn;
    if (expires !== undefined && !/^\d+$/.test(expires)) {
      throw new HttpError(400, "VALIDATION_ERROR", "expires_in must be a whole number of seconds");
    }
    const scopes = form.scopes ?? form.scope;
    const data = await runOperation(
      graphql,
      RestGenerateTokenDocument,
      {
        input: {
          scopes: scopes === undefined ? undefined : scopes.split(/[\s,]+/).filter((s) => s !== ""),
          expiresInSeconds: expires === undefined ? undefined : Number(expires),
          description: form.description,
        },
      },
      ctx.state,
    );
    const { generated } = successOf(data.generateToken);
    ctx.set("Cache-Control", "no-store");
    ctx.body = tokenFile(generated, tokenFileContext(opts.publicUrl, opts.providers[0]));
  });

  router.get("/api/tokens", async (ctx) => {
    const data = await runOperation(graphql, RestListTokensDocument, { all: ctx.query.all === "true" }, ctx.state);
    ctx.body = {
      tokens: data.tokens.map((t) => ({
        jti: t.jti,
        username: t.username,
        scopes: t.scopes,
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
    if (result.__typename === "TokenNotFoundError") throw new HttpError(404, "NOT_FOUND", result.message);
    ctx.body = { message: "Token revoked", jti: result.token.jti, revoked_at: result.token.revokedAt };
  });
}
