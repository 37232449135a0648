// A process that takes the DATA_DIR lock of argv[2] when told "go" on stdin, prints
// `RESULT {...}` and holds the lock until told "release" (then prints RELEASED) or until
// its stdin closes. The lock tests start several at once to race them, round after round.
import readline from "node:readline";
import { DataDirInUseError, lockDataDir } from "../../src/db/data-dir-lock.ts";
import { createLogger } from "../../src/log.ts";

const dir = process.argv[2]!;
const log = createLogger({ level: "warn" });
const lines = readline.createInterface({ input: process.stdin });
process.stdout.write("READY\n");
let release: (() => Promise<void>) | undefined;
lines.on("line", (line) => {
  if (line === "release") {
    void (release?.() ?? Promise.resolve()).then(() => {
      release = undefined;
      process.stdout.write("RELEASED\n");
    });
    return;
  }
  if (line !== "go") return;
  lockDataDir(dir, log).then(
    (lock) => {
      release = lock.release;
      process.stdout.write(`RESULT ${JSON.stringify({ won: true, pid: process.pid })}\n`);
    },
    (err: unknown) => {
      const holder = err instanceof DataDirInUseError ? err.holder.pid : null;
      process.stdout.write(`RESULT ${JSON.stringify({ won: false, pid: process.pid, holder, message: String(err) })}\n`);
    },
  );
});
lines.on("close", () => {
  void (release?.() ?? Promise.resolve()).then(() => process.exit(0));
});
