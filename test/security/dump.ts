// Every row of every table the app's database holds, in a stable order, to compare
// before and after hostile requests ("nothing changed").
import type { TestApp } from "../support/app.ts";

export async function dumpData(app: TestApp): Promise<Record<string, string[]>> {
  const prisma = app.db.prisma;
  const tables = await prisma.$queryRawUnsafe<{ table_name: string }[]>(
    "select table_name::text as table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like '\\_prisma%' order by table_name",
  );
  const out: Record<string, string[]> = {};
  for (const { table_name: table } of tables) {
    // As JSON text from the database itself: some columns (tsvector) have no Prisma type.
    const rows = await prisma.$queryRawUnsafe<{ row: string }[]>(`select row_to_json(t)::text as row from "${table.replace(/"/g, '""')}" t`);
    out[table] = rows.map((r) => r.row).sort();
  }
  if (Object.keys(out).length === 0) throw new Error("no tables found to dump");
  return out;
}
