// An Allow for the wire-filter tests: exact names, as the policy's lists resolve them.
import type { Allow } from "../../src/gateway/target.ts";

export const SECRET = "forbidden_drop_db";
export const SECRET_PROMPT = "forbidden_prompt";
export const SECRET_URI = "file:///forbidden/secrets.txt";

export function allowOnly(
  tools: string[],
  prompts: string[] = ["greet"],
  resources: string[] = ["file:///ok.txt", "file:///{name}.md"],
): Allow {
  const t = new Set(tools);
  const p = new Set(prompts);
  const r = new Set(resources);
  return { all: false, tool: (n) => t.has(n), prompt: (n) => p.has(n), resource: (u) => r.has(u) };
}

export const ALL: Allow = { all: true, tool: () => true, prompt: () => true, resource: () => true };
