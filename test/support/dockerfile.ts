// Reads the Dockerfile's instructions, for the deployment tests that check it against
// what they run outside a container (no container engine here: see README "Container").
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./main-process.ts";

export type Instruction = { keyword: string; args: string; stage: string };

export function readDockerfile(file = path.join(ROOT, "Dockerfile")): Instruction[] {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const joined: string[] = [];
  let pending = "";
  for (const line of lines) {
    if (/^\s*#/.test(line) && pending === "") continue;
    if (/^\s*#/.test(line)) continue; // a comment inside a continued instruction
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = (pending + line.trim()).trim();
    pending = "";
    if (full !== "") joined.push(full);
  }
  let stage = "";
  return joined.map((text) => {
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(text) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === "FROM") stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? args;
    return { keyword: upper, args, stage };
  });
}

/** An exec-form instruction's argument vector (CMD ["node", ...]). */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string")) throw new Error(`not exec form: ${args}`);
  return parsed as string[];
}

/** The final stage's CMD: the command the production test runs. */
export function dockerCmd(instructions = readDockerfile()): string[] {
  const last = instructions.at(-1)?.stage;
  const cmd = instructions.filter((i) => i.keyword === "CMD" && i.stage === last).at(-1);
  if (!cmd) throw new Error("the Dockerfile's last stage has no CMD");
  return execForm(cmd.args);
}

/** The final stage's `npm ci ...` (the production install), without what follows `&&`. */
export function dockerInstall(instructions = readDockerfile()): string[] {
  const last = instructions.at(-1)?.stage;
  const run = instructions.find((i) => i.keyword === "RUN" && i.stage === last && /^npm ci\b/.test(i.args));
  if (!run) throw new Error("the Dockerfile's last stage runs no npm ci");
  return run.args.split("&&")[0]!.trim().split(/\s+/);
}

/** Variables the Dockerfile sets with ENV (KEY=value pairs). */
export function dockerEnv(instructions = readDockerfile()): string[] {
  return instructions
    .filter((i) => i.keyword === "ENV")
    .flatMap((i) => [...i.args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!));
}

/** Files the final stage copies from the build context (not from another stage). */
export function dockerRuntimeCopies(instructions = readDockerfile()): string[] {
  const last = instructions.at(-1)?.stage;
  return instructions
    .filter((i) => i.keyword === "COPY" && i.stage === last && !i.args.startsWith("--from"))
    .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
}
