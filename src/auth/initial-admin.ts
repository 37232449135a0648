// The first-run administrator. A registry started with no sign-in method at all
// (no OIDC_PROVIDERS, no ADMIN_USERNAME/ADMIN_PASSWORD) would end at a login page
// nobody can pass; instead it makes a local user `admin` with a random password,
// prints the password once, and keeps only its scrypt hash in the database (so
// every replica accepts it, and it survives restarts). Configuring OIDC or ADMIN_*
// turns it off: the stored hash is then ignored, not used alongside them.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.ts";

export const INITIAL_ADMIN_USERNAME = "admin";
/** The app_secrets row holding the hash. Deleting it (or `npm run admin:reset-password`) makes a new password. */
export const INITIAL_ADMIN_SECRET = "initial-admin-password-hash";

// N=2^15 (32 MB, about 0.1 s a check): twice Node's default cost. OWASP's 2^17 would take
// 128 MB for each sign-in attempt on a server meant to run in a few hundred MB.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 };
/** scrypt needs 128·N·r bytes; Node's default limit (32 MB) is exactly that, with no headroom. */
const maxmemFor = (N: number, r: number) => 256 * N * r;

export type InitialAdmin = {
  username: string;
  /** True when this start created the password (it is then in `password`, once). */
  created: boolean;
  /** The generated password; handed out by takePassword() and then forgotten. */
  takePassword(): string | undefined;
  /** Checks a password against the stored hash (read on every call, so a reset applies at once). */
  verify(password: string): Promise<boolean>;
};

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$hash`, salt and hash base64url: the parameters travel with the hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keyLength, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    maxmem: maxmemFor(SCRYPT.N, SCRYPT.r),
  });
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** False for a wrong password and for anything that is not a hash this module wrote. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, "base64url");
  const expected = Buffer.from(parts[5]!, "base64url");
  if (![N, r, p].every(Number.isSafeInteger) || expected.length < 16 || N > 2 ** 17 || r > 16 || p > 4) return false;
  const key = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem: maxmemFor(N, r) });
  return timingSafeEqual(key, expected);
}

/** 144 random bits, in characters that survive copying from a terminal. */
export const generatePassword = () => randomBytes(18).toString("base64url");

/** Returns the first-run admin, creating its password if none is stored yet (race-safe across replicas). */
export async function openInitialAdmin(prisma: PrismaClient): Promise<InitialAdmin> {
  let password: string | undefined;
  const existing = await prisma.appSecret.findUnique({ where: { name: INITIAL_ADMIN_SECRET } });
  if (!existing) {
    const fresh = generatePassword();
    const hash = await hashPassword(fresh);
    await prisma.appSecret.createMany({ data: [{ name: INITIAL_ADMIN_SECRET, value: hash }], skipDuplicates: true });
    // Another replica may have stored its own first: then that one's password is the one printed.
    const stored = await prisma.appSecret.findUniqueOrThrow({ where: { name: INITIAL_ADMIN_SECRET } });
    if (stored.value === hash) password = fresh;
  }
  const created = password !== undefined;
  return {
    username: INITIAL_ADMIN_USERNAME,
    created,
    takePassword() {
      const out = password;
      password = undefined;
      return out;
    },
    async verify(given) {
      const row = await prisma.appSecret.findUnique({ where: { name: INITIAL_ADMIN_SECRET } });
      return row ? verifyPassword(given, row.value) : false;
    },
  };
}

/** Replaces the stored hash with a new password's and returns the password (the reset script). */
export async function resetInitialAdmin(prisma: PrismaClient): Promise<string> {
  const password = generatePassword();
  const value = await hashPassword(password);
  await prisma.appSecret.upsert({ where: { name: INITIAL_ADMIN_SECRET }, create: { name: INITIAL_ADMIN_SECRET, value }, update: { value } });
  return password;
}
