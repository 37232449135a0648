// Holds the current access policy: loaded from ACCESS_POLICY_FILE into the database
// at start-up, editable by admins through GraphQL, reloaded on every replica when
// it changes.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import type { Logger } from "pino";
import YAML from "yaml";
import { auditStatement, type AuditActor } from "../audit/log.ts";
import type { ChangeFeed } from "../db/changes.ts";
import type { Database } from "../db/database.ts";
import { ForbiddenError, ValidationError } from "../errors.ts";
import { EMPTY_POLICY, parsePolicy, type Policy, type PolicyProblem, type Viewer } from "./policy.ts";

export class PolicyStore {
  current: Policy = EMPTY_POLICY;
  document: unknown = { groups: {} };
  updatedAt: Date | null = null;
  updatedBy: string | null = null;
  private stop: () => void = () => {};
  private readonly listeners = new Set<() => void>();

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
  /** `by` is the viewer's identity, or a name for changes made by code (tests, tools). */
  async update(document: unknown, who: AuditActor | string): Promise<PolicyProblem[]> {
    const parsed = parsePolicy(document);
    if (!parsed.ok) return parsed.problems;
    const by = typeof who === "string" ? { subject: who, username: who } : who;
    await this.write(document, by, null);
    await this.reload();
    this.db.changes.publish({ entity: "policy" });
    this.log.info({ by: by.username }, "access policy updated");
    return [];
  }

  /**
   * Stores the document as written. In SQL, because Prisma copies a Json value key by key
   * onto a plain object and so drops a group named `__proto__`. A null hash keeps the
   * stored one (an admin's edit does not change which file was loaded last).
   */
  private async write(document: unknown, by: AuditActor, sourceHash: string | null): Promise<void> {
    const groups = (document as { groups?: unknown } | null)?.groups;
    await this.db.prisma.$transaction([
      this.db.prisma.$executeRaw`
      insert into access_policy (id, document, source_hash, updated_by, updated_at)
      values (1, ${JSON.stringify(document)}::jsonb, ${sourceHash}, ${by.username}, now())
      on conflict (id) do update set
        document = excluded.document,
        source_hash = coalesce(excluded.source_hash, access_policy.source_hash),
        updated_by = excluded.updated_by,
        updated_at = excluded.updated_at`,
      auditStatement(this.db.prisma, by, {
        action: "policy.replace",
        details: { source: sourceHash === null ? "edit" : "file", groups: groups && typeof groups === "object" ? Object.keys(groups).length : 0 },
      }),
    ]);
  }

  close(): void {
    this.stop();
    this.listeners.clear();
  }

  /**
   * `listener` runs each time a policy is in force that was not before (on this replica: after
   * its change was read back, whichever replica made it). Returns what unsubscribes it.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async reload(): Promise<void> {
    const row = await this.db.prisma.accessPolicy.findUnique({ where: { id: 1 } });
    if (!row) return;
    const parsed = parsePolicy(row.document);
    if (!parsed.ok) {
      this.log.error({ problems: parsed.problems }, "the stored access policy is invalid; keeping the previous one");
      return;
    }
    // Whatever changed it (an edit, a file loaded at start-up), a different document is a change.
    const changed = this.updatedAt !== null && JSON.stringify(row.document) !== JSON.stringify(this.document);
    this.current = parsed.policy;
    this.document = row.document;
    this.updatedAt = row.updatedAt;
    this.updatedBy = row.updatedBy;
    if (!changed) return;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, "a listener of access policy changes failed");
      }
    }
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
    await this.write(document ?? {}, { subject: "system", username: `file:${file}`, authMethod: "system" }, hash);
    this.db.changes.publish({ entity: "policy" });
    this.log.info({ file }, "access policy loaded from file");
  }
}

/**
 * Replaces the access policy for an admin viewer: ForbiddenError for anyone else,
 * ValidationError for a document parsePolicy refuses.
 */
export async function replaceAccessPolicy(
  deps: { policy: PolicyStore; changes: ChangeFeed },
  viewer: Viewer,
  document: unknown,
): Promise<void> {
  if (!viewer.grants.admin) throw new ForbiddenError("change the access policy", null);
  const problems = await deps.policy.update(document, viewer.identity);
  if (problems.length > 0) throw new ValidationError(problems);
  deps.changes.publish({ entity: "server" }); // what each viewer sees may have changed
}
