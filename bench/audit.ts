// `npx tsx bench/audit.ts`: what the audit write adds to a mutation. toggleServer (the
// servers service, which writes its audit event in the change's transaction) against the
// same toggle without the audit statement (read, batch transaction, change event).
// The two run interleaved, in-process on one database, so machine load hits both alike.
// Settings: BENCH_AUDIT_ITERATIONS (2000), BENCH_DATABASE_URL (PostgreSQL as well).
import { pathToFileURL } from "node:url";
import pino from "pino";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/database.ts";
import { toggleServer, serverRowOf, type ServersDeps } from "../src/servers/service.ts";
import { ServerEvents } from "../src/servers/events.ts";
import { toggleChange } from "../src/servers/rules.ts";
import { validateRegistration } from "../src/servers/validate.ts";
import type { Grants } from "../src/auth/policy.ts";
import { freshEnv, dropEnv, machine, type Target } from "./support.ts";

export type AuditRow = { database: string; iterations: number; withoutMs: number[]; withMs: number[] };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export async function auditBench(target: Target, iterations: number): Promise<AuditRow> {
  const env = await freshEnv(target);
  const config = loadConfig({ ...env, HEALTH_CHECKS: "false" });
  const log = pino({ level: "warn" });
  const db = await openDatabase(config.database, log);
  try {
    const checked = validateRegistration({ name: "bench", path: "/bench", proxyPassUrl: "http://127.0.0.1:9/mcp" });
    if (!checked.ok) throw new Error("invalid bench server");
    await db.prisma.server.create({ data: serverRowOf(checked.value) });
    const grants: Grants = { admin: true, rules: [], key: "admin" };
    const deps: ServersDeps = {
      prisma: db.prisma,
      events: new ServerEvents(db.changes),
      health: { checkSoon: () => undefined, checker: undefined as never, credentials: undefined as never },
      config: { health: { enabled: false } },
      log,
      viewer: { identity: { subject: "bench", username: "bench", authMethod: "session" } },
    };
    // toggleServer without its audit statement: the same authorising read, the same batch
    // transaction holding only the update, the same change event; so the difference is the
    // audit write alone (the head row's update and the insert).
    const before = async (enabled: boolean) => {
      const s = await db.prisma.server.findFirst({ where: { path: "/bench" }, select: { id: true, path: true, enabled: true } });
      const [updated] = await db.prisma.$transaction([db.prisma.server.update({ where: { id: s!.id }, data: toggleChange(s!.enabled, enabled, false).data })]);
      deps.events.publish({ type: "updated", serverId: updated.id, path: updated.path });
    };
    const withoutMs: number[] = [];
    const withMs: number[] = [];
    for (let i = 0; i < 200; i++) {
      await before(i % 2 === 0);
      await toggleServer(deps, grants, "/bench", i % 2 === 0);
    }
    for (let i = 0; i < iterations; i++) {
      let t = performance.now();
      await before(i % 2 === 0);
      withoutMs.push(performance.now() - t);
      t = performance.now();
      await toggleServer(deps, grants, "/bench", i % 2 === 1);
      withMs.push(performance.now() - t);
    }
    return { database: db.kind, iterations, withoutMs: withoutMs.sort((a, b) => a - b), withMs: withMs.sort((a, b) => a - b) };
  } finally {
    await db.close();
    await dropEnv(env);
  }
}

export function auditMarkdown(rows: AuditRow[], date: string, host: string): string {
  const lines = [
    `### Audit write on a mutation (toggleServer)`,
    ``,
    `${date}, ${host}. In-process, interleaved; ${rows[0]?.iterations ?? 0} toggles each.`,
    ``,
    `| database | without audit p50 | with audit p50 | added p50 | without p95 | with p95 |`,
    `|---|---|---|---|---|---|`,
  ];
  for (const r of rows) {
    const [a, b] = [percentile(r.withoutMs, 50), percentile(r.withMs, 50)];
    lines.push(`| ${r.database} | ${a.toFixed(3)} ms | ${b.toFixed(3)} ms | ${(b - a).toFixed(3)} ms | ${percentile(r.withoutMs, 95).toFixed(3)} ms | ${percentile(r.withMs, 95).toFixed(3)} ms |`);
  }
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const iterations = Number(process.env.BENCH_AUDIT_ITERATIONS ?? 2_000);
  const targets: Target[] = [{ kind: "pglite" }];
  if (process.env.BENCH_DATABASE_URL) targets.push({ kind: "postgres", url: process.env.BENCH_DATABASE_URL });
  const rows: AuditRow[] = [];
  for (const t of targets) rows.push(await auditBench(t, iterations));
  console.log(auditMarkdown(rows, new Date().toISOString().slice(0, 10), machine()));
}
