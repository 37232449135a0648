// Names as words. Tool and server names are identifiers (get_weather, createEvent,
// kebab-case, dotted.names); people type words. The index splits names with the SQL
// function search_split (migration 0011) and queries are split here the same way, so the
// two meet on the same words (test/search/words.test.ts checks both on one table).

/** Lower-case words of `text`: snake_case, camelCase, kebab-case and dotted names split apart. */
export function splitWords(text: string): string[] {
  const spaced = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/[^a-zA-Z0-9\u00C0-\u024F]+/g, " ")
    .toLowerCase()
    .trim();
  return spaced === "" ? [] : spaced.split(" ");
}
