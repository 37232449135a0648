/**
 * In-process OpenID Connect provider for tests, shaped like a Keycloak realm.
 *
 * Built on `oidc-provider` 9.x, mounted under `/realms/<realm>` on a plain
 * node:http server bound to 127.0.0.1 on a random port.
 */
import { randomUUID, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, {
  errors,
  type Account,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
  type ResourceServer,
} from 'oidc-provider';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';

export interface IdpUser {
  username: string;
  password: string;
  /** Subject; defaults to a random UUID like Keycloak user ids. */
  sub?: string;
  email?: string;
  name?: string;
  /** Group names; a leading "/" is added if missing (Keycloak "full group path"). */
  groups?: string[];
  /** Realm roles, emitted as `realm_access.roles`. */
  roles?: string[];
}

export interface IdpM2mClient {
  clientId: string;
  clientSecret: string;
  groups?: string[];
  roles?: string[];
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface IdpOptions {
  /** Realm name; the issuer is `http://127.0.0.1:<port>/realms/<realm>`. */
  realm?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  webClientId?: string;
  webClientSecret?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  /** Extra client_credentials clients; `mcp-gateway-m2m` is always created unless overridden here. */
  m2mClients?: IdpM2mClient[];
  /** oidc-provider accepts exactly one method per client (Keycloak accepts both). */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  users?: IdpUser[];
  /** `aud` of every JWT access token. */
  audience?: string;
  /** Scopes (besides OIDC ones) that the API resource server knows about. */
  apiScopes?: string[];
  accessTokenTtlSeconds?: number;
}

export interface IssueAccessTokenOptions {
  sub?: string;
  preferredUsername?: string;
  groups?: string[];
  roles?: string[];
  scope?: string;
  clientId?: string;
  /** Defaults to the IdP's configured audience. */
  aud?: string | string[];
  /** Defaults to the IdP issuer. */
  iss?: string;
  /** Lifetime in seconds from `iat`; negative values make an already expired token. Default 300. */
  expiresIn?: number;
  /** Seconds since epoch; defaults to now. */
  iat?: number;
  /** Seconds since epoch. */
  nbf?: number;
  /** Defaults to the provider's signing key id. */
  kid?: string;
  typ?: string;
  /** Extra/override claims merged last. */
  claims?: JWTPayload;
}

export interface Idp {
  issuer: string;
  /** `http://127.0.0.1:<port>`, without the realm path. */
  origin: string;
  discoveryUrl: string;
  jwksUri: string;
  /** Public JWKS served by the provider. */
  jwks: JSONWebKeySet;
  audience: string;
  /** Resource indicator (absolute URI) that maps to `audience`. */
  resource: string;
  webClient: { clientId: string; clientSecret: string };
  m2mClients: IdpM2mClient[];
  users: Required<Pick<IdpUser, 'username' | 'sub'>>[];
  provider: Provider;
  issueAccessToken(opts?: IssueAccessTokenOptions): Promise<string>;
  close(): Promise<void>;
}

const SIGNING_ALG = 'RS256';

const toGroupPath = (group: string): string => (group.startsWith('/') ? group : `/${group}`);

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(action: string, clientId: string, error?: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign in</title></head>
<body>
<h1>Sign in to ${escapeHtml(clientId)}</h1>
${error ? `<p id="error">${escapeHtml(error)}</p>` : ''}
<form id="login" method="post" action="${escapeHtml(action)}">
<input type="text" name="username" autocomplete="username" autofocus>
<input type="password" name="password" autocomplete="current-password">
<button type="submit">Sign in</button>
</form>
</body></html>`;
}

export async function startIdp(opts: IdpOptions = {}): Promise<Idp> {
  const realm = opts.realm ?? 'mcp-gateway';
  const realmPath = `/realms/${realm}`;
  const audience = opts.audience ?? 'mcp-gateway';
  // Resource indicators must be absolute URIs; the JWT `aud` can still be a bare name.
  const resource = `urn:mcp-gateway:resource:${audience}`;
  const authMethod = opts.tokenEndpointAuthMethod ?? 'client_secret_post';
  const accessTokenTtl = opts.accessTokenTtlSeconds ?? 300;

  const webClient = {
    clientId: opts.webClientId ?? 'mcp-gateway-web',
    clientSecret: opts.webClientSecret ?? randomBytes(24).toString('base64url'),
  };
  const m2mClients: IdpM2mClient[] = opts.m2mClients ?? [
    {
      clientId: 'mcp-gateway-m2m',
      clientSecret: randomBytes(24).toString('base64url'),
      groups: ['mcp-servers-unrestricted'],
      roles: [],
    },
  ];
  const m2mById = new Map(m2mClients.map((c) => [c.clientId, c]));

  const users = (opts.users ?? []).map((u) => ({ ...u, sub: u.sub ?? randomUUID() }));
  const usersBySub = new Map(users.map((u) => [u.sub, u]));
  const usersByName = new Map(users.map((u) => [u.username, u]));

  const apiScopes = ['openid', 'profile', 'email', ...(opts.apiScopes ?? [])];

  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), alg: SIGNING_ALG, use: 'sig' };
  const kid = await calculateJwkThumbprint(publicJwk);
  publicJwk.kid = kid;
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), alg: SIGNING_ALG, use: 'sig', kid };
  const jwks: JSONWebKeySet = { keys: [publicJwk] };

  const userClaims = (u: (typeof users)[number]) => ({
    preferred_username: u.username,
    groups: (u.groups ?? []).map(toGroupPath),
    realm_access: { roles: u.roles ?? [] },
  });

  const clients: ClientMetadata[] = [
    {
      client_id: webClient.clientId,
      client_secret: webClient.clientSecret,
      redirect_uris: opts.redirectUris ?? ['http://127.0.0.1/callback'],
      post_logout_redirect_uris: opts.postLogoutRedirectUris ?? [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: authMethod,
    },
    ...m2mClients.map(
      (c): ClientMetadata => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: authMethod,
      }),
    ),
  ];

  const resourceServer: ResourceServer = {
    scope: apiScopes.join(' '),
    audience,
    accessTokenTTL: accessTokenTtl,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: SIGNING_ALG } },
  };

  const configuration: Configuration = {
    clients,
    jwks: { keys: [privateJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', ...(opts.apiScopes ?? [])],
    // Keycloak's default mappers put these into the ID token for every login, hence under `openid`.
    claims: {
      openid: ['sub', 'preferred_username', 'groups', 'realm_access'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    // Without this, code-flow ID tokens only carry `sub` (claims would be userinfo-only).
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Logout</title></head><body>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
</body></html>`;
        },
      },
      resourceIndicators: {
        enabled: true,
        // Every request targets the gateway API, so access tokens are always JWTs with `aud`.
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? resource,
        // Return the JWT for the granted resource even when `openid` was requested (Keycloak behaviour);
        // the price is that these access tokens are not accepted by the userinfo endpoint.
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return resourceServer;
        },
      },
    },
    interactions: {
      url: (_ctx, interaction) => `${realmPath}/interaction/${interaction.uid}`,
    },
    // Keycloak clients default to "consent not required": grant whatever was requested.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      if (!oidc.client || !oidc.session?.accountId) return undefined;
      const clientId = oidc.client.clientId;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(clientId);
      const grant =
        (grantId ? await oidc.provider.Grant.find(grantId) : undefined) ??
        new oidc.provider.Grant({ accountId: oidc.session.accountId, clientId });
      grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
      grant.addOIDCClaims([...oidc.requestParamClaims]);
      for (const [indicator, rs] of Object.entries(oidc.resourceServers ?? {})) {
        grant.addResourceScope(indicator, [...oidc.requestParamScopes].filter((s) => rs.scopes.has(s)).join(' '));
      }
      await grant.save();
      return grant;
    },
    // Keycloak issues refresh tokens to code-flow clients without `offline_access`.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    findAccount: (_ctx, sub): Account | undefined => {
      const user = usersBySub.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          ...userClaims(user),
          name: user.name,
          email: user.email,
          email_verified: user.email ? true : undefined,
        }),
      };
    },
    extraTokenClaims: (_ctx, token) => {
      const base = { azp: token.clientId };
      if (token.kind === 'ClientCredentials') {
        const client = token.clientId ? m2mById.get(token.clientId) : undefined;
        return {
          ...base,
          preferred_username: `service-account-${token.clientId}`,
          groups: (client?.groups ?? []).map(toGroupPath),
          realm_access: { roles: client?.roles ?? [] },
        };
      }
      const user = token.accountId ? usersBySub.get(token.accountId) : undefined;
      return user ? { ...base, ...userClaims(user) } : base;
    },
    ttl: {
      AccessToken: accessTokenTtl,
      ClientCredentials: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: accessTokenTtl,
      RefreshToken: 30 * 60,
      Interaction: 10 * 60,
      Session: 60 * 60,
      Grant: 60 * 60,
    },
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const issuer = `${origin}${realmPath}`;

  const provider = new Provider(issuer, configuration);
  const providerCallback = provider.callback();

  async function handleInteraction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
    const clientId = String(details.params.client_id ?? '');
    const formAction = `${realmPath}/interaction/${uid}/login`;

    if (details.prompt.name !== 'login') {
      // loadExistingGrant auto-grants consent, so only the login prompt should ever reach us.
      throw new Error(`unexpected prompt ${details.prompt.name}`);
    }
    if (req.method === 'GET' && action === undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(loginPage(formAction, clientId));
      return;
    }
    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const user = usersByName.get(form.get('username') ?? '');
      if (!user || user.password !== form.get('password')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(loginPage(formAction, clientId, 'Invalid username or password.'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(405).end();
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== realmPath && !url.pathname.startsWith(`${realmPath}/`)) {
      res.writeHead(404).end();
      return;
    }
    const interaction = /^\/interaction\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname.slice(realmPath.length));
    if (interaction) {
      handleInteraction(req, res, interaction[1]!, interaction[2]).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'interaction_failed', error_description: String(err) }));
      });
      return;
    }
    // Mount like Express does: oidc-provider derives its mount path from originalUrl vs url.
    const mutable = req as IncomingMessage & { originalUrl?: string };
    const original = req.url ?? '/';
    mutable.originalUrl = original;
    req.url = original.slice(realmPath.length) || '/';
    void providerCallback(req, res);
  });

  async function issueAccessToken(o: IssueAccessTokenOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const iat = o.iat ?? now;
    const payload: JWTPayload = {
      iss: o.iss ?? issuer,
      sub: o.sub ?? randomUUID(),
      aud: o.aud ?? audience,
      iat,
      exp: iat + (o.expiresIn ?? 300),
      jti: randomUUID(),
      client_id: o.clientId ?? webClient.clientId,
      azp: o.clientId ?? webClient.clientId,
      scope: o.scope ?? 'openid profile email',
      groups: (o.groups ?? []).map(toGroupPath),
      realm_access: { roles: o.roles ?? [] },
      ...(o.preferredUsername !== undefined ? { preferred_username: o.preferredUsername } : {}),
      ...(o.nbf !== undefined ? { nbf: o.nbf } : {}),
      ...o.claims,
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: SIGNING_ALG, kid: o.kid ?? kid, typ: o.typ ?? 'at+jwt' })
      .sign(privateKey);
  }

  return {
    issuer,
    origin,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    jwksUri: `${issuer}/jwks`,
    jwks,
    audience,
    resource,
    webClient,
    m2mClients,
    users: users.map((u) => ({ username: u.username, sub: u.sub })),
    provider,
    issueAccessToken,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Minimal cookie jar: host-only cookies for one origin, honouring Path and expiry. */
export class CookieJar {
  readonly #cookies = new Map<string, { name: string; value: string; path: string; expires?: number }>();

  store(res: Response): void {
    for (const header of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = header.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expires: number | undefined;
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=');
        const key = k.toLowerCase();
        if (key === 'path') path = v;
        else if (key === 'max-age') expires = Date.now() + Number(v) * 1000;
        else if (key === 'expires' && expires === undefined) expires = Date.parse(v);
      }
      const id = `${name};${path}`;
      if (expires !== undefined && expires <= Date.now()) this.#cookies.delete(id);
      else this.#cookies.set(id, { name, value, path, ...(expires !== undefined ? { expires } : {}) });
    }
  }

  header(url: URL): string {
    const now = Date.now();
    return [...this.#cookies.values()]
      .filter((c) => (c.expires === undefined || c.expires > now) && pathMatches(url.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  return (
    requestPath === cookiePath ||
    (requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'))
  );
}

export interface BrowserOptions {
  /** Reuse a jar to keep the IdP session (SSO, logout). */
  jar?: CookieJar;
  maxRedirects?: number;
}

/**
 * Follows redirects like a browser would, stopping at the first URL outside the IdP origin
 * (the client's callback), or at an HTML page (returned as `page`).
 */
async function browse(
  start: URL,
  idpOrigin: string,
  jar: CookieJar,
  init: { method: 'GET' | 'POST'; body?: URLSearchParams },
  maxRedirects: number,
): Promise<{ stoppedAt: URL; page?: string }> {
  let url = start;
  let method = init.method;
  let body = init.body;
  for (let i = 0; i <= maxRedirects; i++) {
    if (url.origin !== idpOrigin) return { stoppedAt: url };
    const headers: Record<string, string> = {};
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method, headers, redirect: 'manual', ...(body ? { body } : {}) });
    jar.store(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url);
      method = 'GET';
      body = undefined;
      continue;
    }
    const text = await res.text();
    if (res.status !== 200 || !(res.headers.get('content-type') ?? '').includes('text/html')) {
      throw new Error(`IdP returned ${res.status} at ${url.pathname}: ${text.slice(0, 500)}`);
    }
    return { stoppedAt: url, page: text };
  }
  throw new Error('too many redirects');
}

function parseForm(page: string, base: URL): { action: URL; fields: URLSearchParams } {
  const form = /<form\b[^>]*>[\s\S]*?<\/form>/i.exec(page)?.[0];
  if (!form) throw new Error(`no form on page: ${page.slice(0, 300)}`);
  const attr = (tag: string, name: string) =>
    new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag)?.[1]?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  const action = new URL(attr(form, 'action') ?? base.href, base);
  const fields = new URLSearchParams();
  for (const input of form.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    if (name) fields.set(name, attr(input, 'value') ?? '');
  }
  return { action, fields };
}

/**
 * Completes a login headlessly: authorization URL -> login form -> POST credentials ->
 * redirects back to the client. Returns the client callback URL (with `code` and `state`),
 * or the error redirect if the provider answered with one.
 */
export async function loginWithPassword(
  authorizationUrl: string | URL,
  username: string,
  password: string,
  options: BrowserOptions = {},
): Promise<URL> {
  const jar = options.jar ?? new CookieJar();
  const maxRedirects = options.maxRedirects ?? 10;
  const start = new URL(authorizationUrl);
  const first = await browse(start, start.origin, jar, { method: 'GET' }, maxRedirects);
  if (first.page === undefined) return first.stoppedAt; // existing SSO session, no login needed
  const { action, fields } = parseForm(first.page, first.stoppedAt);
  fields.set('username', username);
  fields.set('password', password);
  const second = await browse(action, start.origin, jar, { method: 'POST', body: fields }, maxRedirects);
  if (second.page !== undefined) {
    const error = /<p id="error">([^<]*)<\/p>/.exec(second.page)?.[1];
    throw new Error(`login failed: ${error ?? 'unexpected page'}`);
  }
  return second.stoppedAt;
}

/**
 * Completes RP-initiated logout headlessly: end-session URL -> confirm form -> POST -> redirect.
 * Pass the jar used at login so the IdP session is actually ended.
 */
export async function logoutWithSession(endSessionUrl: string | URL, options: BrowserOptions = {}): Promise<URL> {
  const jar = options.jar ?? new CookieJar();
  const maxRedirects = options.maxRedirects ?? 10;
  const start = new URL(endSessionUrl);
  const first = await browse(start, start.origin, jar, { method: 'GET' }, maxRedirects);
  if (first.page === undefined) return first.stoppedAt;
  const { action, fields } = parseForm(first.page, first.stoppedAt);
  fields.set('logout', 'yes');
  const second = await browse(action, start.origin, jar, { method: 'POST', body: fields }, maxRedirects);
  return second.stoppedAt;
}
