// Replicas: several servers on one database (one schema of the TEST_DATABASE_URL
// server), as a deployment with more than one instance runs. In this process
// (startReplicas), or as `npm start` processes (spawnReplicas) for tests that must
// kill one without letting it shut down.
import { dropData } from "./env.ts";
import { freshDataEnv, startApp, stopApp, type StartOptions, type TestApp } from "./app.ts";
import { killMain, spawnMain, type MainProcess } from "./main-process.ts";

export type Replicas = {
  /** The first app owns the data; the others run on it. */
  apps: [TestApp, TestApp, ...TestApp[]];
  /** Closes every app, then drops the data. */
  close(): Promise<void>;
};

/** `count` (at least 2) apps on the same data, each started with `env`. */
export async function startReplicas(options: { count?: number; env?: StartOptions["env"] } = {}): Promise<Replicas> {
  const first = await startApp({ env: options.env });
  const apps: TestApp[] = [first];
  try {
    for (let i = 1; i < (options.count ?? 2); i++) apps.push(await startApp({ env: options.env, sameDataAs: first }));
  } catch (err) {
    await Promise.all(apps.slice(1).map((a) => a.close()));
    await stopApp(first);
    throw err;
  }
  return {
    apps: apps as Replicas["apps"],
    async close() {
      await Promise.all(apps.slice(1).map((a) => a.close()));
      await stopApp(first);
    },
  };
}

export type ReplicaProcess = MainProcess & { url: string };

export type ReplicaProcesses = {
  processes: [ReplicaProcess, ReplicaProcess, ...ReplicaProcess[]];
  /** Kills what still runs (SIGKILL), then drops the data. */
  close(): Promise<void>;
};

/** `count` (at least 2) `src/main.ts` processes on the same fresh data, each started with `env`, once each is running. */
export async function spawnReplicas(options: { count?: number; env?: Record<string, string> } = {}): Promise<ReplicaProcesses> {
  const data = await freshDataEnv();
  const processes: ReplicaProcess[] = [];
  const close = async () => {
    await Promise.all(processes.map((p) => killMain(p)));
    await dropData(data);
  };
  try {
    for (let i = 0; i < (options.count ?? 2); i++) {
      const p = Object.assign(spawnMain({ ...data, ...options.env }), { url: "" });
      processes.push(p);
      p.url = await p.running;
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { processes: processes as ReplicaProcesses["processes"], close };
}
