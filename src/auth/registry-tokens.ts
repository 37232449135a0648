// Tokens the registry signs with its own key, for people and jobs that cannot get
// tokens from the identity provider directly. Only their ids are stored, so that
// they can be listed and revoked; a revoked token stops working on every replica.
//
// A registry token may generate tokens, one generation deep: the child names its
// parent, holds at most the parent's scopes (scopesHeld), expires no later than the
// parent, dies with it, and cannot generate tokens itself.
import { tokenHintOf } from "../audit/chain.ts";
import { auditStatement, type AuditActor } from "../audit/log.ts";
import { randomUUID } from "node:crypto";
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type KeyObject,
} from "jose";
import type { Logger } from "pino";
import type { Database } from "../db/database.ts";
import type { ApiToken } from "../generated/prisma/client.ts";
import type { Identity } from "./identity.ts";
import { getOrCreateSecret } from "./secrets.ts";

export const REGISTRY_AUDIENCE = "mcp-gateway-registry";
const ALG = "ES256";

type Key = CryptoKey | KeyObject;

export class RegistryTokens {
  private constructor(
    private readonly db: Database,
    private readonly issuer: string,
    private readonly privateKey: Key,
    private readonly publicKey: Key,
    readonly publicJwk: JWK,
  ) {}

  static async open(opts: { db: Database; issuer: string; pem: string | undefined; log: Logger }): Promise<RegistryTokens> {
    const pem =
      opts.pem ??
      (await getOrCreateSecret(
        opts.db.prisma,
        "registry-signing-key",
        async () => exportPKCS8((await generateKeyPair(ALG, { extractable: true })).privateKey),
        opts.log,
        "REGISTRY_SIGNING_KEY",
      ));
    let privateKey: Key;
    try {
      privateKey = await importPKCS8(pem, ALG, { extractable: true });
    } catch (err) {
      throw new Error(`REGISTRY_SIGNING_KEY must be an ${ALG} (P-256) private key in PKCS#8 PEM: ${(err as Error).message}`);
    }
    const privateJwk = await exportJWK(privateKey);
    const { d: _d, ...publicFields } = privateJwk;
    const kid = await calculateJwkThumbprint(publicFields);
    const publicJwk: JWK = { ...publicFields, kid, alg: ALG, use: "sig" };
    const publicKey = (await importJWK(publicJwk, ALG)) as Key;
    return new RegistryTokens(opts.db, opts.issuer, privateKey, publicKey, publicJwk);
  }

  isOurs(iss: unknown): boolean {
    return iss === this.issuer;
  }

  async issue(opts: {
    identity: Identity;
    scopes: string[];
    /** Server paths the token is limited to; empty or absent: not limited. */
    servers?: string[];
    ttlSeconds: number;
    description: string;
  }): Promise<{ token: string; record: ApiToken }> {
    const jti = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = new Date((now + opts.ttlSeconds) * 1000);
    // Only registry tokens carry a jti: a token issued to one is its child.
    const parentJti = opts.identity.jti;
    if (opts.identity.parentJti) throw new TokenCannotMint();
    const [record] = await this.db.prisma.$transaction([
      this.db.prisma.apiToken.create({
      data: {
        jti,
        subject: opts.identity.subject,
        username: opts.identity.username,
        provider: opts.identity.provider ?? null,
        parentJti: parentJti ?? null,
        groups: opts.identity.groups,
        scopes: opts.scopes,
        servers: opts.servers ?? [],
        description: opts.description,
        expiresAt,
      },
      }),
      auditStatement(this.db.prisma, opts.identity, { action: "token.generate", details: { tokenId: tokenHintOf(jti) } }),
    ]);
    const token = await new SignJWT({
      preferred_username: opts.identity.username,
      groups: opts.identity.groups,
      scope: opts.scopes.join(" "),
    })
      .setProtectedHeader({ alg: ALG, kid: this.publicJwk.kid, typ: "JWT" })
      .setIssuer(this.issuer)
      .setAudience(REGISTRY_AUDIENCE)
      .setSubject(opts.identity.subject)
      .setJti(jti)
      .setIssuedAt(now)
      .setExpirationTime(now + opts.ttlSeconds)
      .sign(this.privateKey);
    return { token, record };
  }

