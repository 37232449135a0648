// Everything identity needs at run time, built once at start-up.
import { appendAudit, type AuditActor, type AuditEntry } from "../audit/log.ts";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { BearerVerifier } from "./bearer.ts";
import { openInitialAdmin, type InitialAdmin } from "./initial-admin.ts";
import { LoginThrottle } from "./login-throttle.ts";
import { OidcClients } from "./oidc.ts";
import { PolicyStore } from "./policy-store.ts";
import { RegistryTokens } from "./registry-tokens.ts";
import { getOrCreateSecret, randomSecret } from "./secrets.ts";
import { SessionStore } from "./session-store.ts";

export const SESSION_COOKIE = "mcp_gateway_session";
export const PENDING_LOGIN_COOKIE = "mcp_gateway_oidc";

export type AuthService = {
  settings: Config["auth"];
  adminGroup: string;
  sessionCookie: string;
  sessionSecret: string;
  sessions: SessionStore;
  oidc: OidcClients;
  bearer: BearerVerifier;
  tokens: RegistryTokens;
  policy: PolicyStore;
  throttle: LoginThrottle;
  /** The first-run admin (src/auth/initial-admin.ts): only when neither OIDC nor ADMIN_* is configured. */
  initialAdmin: InitialAdmin | undefined;
  /** Records a sign-in, sign-out or failed sign-in in the audit log (no change shares its transaction). */
  audit(actor: AuditActor | null, entry: AuditEntry): Promise<void>;
  close(): void;
};

export async function createAuth(deps: { config: Config; db: Database; log: Logger }): Promise<AuthService> {
  const { config, db, log } = deps;
  const settings = config.auth;
  const sessionSecret =
    settings.sessionSecret ?? (await getOrCreateSecret(db.prisma, "session-secret", randomSecret, log, "SESSION_SECRET"));
  const oidc = new OidcClients(settings.providers, config.publicUrl);
  const tokens = await RegistryTokens.open({ db, issuer: config.publicUrl, pem: settings.registrySigningKey, log });
  const bearer = new BearerVerifier(settings, oidc, tokens);
  const policy = await PolicyStore.open({ db, file: settings.policyFile, log });
  const sessions = new SessionStore(db);
  const stopTokens = db.changes.subscribe((c) => {
    if (c.entity === "token") bearer.forget();
  });
  const sweep = setInterval(() => {
    sessions.sweep().catch((err: Error) => log.warn({ err: err.message }, "could not delete expired sessions"));
  }, 10 * 60_000);
  sweep.unref();
  const initialAdmin =
    settings.providers.length === 0 && !settings.admin ? await openInitialAdmin(db.prisma) : undefined;
  if (initialAdmin) {
    log.warn(
      { username: initialAdmin.username, created: initialAdmin.created },
      "no OIDC provider and no ADMIN_USERNAME/ADMIN_PASSWORD: local sign-in as the generated initial admin",
    );
  }
  return {
    audit: (actor, entry) => appendAudit(db.prisma, actor, entry),
    settings,
    adminGroup: settings.adminGroup,
    sessionCookie: SESSION_COOKIE,
    sessionSecret,
    sessions,
    oidc,
    bearer,
    tokens,
    policy,
    throttle: new LoginThrottle(settings.loginMaxFailures, settings.loginFailureWindowSeconds * 1000),
    initialAdmin,
    close() {
      clearInterval(sweep);
      stopTokens();
      sessions.close();
      policy.close();
    },
  };
}
