// Preloaded into a server process (node --import): closing the database never finishes,
// as when the embedded database wedged. Patching the classes reaches the instances the
// server makes, because the preload and the server share one copy of each module.
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

const never = () => new Promise<void>(() => undefined);
PGlite.prototype.close = never;
pg.Pool.prototype.end = never;