  /** Verifies signature, claims and that the token is neither revoked nor unknown. Throws jose errors or a TokenRevoked. */
  async verify(token: string, clockSkewSeconds: number): Promise<Identity> {
    const { payload } = await jwtVerify(token, this.publicKey, {
      issuer: this.issuer,
      audience: REGISTRY_AUDIENCE,
      algorithms: [ALG],
      clockTolerance: clockSkewSeconds,
      requiredClaims: ["sub", "jti", "exp"],
    });
    const record = await this.db.prisma.apiToken.findUnique({ where: { jti: String(payload.jti) } });
    if (!record || record.revokedAt) throw new TokenRevoked();
    if (record.parentJti) {
      // Revoking a parent revokes its children in the same statement; this also covers a
      // child generated while its parent was being revoked.
      const parent = await this.db.prisma.apiToken.findUnique({ where: { jti: record.parentJti }, select: { revokedAt: true } });
      if (!parent || parent.revokedAt) throw new TokenRevoked();
    }
    return {
      subject: record.subject,
      username: record.username,
      groups: record.groups,
      scopes: record.scopes,
      authMethod: "bearer-registry",
      ...(record.provider ? { provider: record.provider } : {}),
      jti: record.jti,
      expiresAt: record.expiresAt.getTime(),
      ...(record.parentJti ? { parentJti: record.parentJti } : {}),
      ...(record.servers.length > 0 ? { servers: record.servers } : {}),
    };
  }

  list(subject: string | undefined): Promise<ApiToken[]> {
    return this.db.prisma.apiToken.findMany({
      where: subject === undefined ? {} : { subject },
      orderBy: { createdAt: "desc" },
      take: 500,
    });
  }

  /**
   * Revokes a token and the tokens generated with it; `subject` limits it to the caller's
   * own tokens (undefined: any, for admins).
   */
  async revoke(jti: string, subject: string | undefined, actor?: AuditActor): Promise<ApiToken | null> {
    const existing = await this.db.prisma.apiToken.findUnique({ where: { jti } });
    if (!existing || (subject !== undefined && existing.subject !== subject)) return null;
    const now = new Date();
    await this.db.prisma.$transaction([
      this.db.prisma.apiToken.updateMany({
        where: { OR: [{ jti }, { parentJti: jti }], revokedAt: null },
        data: { revokedAt: now },
      }),
      auditStatement(this.db.prisma, actor, { action: "token.revoke", details: { tokenId: tokenHintOf(jti), owner: existing.username } }),
    ]);
    const record = existing.revokedAt ? existing : { ...existing, revokedAt: now };
    this.db.changes.publish({ entity: "token", id: jti });
    return record;
  }
}

/**
 * The longest lifetime (seconds) a token generated by this caller may have: the server's
 * maximum, or for a registry token whatever it has left. Null when the caller may not
 * generate tokens at all (a token that was itself generated by a token).
 */
export function mintableTtlSeconds(identity: Identity, maxTtlSeconds: number, now = Date.now()): number | null {
  if (identity.authMethod !== "bearer-registry") return maxTtlSeconds;
  if (identity.parentJti || identity.expiresAt === undefined) return null;
  return Math.max(0, Math.min(maxTtlSeconds, Math.floor((identity.expiresAt - now) / 1000)));
}

/** Thrown by issue() when a caller that mintableTtlSeconds refuses asks for a token anyway. */
export class TokenCannotMint extends Error {
  override name = "TokenCannotMint";
  constructor() {
    super("a token generated with a registry token cannot generate tokens");
  }
}

export class TokenRevoked extends Error {
  override name = "TokenRevoked";
  readonly code = "ERR_TOKEN_REVOKED";
  constructor() {
    super("token was revoked or is unknown");
  }
}
