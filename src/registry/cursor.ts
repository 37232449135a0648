// Opaque page cursors: base64url of the last row's sort key (its path, which is unique).
// Clients must not build them; a cursor that does not decode is refused, never ignored.
export function encodeCursor(path: string): string {
  return Buffer.from(JSON.stringify({ p: path }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,800}$/.test(cursor)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof value !== "object" || value === null) return null;
    const p = (value as { p?: unknown }).p;
    return typeof p === "string" && p.startsWith("/") && p.length <= 1_000 ? p : null;
  } catch {
    return null;
  }
}
