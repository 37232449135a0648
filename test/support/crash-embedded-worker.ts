// Preloaded into a server process (node --import) with EMBEDDED_DATABASE_THREAD=worker:
// SIGUSR2 stops the embedded database's worker thread at once, as a crash in it would.
// Patching the class reaches the instance the server makes, because the preload and the
// server share one copy of the module.
import { PgliteThread } from "../../src/db/pglite-thread.ts";

const start = PgliteThread.start.bind(PgliteThread);
PgliteThread.start = async (options) => {
  const thread = await start(options);
  process.once("SIGUSR2", () => void thread.terminate());
  return thread;
};
