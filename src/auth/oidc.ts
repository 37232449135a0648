// OpenID Connect login (authorization code with PKCE, state and nonce) through
// openid-client, for each configured provider. Discovery is lazy and retried, so a
// provider that is down at start-up does not stop the registry from starting.
import * as client from "openid-client";
import type { Config, OidcProviderConfig } from "../config.ts";
import { groupsFromClaims, usernameFromClaims, type Identity } from "./identity.ts";

export type PendingLogin = { provider: string; verifier: string; state: string; nonce: string; returnTo: string };

export class OidcClients {
  private readonly configs = new Map<string, Promise<client.Configuration>>();

  constructor(
    private readonly providers: OidcProviderConfig[],
    private readonly publicUrl: string,
  ) {}

  get list(): OidcProviderConfig[] {
    return this.providers;
  }

  find(id: string): OidcProviderConfig | undefined {
    return this.providers.find((p) => p.id === id);
  }

  redirectUri(id: string): string {
    return `${this.publicUrl}/auth/${id}/callback`;
  }

  async metadata(id: string): Promise<client.ServerMetadata> {
    return (await this.configuration(id)).serverMetadata();
  }

  /** Where to send the browser, and what to remember until it comes back. */
  async start(id: string, returnTo: string): Promise<{ url: URL; pending: PendingLogin }> {
    const config = await this.configuration(id);
    const verifier = client.randomPKCECodeVerifier();
    const pending: PendingLogin = {
      provider: id,
      verifier,
      state: client.randomState(),
      nonce: client.randomNonce(),
      returnTo,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(id),
      scope: "openid profile email",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** Completes the login: checks state, nonce and PKCE, redeems the code, reads the ID token's claims. */
  async finish(pending: PendingLogin, callbackQuery: string): Promise<{ identity: Identity; idToken: string | undefined }> {
    const provider = this.find(pending.provider);
    if (!provider) throw new Error(`unknown provider ${pending.provider}`);
    const config = await this.configuration(provider.id);
    const tokens = await client.authorizationCodeGrant(config, new URL(`${this.redirectUri(provider.id)}?${callbackQuery}`), {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = (tokens.claims() ?? {}) as Record<string, unknown>;
    return {
      identity: {
        subject: String(claims.sub),
        username: usernameFromClaims(claims),
        groups: groupsFromClaims(claims, provider.groupsClaim),
        scopes: null,
        authMethod: "session-oidc",
        provider: provider.id,
      },
      idToken: tokens.id_token,
    };
  }

  /** The provider's end-session URL (RP-initiated logout), when it publishes one. */
  async endSessionUrl(id: string, idToken: string | undefined, returnTo: string): Promise<URL | undefined> {
    const config = await this.configuration(id);
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    const params: Record<string, string> = { post_logout_redirect_uri: returnTo, client_id: config.clientMetadata().client_id };
    if (idToken) params.id_token_hint = idToken;
    return client.buildEndSessionUrl(config, params);
  }

  private configuration(id: string): Promise<client.Configuration> {
    let config = this.configs.get(id);
    if (!config) {
      const provider = this.find(id);
      if (!provider) return Promise.reject(new Error(`unknown provider ${id}`));
      const insecure = provider.issuer.startsWith("http:");
      config = client
        .discovery(new URL(provider.issuer), provider.clientId, provider.clientSecret, undefined, {
          // Plain-http issuers (a provider on the same host, tests) must be allowed explicitly.
          execute: insecure ? [client.allowInsecureRequests] : [],
          timeout: 10,
        })
        .catch((err: unknown) => {
          this.configs.delete(id); // try discovery again next time
          throw err;
        });
      this.configs.set(id, config);
    }
    return config;
  }
}

export type { Config };
