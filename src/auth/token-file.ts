// The token file format of the registry API document (.oauth-tokens/mcp-registry-api-tokens-YYYY-MM-DD.json),
// built in one place for POST /api/tokens/generate and the web UI's download. Pure, so it runs in the browser too.

export type TokenFileContext = {
  registryUrl: string;
  keycloakUrl: string | null;
  realm: string | null;
  clientId: string | null;
};

export type GeneratedTokenFields = {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  token: { jti: string; scopes: string[]; expiresAt: string };
};

export function tokenFile(generated: GeneratedTokenFields, context: TokenFileContext) {
  return {
    tokens: {
      access_token: generated.accessToken,
      refresh_token: null,
      token_type: generated.tokenType,
      expires_in: generated.expiresIn,
      scope: generated.token.scopes.join(" "),
      jti: generated.token.jti,
    },
    registry_url: context.registryUrl,
    keycloak_url: context.keycloakUrl,
    realm: context.realm,
    client_id: context.clientId,
    expires_at: generated.token.expiresAt,
  };
}

/** The document's file name: mcp-registry-api-tokens-YYYY-MM-DD.json (UTC date). */
export function tokenFileName(now: Date): string {
  return `mcp-registry-api-tokens-${now.toISOString().slice(0, 10)}.json`;
}

/** Keycloak issuers look like https://kc.example.com/realms/<realm>. */
export function tokenFileContext(publicUrl: string, provider: { issuer: string; clientId: string } | undefined): TokenFileContext {
  const m = provider && /^(https?:\/\/.+?)\/realms\/([^/]+)$/.exec(provider.issuer);
  return {
    registryUrl: publicUrl,
    keycloakUrl: m?.[1] ?? null,
    realm: m?.[2] ?? null,
    clientId: provider?.clientId ?? null,
  };
}
