// Secrets the server makes for itself when the environment gives none. They live
// in the database, so every replica uses the same ones (and on the embedded
// database they are under DATA_DIR with the rest of the data).
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { PrismaClient } from "../generated/prisma/client.ts";

/** Returns the stored secret `name`, creating it with `make` (race-safe across replicas). */
export async function getOrCreateSecret(
  prisma: PrismaClient,
  name: string,
  make: () => Promise<string> | string,
  log: Logger,
  setting: string,
): Promise<string> {
  const existing = await prisma.appSecret.findUnique({ where: { name } });
  if (existing) return existing.value;
  const value = await make();
  // createMany skips the row if another replica created it first; then read the winner.
  await prisma.appSecret.createMany({ data: [{ name, value }], skipDuplicates: true });
  const stored = await prisma.appSecret.findUniqueOrThrow({ where: { name } });
  log.warn({ setting }, `${setting} is not set: generated one and stored it in the database; set ${setting} to manage it yourself`);
  return stored.value;
}

export const randomSecret = () => randomBytes(48).toString("base64url");
