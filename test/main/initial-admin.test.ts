// The generated first-run admin's rules, in-process: its hash, when it exists (never
// next to OIDC or ADMIN_*), its reset, and the plain-line notices printed at start.
import { afterEach, describe, expect, it } from "vitest";
import {
  INITIAL_ADMIN_SECRET,
  hashPassword,
  openInitialAdmin,
  resetInitialAdmin,
  verifyPassword,
} from "../../src/auth/initial-admin.ts";
import { loadConfig } from "../../src/config.ts";
import { isLoopbackHost, startupNotices } from "../../src/startup-notices.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { startIdp, type Idp } from "../support/idp.ts";

let app: TestApp | undefined;
let idp: Idp | undefined;
afterEach(async () => {
  await stopApp(app);
  app = undefined;
  await idp?.close();
  idp = undefined;
});

const login = (url: string, username: string, password: string) =>
  fetch(`${url}/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username, password }).toString(),
    redirect: "manual",
  });

/** startApp without its ADMIN_* settings: the first-run situation. */
const NO_SIGN_IN = { ADMIN_USERNAME: "", ADMIN_PASSWORD: "" };

describe("password hashes", () => {
  it("verify only the password they were made from, and never a malformed or foreign hash", async () => {
    const hash = await hashPassword("correct horse");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hash).not.toContain("correct horse");
    expect(await hashPassword("correct horse")).not.toBe(hash); // salted
    const [, , , , salt, key] = hash.split("$");
    const cases: [string, string, boolean][] = [
      ["correct horse", hash, true],
      ["correct horsE", hash, false],
      ["", hash, false],
      ["correct horse", "correct horse", false],
      ["correct horse", `scrypt$16384$8$1$${salt}$${key}`, false], // other parameters, other key
      ["correct horse", `scrypt$33554432$8$1$${salt}$${key}`, false], // absurd cost: refused, not computed
      ["correct horse", `bcrypt$32768$8$1$${salt}$${key}`, false],
      ["correct horse", `scrypt$32768$8$1$${salt}$`, false],
    ];
    for (const [password, stored, ok] of cases) expect(await verifyPassword(password, stored), `${password} / ${stored}`).toBe(ok);
  });
});

describe("the generated admin", () => {
  it("is made once: the first open creates and hands out the password once, later opens only verify it", async () => {
    app = await startApp({ env: NO_SIGN_IN });
    const made = app.auth.initialAdmin!;
    expect(made.username).toBe("admin");
    // In-process nothing prints it, so the password is still there to take (main.ts takes it to print it).
    const password = made.takePassword();
    expect(password).toMatch(/^[\w-]{24}$/);
    expect(made.takePassword()).toBeUndefined();
    const row = await app.db.prisma.appSecret.findUniqueOrThrow({ where: { name: INITIAL_ADMIN_SECRET } });
    expect(row.value).not.toContain(password);
    expect(await verifyPassword(password!, row.value)).toBe(true);

    const reopened = await openInitialAdmin(app.db.prisma);
    expect(reopened.created).toBe(false);
    expect(reopened.takePassword()).toBeUndefined();
    expect(await reopened.verify(password!)).toBe(true);

    expect((await login(app.url, "admin", password!)).status).toBe(303);
    expect((await login(app.url, "admin", "not-the-password")).status).toBe(401);
    const page = await (await fetch(`${app.url}/login`)).text();
    expect(page).toContain("First sign-in");
    expect(page).toContain("npm run admin:reset-password");

    // The reset replaces the hash, and the running server takes the new password at once.
    const fresh = await resetInitialAdmin(app.db.prisma);
    expect(fresh).not.toBe(password);
    expect((await login(app.url, "admin", password!)).status).toBe(401);
    expect((await login(app.url, "admin", fresh)).status).toBe(303);
  });

  it("does not exist when ADMIN_USERNAME and ADMIN_PASSWORD are set", async () => {
    app = await startApp();
    expect(app.auth.initialAdmin).toBeUndefined();
    expect(await app.db.prisma.appSecret.findUnique({ where: { name: INITIAL_ADMIN_SECRET } })).toBeNull();
    expect(await (await fetch(`${app.url}/login`)).text()).not.toContain("First sign-in");
  });

  it("does not exist when OIDC is configured, and a hash left from an earlier first run is not accepted", async () => {
    const first = await startApp({ env: NO_SIGN_IN });
    const password = first.auth.initialAdmin!.takePassword()!;
    await first.close();
    idp = await startIdp();
    app = await startApp({
      sameDataAs: first,
      env: {
        ...NO_SIGN_IN,
        OIDC_PROVIDERS: "keycloak",
        OIDC_KEYCLOAK_ISSUER: idp.issuer,
        OIDC_KEYCLOAK_CLIENT_ID: idp.webClient.clientId,
        OIDC_KEYCLOAK_CLIENT_SECRET: idp.webClient.clientSecret,
      },
    });
    expect(app.auth.initialAdmin).toBeUndefined();
    const page = await (await fetch(`${app.url}/login`)).text();
    expect(page).toContain("Sign in with keycloak");
    expect(page).not.toContain('action="/login"');
    expect((await login(app.url, "admin", password)).status).toBe(404);
  });
});

describe("startup notices", () => {
  const config = (env: Record<string, string>) => loadConfig({ ADMIN_USERNAME: "a", ADMIN_PASSWORD: "password1", ...env });
  const secrets = {
    SESSION_SECRET: "s".repeat(32),
    REGISTRY_SIGNING_KEY: "-----BEGIN PRIVATE KEY-----x-----END PRIVATE KEY-----",
    CREDENTIALS_KEY: Buffer.alloc(32, 1).toString("base64"),
  };

  it.each([
    ["the defaults", {}, ["generated secrets for SESSION_SECRET", "HOST=0.0.0.0 is reachable"]],
    ["loopback HOST", { HOST: "127.0.0.1" }, ["generated secrets for SESSION_SECRET"]],
    ["a required health-feed sign-in", { HEALTH_FEED_REQUIRE_AUTH: "true" }, ["generated secrets for SESSION_SECRET"]],
    ["every secret set, on loopback", { ...secrets, HOST: "::1" }, []],
    ["no sign-in method", { ...secrets, HOST: "localhost", ADMIN_USERNAME: "", ADMIN_PASSWORD: "" }, ["no sign-in method is configured"]],
  ])("with %s, warn about exactly what applies", (_name, env, expected) => {
    const { info, warnings } = startupNotices(config(env), undefined, "http://localhost:7860");
    expect(info).toEqual([]);
    expect(warnings).toHaveLength(expected.length);
    expected.forEach((text, i) => {
      expect(warnings[i]).toMatch(/^Warning: /);
      expect(warnings[i]).toContain(text);
    });
  });

  it("names only the secrets that are generated", () => {
    const { warnings } = startupNotices(config({ SESSION_SECRET: secrets.SESSION_SECRET, HOST: "127.0.0.1" }), undefined, "http://x");
    expect(warnings).toEqual([
      "Warning: using generated secrets for REGISTRY_SIGNING_KEY (kept in the database), CREDENTIALS_KEY (kept in DATA_DIR/credentials.key); set them yourself to manage and rotate them.",
    ]);
  });

  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["0.0.0.0", false],
    ["::", false],
    ["10.0.0.5", false],
    ["registry.example.com", false],
  ])("%s is loopback: %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
