// What a person starting the server must read, as plain lines next to "is running at"
// (the JSON logs say the same for machines): how to sign in on a first run, and the
// settings that are insecure or generated. Status lines go to stdout, warnings to
// stderr, each warning on one line starting with "Warning: ".
import type { InitialAdmin } from "./auth/initial-admin.ts";
import type { Config } from "./config.ts";

export type StartupNotices = { info: string[]; warnings: string[] };

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === "::ffff:127.0.0.1";
}

export function startupNotices(config: Config, initialAdmin: InitialAdmin | undefined, url: string): StartupNotices {
  const info: string[] = [];
  const warnings: string[] = [];
  if (initialAdmin) {
    const password = initialAdmin.takePassword();
    info.push(
      password !== undefined
        ? `Initial admin password for "${initialAdmin.username}": ${password}  (shown once; stored hashed in the database. ` +
            `Sign in at ${url}/login. Lost it? Stop the registry and run \`npm run admin:reset-password\`.)`
        : `Sign in at ${url}/login as "${initialAdmin.username}" with the initial admin password printed on the first start ` +
            "(lost it? stop the registry and run `npm run admin:reset-password`).",
    );
    warnings.push(
      "Warning: no sign-in method is configured (OIDC_PROVIDERS, or ADMIN_USERNAME and ADMIN_PASSWORD), " +
        `so only the generated local administrator "${initialAdmin.username}" can sign in. Configure OIDC for your users.`,
    );
  } else if (config.auth.providers.length === 0 && !config.auth.admin) {
    warnings.push("Warning: no sign-in method is configured: set OIDC_PROVIDERS, or ADMIN_USERNAME and ADMIN_PASSWORD.");
  }
  const generated = [
    config.auth.sessionSecret === undefined && "SESSION_SECRET (kept in the database)",
    config.auth.registrySigningKey === undefined && "REGISTRY_SIGNING_KEY (kept in the database)",
    config.health.credentialsKey === undefined && "CREDENTIALS_KEY (kept in DATA_DIR/credentials.key)",
  ].filter((s): s is string => typeof s === "string");
  if (generated.length > 0) {
    warnings.push(`Warning: using generated secrets for ${generated.join(", ")}; set them yourself to manage and rotate them.`);
  }
  if (!config.healthFeed.requireAuth && !isLoopbackHost(config.host)) {
    warnings.push(
      `Warning: HOST=${config.host} is reachable from other machines and HEALTH_FEED_REQUIRE_AUTH is false: ` +
        "/ws/health_status shows every server's health to anyone who connects. Set HEALTH_FEED_REQUIRE_AUTH=true to require sign-in.",
    );
  }
  return { info, warnings };
}

/**
 * Prints "is running at" and the notices: status lines on stdout in one write (so a reader of the
 * pipe gets the URL and the first-run password together), warnings on stderr.
 */
export function printStartupNotices(
  config: Config,
  running: { url: string; auth: { initialAdmin: InitialAdmin | undefined } },
  demo: { servers: { spec: { path: string } }[]; warnings: string[] } | undefined,
): void {
  const { info, warnings } = startupNotices(config, running.auth.initialAdmin, running.url);
  info.unshift(`MCP Gateway Registry is running at ${running.url} (GraphQL: ${running.url}/graphql)`);
  if (demo) {
    info.push(`Demo: ${demo.servers.length} example MCP servers registered and enabled: ${demo.servers.map((s) => s.spec.path).join(", ")}`);
    warnings.push(...demo.warnings);
  }
  process.stdout.write(`${info.join("\n")}\n`);
  if (warnings.length > 0) process.stderr.write(`${warnings.join("\n")}\n`);
}
