// Validates `Authorization: Bearer` JWTs: from a configured OIDC provider (against
// its JWKS) or from this registry (against its own key). Signature, issuer,
// audience, expiry and not-before (with a small clock skew), and the algorithm
// against an allowlist of public-key algorithms, so `alg: none` and HS/RS
// confusion are refused.
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import type { Config, OidcProviderConfig } from "../config.ts";
import { AuthUnavailableError, InvalidTokenError, type InvalidTokenReason } from "../errors.ts";
import { LruMap } from "../lru-map.ts";
import { groupsFromClaims, usernameFromClaims, type Identity } from "./identity.ts";
import type { OidcClients } from "./oidc.ts";
import { TokenRevoked, type RegistryTokens } from "./registry-tokens.ts";

const CACHE_MAX = 5_000;
/** Tokens are outside strings of up to a header's length: the verdicts are bounded in bytes too. */
const CACHE_MAX_BYTES = 8 * 1024 * 1024;
const CACHE_MS = 60_000;

export class BearerVerifier {
  private readonly jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  private readonly verified = new LruMap<string, Identity>({
    maxEntries: CACHE_MAX,
    maxBytes: CACHE_MAX_BYTES,
    sizeOf: (identity, token) => token.length + JSON.stringify(identity).length,
  });

  constructor(
    private readonly settings: Config["auth"],
    private readonly oidc: OidcClients,
    private readonly registry: RegistryTokens,
  ) {}

  /**
   * Returns the caller's identity, or throws an InvalidTokenError saying what is wrong with
   * the token (AuthUnavailableError when its provider cannot be reached).
   */
  async verify(token: string, resource?: string): Promise<Identity> {
    const now = Date.now();
    // A verdict that accepted a resource as audience holds for that resource only.
    const cacheKey = resource === undefined ? token : `${resource} ${token}`;
    const hit = this.verified.get(cacheKey);
    if (hit) return hit;

    let claims: JWTPayload;
    try {
      const header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
      if (typeof header.alg !== "string" || !this.settings.jwtAlgorithms.includes(header.alg)) {
        throw invalid("algorithm", `algorithm ${JSON.stringify(header.alg ?? null)} is not allowed`);
      }
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      throw invalid("malformed", "token is malformed");
    }

    let identity: Identity;
    try {
      if (this.registry.isOurs(claims.iss)) {
        identity = await this.registry.verify(token, this.settings.clockSkewSeconds);
      } else {
        const provider = this.settings.providers.find((p) => p.issuer === claims.iss);
        if (!provider) throw invalid("untrusted-issuer", "token issuer is not trusted");
        identity = await this.verifyProviderToken(token, provider, resource);
      }
    } catch (err) {
      throw translate(err);
    }
    const exp = typeof claims.exp === "number" ? claims.exp * 1000 : now + CACHE_MS;
    this.verified.set(cacheKey, identity, Math.min(exp, now + CACHE_MS) - Date.now());
    return identity;
  }

  /** Drops cached verdicts, so a revocation takes effect at once. */
  forget(): void {
    this.verified.clear();
  }

  /**
   * `resource`: the gateway URL of the MCP server the token is presented to, which a token
   * issued for that resource (RFC 8707) may name as its audience instead of the registry.
   */
  private async verifyProviderToken(token: string, provider: OidcProviderConfig, resource?: string): Promise<Identity> {
    const { payload } = await jwtVerify(token, await this.jwksFor(provider), {
      issuer: provider.issuer,
      audience: resource === undefined ? provider.audience : [...provider.audience, resource],
      algorithms: this.settings.jwtAlgorithms,
      clockTolerance: this.settings.clockSkewSeconds,
      requiredClaims: ["exp"],
    });
    const subject = typeof payload.sub === "string" ? payload.sub : String(payload.client_id ?? payload.azp ?? "");
    if (!subject) throw invalid("missing-claim", "token has no subject");
    return {
      subject,
      username: usernameFromClaims(payload),
      groups: groupsFromClaims(payload, provider.groupsClaim),
      scopes: null,
      authMethod: "bearer-oidc",
      provider: provider.id,
    };
  }

  /** jose refetches the key set when a token names an unknown kid (at most every 30 s). */
  private async jwksFor(provider: OidcProviderConfig) {
    let set = this.jwks.get(provider.id);
    if (!set) {
      const metadata = await this.oidc.metadata(provider.id);
      if (!metadata.jwks_uri) throw new Error(`provider ${provider.id} publishes no jwks_uri`);
      set = createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
      this.jwks.set(provider.id, set);
    }
    return set;
  }
}

function invalid(reason: InvalidTokenReason, description: string): InvalidTokenError {
  return new InvalidTokenError(reason, description);
}

const CLAIM_PROBLEMS = new Map<string, [InvalidTokenReason, string]>([
  ["nbf", ["not-yet-valid", "token is not valid yet"]],
  ["iss", ["wrong-issuer", "token issuer does not match"]],
  ["aud", ["wrong-audience", "token audience is not accepted"]],
  ["sub", ["missing-claim", "token has no subject"]],
  ["exp", ["missing-claim", "token has no expiry"]],
  ["jti", ["missing-claim", "token has no id"]],
]);

/** Names what failed, in words a caller can act on; never echoes the token. */
function translate(err: unknown): Error {
  if (err instanceof InvalidTokenError) return err;
  if (err instanceof errors.JWTExpired) return invalid("expired", "token has expired");
  if (err instanceof errors.JWTClaimValidationFailed) {
    const [reason, description] = CLAIM_PROBLEMS.get(err.claim) ?? ["unverifiable", `token claim ${err.claim} is invalid`];
    return invalid(reason, description);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return invalid("bad-signature", "token signature is invalid");
  if (err instanceof errors.JOSEAlgNotAllowed) return invalid("algorithm", "token algorithm is not allowed");
  if (err instanceof errors.JWKSNoMatchingKey) return invalid("unknown-key", "token was signed with an unknown key");
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return invalid("malformed", "token is malformed");
  if (err instanceof TokenRevoked) return invalid("revoked", "token was revoked");
  if (err instanceof errors.JOSEError) return invalid("unverifiable", "token could not be verified");
  return new AuthUnavailableError(err);
}
