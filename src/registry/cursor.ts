// Opaque page cursors: base64url of the last entry's sort key, its name and version
// (unique together). Clients must not build them; a cursor that does not decode is
// refused, never ignored.
export type CursorKey = { name: string; version: string };

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify({ n: key.name, v: key.version }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): CursorKey | null {
  if (!/^[A-Za-z0-9_-]{1,800}$/.test(cursor)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof value !== "object" || value === null) return null;
    const { n, v } = value as { n?: unknown; v?: unknown };
    // Names and versions the registry stores: text without NUL (PostgreSQL refuses it in a parameter).
    const ok = (s: unknown, max: number): s is string => typeof s === "string" && s.length > 0 && s.length <= max && !s.includes("\u0000");
    return ok(n, 1_000) && ok(v, 1_000) ? { name: n, version: v } : null;
  } catch {
    return null;
  }
}
