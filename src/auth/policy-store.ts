// Holds the current access policy: loaded from ACCESS_POLICY_FILE into the database
// at start-up, editable by admins through GraphQL, reloaded on every replica when
// it changes.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import type { Logger } from "pino";
import YAML from "yaml";
import type { Database } from "../db/database.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { EMPTY_POLICY, parsePolicy, type Policy, type PolicyProblem } from "./policy.ts";

export class PolicyStore {
  current: Policy = EMPTY_POLICY;
  document: unknown = { groups: {} };
  updatedAt: Date | null = null;
  updatedBy: string | null = null;
  private stop: () => void = () => {};

  private constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  static async open(opts: { db: Database; file: string | undefined; log: Logger }): Promise<PolicyStore> {
    const store = new PolicyStore(opts.db, opts.log);
    if (opts.file) await store.loadFile(opts.file);
    await store.reload();
    store.stop = opts.db.changes.subscribe((c) => {
      if (c.entity === "policy") {
        store.reload().catch((err: Error) => opts.log.error({ err: err.message }, "could not reload the access policy"));
      }
    });
    return store;
  }

  /** Validates and stores a new policy; returns the problems instead when it is invalid. */
  async update(document: unknown, by: string): Promise<PolicyProblem[]> {
    const parsed = parsePolicy(document);
    if (!parsed.ok) return parsed.problems;
    const json = document as Prisma.InputJsonValue;
    await this.db.prisma.accessPolicy.upsert({
      where: { id: 1 },
      create: { id: 1, document: json, updatedBy: by },
      update: { document: json, updatedBy: by },
    });
    await this.reload();
    this.db.changes.publish({ entity: "policy" });
    this.log.info({ by }, "access policy updated");
    return [];
  }

  close(): void {
    this.stop();
  }

  private async reload(): Promise<void> {
    const row = await this.db.prisma.accessPolicy.findUnique({ where: { id: 1 } });
    if (!row) return;
    const parsed = parsePolicy(row.document);
    if (!parsed.ok) {
      this.log.error({ problems: parsed.problems }, "the stored access policy is invalid; keeping the previous one");
      return;
    }
    this.current = parsed.policy;
    this.document = row.document;
    this.updatedAt = row.updatedAt;
    this.updatedBy = row.updatedBy;
  }

  /** Loads the file unless this exact file was loaded before (so admins' later edits survive restarts). */
  private async loadFile(file: string): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(file, "utf8");
    } catch (err) {
      throw new Error(`ACCESS_POLICY_FILE: cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    const hash = createHash("sha256").update(text).digest("hex");
    const row = await this.db.prisma.accessPolicy.findUnique({ where: { id: 1 }, select: { sourceHash: true } });
    if (row?.sourceHash === hash) return;
    let document: unknown;
    try {
      document = YAML.parse(text);
    } catch (err) {
      throw new Error(`ACCESS_POLICY_FILE: ${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
    }
    const parsed = parsePolicy(document ?? {});
    if (!parsed.ok) {
      const first = parsed.problems[0];
      throw new Error(`ACCESS_POLICY_FILE: ${file}: ${first?.field}: ${first?.message}`);
    }
    const json = (document ?? {}) as Prisma.InputJsonValue;
    await this.db.prisma.accessPolicy.upsert({
      where: { id: 1 },
      create: { id: 1, document: json, sourceHash: hash, updatedBy: `file:${file}` },
      update: { document: json, sourceHash: hash, updatedBy: `file:${file}` },
    });
    this.db.changes.publish({ entity: "policy" });
    this.log.info({ file }, "access policy loaded from file");
  }
}
