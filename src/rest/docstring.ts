// Splits a tool description written as a Google- or NumPy-style docstring into the
// parts the product's /api/tools response shows: the main text, and the Args,
// Returns and Raises sections as text (null when the section is absent). Pure.

export type ParsedDescription = { main: string; args: string | null; returns: string | null; raises: string | null };

type Section = "args" | "returns" | "raises";

// A Map: the keys looked up come from tool descriptions (`Constructor:` must not find Object.prototype).
const SECTIONS = new Map<string, Section>([
  ["args", "args"],
  ["arguments", "args"],
  ["parameters", "args"],
  ["params", "args"],
  ["keyword args", "args"],
  ["keyword arguments", "args"],
  ["other parameters", "args"],
  ["returns", "returns"],
  ["return", "returns"],
  ["yields", "returns"],
  ["yield", "returns"],
  ["raises", "raises"],
  ["raise", "raises"],
  ["throws", "raises"],
  ["exceptions", "raises"],
]);

// Headers that end an Args/Returns/Raises section; their text stays in the main part.
const OTHER_HEADERS = new Set([
  "attributes",
  "example",
  "examples",
  "note",
  "notes",
  "references",
  "see also",
  "todo",
  "warning",
  "warnings",
  "warns",
]);

export function parseDocstring(text: string | null | undefined): ParsedDescription {
  const lines = cleandoc(text ?? "");
  const main: string[] = [];
  const found: Record<Section, string[] | null> = { args: null, returns: null, raises: null };
  let current: { section: Section; indent: number; numpy: boolean } | null = null;

  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const header = headerAt(lines, i);
    if (header) {
      i += header.numpy ? 1 : 0; // skip the dashes under a NumPy header
      if (header.section) {
        current = { section: header.section, indent: header.indent, numpy: header.numpy };
        // A repeated section (say "Args:" twice) continues the first.
        found[header.section] ??= [];
        if (header.rest) found[header.section]!.push(" ".repeat(header.indent + 4) + header.rest);
      } else {
        current = null;
        main.push(line);
      }
      continue;
    }
    if (current && !current.numpy && line.trim() !== "" && indentOf(line) <= current.indent) current = null;
    if (current) found[current.section]!.push(line);
    else main.push(line);
  }

  return {
    main: squeeze(main).join("\n").replace(/\n{3,}/g, "\n\n"),
    args: block(found.args),
    returns: block(found.returns),
    raises: block(found.raises),
  };
}

/** A section header at line i: Google "Args:" (text may follow), or NumPy "Parameters" over dashes. */
function headerAt(
  lines: string[],
  i: number,
): { section: Section | null; indent: number; numpy: boolean; rest: string } | null {
  const line = lines[i]!;
  const next = lines[i + 1];
  const trimmed = line.trim();
  const key = trimmed.replace(/:$/, "").toLowerCase();
  if (next !== undefined && /^\s*-{3,}\s*$/.test(next) && trimmed !== "" && !trimmed.endsWith(":")) {
    if (SECTIONS.has(key) || OTHER_HEADERS.has(key)) return { section: SECTIONS.get(key) ?? null, indent: indentOf(line), numpy: true, rest: "" };
  }
  const google = /^([A-Z][A-Za-z ]*?):\s*(.*)$/.exec(trimmed); // argument names are lower-case
  if (google) {
    const name = google[1]!.toLowerCase();
    const section = SECTIONS.get(name);
    if (section) return { section, indent: indentOf(line), numpy: false, rest: google[2]! };
    if (OTHER_HEADERS.has(name) && google[2] === "") return { section: null, indent: indentOf(line), numpy: false, rest: "" };
  }
  return null;
}

/** Python's inspect.cleandoc: tabs to spaces, the first line stripped, the rest dedented, blank edges dropped. */
function cleandoc(text: string): string[] {
  const lines = text.replace(/\t/g, "        ").replace(/\r\n?/g, "\n").split("\n");
  const rest = lines.slice(1).filter((l) => l.trim() !== "");
  // "Args:" on the first line: its body is indented relative to it, so keep the indentation.
  const headerFirst = /^[A-Z][A-Za-z ]*:$/.test(lines[0]!.trim());
  const margin = rest.length === 0 || headerFirst ? 0 : Math.min(...rest.map(indentOf));
  return squeeze([lines[0]!.trim(), ...lines.slice(1).map((l) => l.slice(margin).trimEnd())]);
}

function block(lines: string[] | null): string | null {
  if (lines === null) return null;
  const body = squeeze(lines);
  const nonBlank = body.filter((l) => l.trim() !== "");
  const margin = nonBlank.length === 0 ? 0 : Math.min(...nonBlank.map(indentOf));
  return body.map((l) => l.slice(margin)).join("\n");
}

/** Drops blank lines at both ends. */
function squeeze(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start += 1;
  while (end > start && lines[end - 1]!.trim() === "") end -= 1;
  return lines.slice(start, end);
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}
