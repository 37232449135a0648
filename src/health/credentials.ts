// Upstream credentials (the auth header a health check sends) are encrypted at
// rest with AES-256-GCM. The key comes from CREDENTIALS_KEY or a file under
// DATA_DIR; the stored form is "v1.<iv>.<tag>.<ciphertext>" in base64url.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { UpstreamAuthKind } from "../servers/upstream-auth.ts";

export class Credentials {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("the credentials key must be 32 bytes");
  }

  /** The key from the setting, else DATA_DIR/credentials.key (created on first use, mode 0600). */
  static async open(opts: { key: Buffer | undefined; dataDir: string; shared: boolean; log: Logger }): Promise<Credentials> {
    if (opts.key) return new Credentials(opts.key);
    const file = path.join(opts.dataDir, "credentials.key");
    try {
      return new Credentials(Buffer.from((await fs.readFile(file, "utf8")).trim(), "base64"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read ${file}: ${(err as Error).message}`);
    }
    const key = randomBytes(32);
    await fs.mkdir(opts.dataDir, { recursive: true });
    await fs.writeFile(file, key.toString("base64"), { mode: 0o600, flag: "wx" }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
    const stored = Buffer.from((await fs.readFile(file, "utf8")).trim(), "base64");
    const message = opts.shared
      ? "CREDENTIALS_KEY is not set: generated a key in DATA_DIR/credentials.key; every replica must use the same key, so set CREDENTIALS_KEY"
      : "CREDENTIALS_KEY is not set: generated a key in DATA_DIR/credentials.key";
    opts.log.warn({ file }, message);
    return new Credentials(stored);
  }

  encrypt(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const data = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
    return ["v1", iv, cipher.getAuthTag(), data].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
  }

  /** Throws when the value was not encrypted with this key (or was tampered with). */
  decrypt(stored: string): string {
    const [version, iv, tag, data] = stored.split(".");
    if (version !== "v1" || !iv || !tag || data === undefined) throw new Error("unrecognised credential format");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  }
}

/** The headers a probe sends for a server's stored credential. */
export function authHeaders(kind: UpstreamAuthKind, header: string | null, secret: string | undefined): Record<string, string> {
  if (kind === "NONE" || secret === undefined) return {};
  if (kind === "BEARER") return { authorization: `Bearer ${secret}` };
  return { [(header ?? "x-api-key").toLowerCase()]: secret };
}
