// spawnMain(): `src/main.ts` as `npm start` runs it, in a child process, for tests of
// what only a whole process shows (exit codes, signals, the DATA_DIR lock). `preload`
// modules run first in the child (node --import), to break something from outside.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ADMIN } from "./app.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export type MainProcess = {
  child: ChildProcess;
  pid: number;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the URL once the process says it is running; rejects if it exits first. */
  running: Promise<string>;
};

export function spawnMain(env: Record<string, string>, options: { preload?: string[] } = {}): MainProcess {
  const preload = (options.preload ?? []).flatMap((p) => ["--import", fileURLToPath(new URL(p, import.meta.url))]);
  const child = spawn(process.execPath, ["--import", "tsx", ...preload, "src/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "info",
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      HEALTH_CHECKS: "false",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const running = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 90_000);
    child.stdout!.on("data", () => {
      const m = /running at (http:\/\/\S+) /.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (code ${code}, signal ${signal}) before it started:\n${out}`));
    });
  });
  running.catch(() => undefined); // tests that expect an early exit never await it
  return { child, pid: child.pid!, output: () => out, stderr: () => err, exit, running };
}

/** Ends a child that a test left running (SIGKILL: it may be the one that is wedged). */
export async function killMain(p: MainProcess | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill("SIGKILL");
  await p.exit;
}

/** The process's exit, or a failure naming `what` if it is still running after `ms`. */
export function exitWithin(p: MainProcess, ms: number, what: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.exit,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} after ${ms} ms:\n${p.output()}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
