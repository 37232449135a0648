// What changed between two tool lists. Pure.
import { isDeepStrictEqual } from "node:util";
import type { DiscoveredTool } from "./probe.ts";

export type StoredTool = {
  name: string;
  title: string | null;
  description: string;
  inputSchema: unknown;
  outputSchema: unknown;
  annotations: unknown;
};
export type ToolDiff = { added: string[]; removed: string[]; changed: string[] };

export function diffTools(before: readonly StoredTool[], after: readonly DiscoveredTool[]): ToolDiff {
  const old = new Map(before.map((t) => [t.name, t]));
  const now = new Map(after.map((t) => [t.name, t]));
  const added = [...now.keys()].filter((n) => !old.has(n)).sort();
  const removed = [...old.keys()].filter((n) => !now.has(n)).sort();
  const changed = [...now.keys()]
    .filter((n) => {
      const a = old.get(n);
      const b = now.get(n);
      return a !== undefined && b !== undefined && !sameTool(a, b);
    })
    .sort();
  return { added, removed, changed };
}

function sameTool(a: StoredTool, b: DiscoveredTool): boolean {
  return (
    (a.title ?? null) === (b.title ?? null) &&
    a.description === b.description &&
    isDeepStrictEqual(a.inputSchema, b.inputSchema) &&
    isDeepStrictEqual(a.outputSchema ?? null, b.outputSchema ?? null) &&
    isDeepStrictEqual(a.annotations ?? null, b.annotations ?? null)
  );
}

export function isEmpty(diff: ToolDiff): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length === 0;
}
