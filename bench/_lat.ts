import { openDatabase } from "../src/db/database.ts";
import { createLogger } from "../src/log.ts";
const log = createLogger({ level: "warn" });
const base = "/tmp/offscratch/lat-" + Date.now();
const a = await openDatabase({ kind: "pglite", dir: base + "/a/pglite", sharedBuffersMb: 16, thread: "main" }, log);
const b = await openDatabase({ kind: "pglite", dir: base + "/b/pglite", sharedBuffersMb: 16, thread: "worker" }, log);
const p50 = (x: number[]) => x.sort((m, n) => m - n)[Math.floor(x.length / 2)]!.toFixed(3);
for (let round = 0; round < 3; round++) {
  for (const [name, db] of [["main", a], ["worker", b]] as const) {
    const raw: number[] = [], pr: number[] = [];
    for (let i = 0; i < 2000; i++) { const t = performance.now(); await db.ping(); raw.push(performance.now() - t); }
    for (let i = 0; i < 2000; i++) { const t = performance.now(); await db.prisma.server.findFirst({ where: { path: "/x" } }); pr.push(performance.now() - t); }
    console.log(round, name, "ping p50", p50(raw), "prisma findFirst p50", p50(pr));
  }
}
await a.close(); await b.close();
