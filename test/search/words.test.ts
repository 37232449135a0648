// splitWords (queries) and search_split (the index, migration 0011) must give the same
// words, or a query would miss the names it spells: one table, checked against both.
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitWords } from "../../src/search/words.ts";

const TABLE: [input: string, words: string[]][] = [
  ["get_weather", ["get", "weather"]],
  ["createEvent", ["create", "event"]],
  ["list-pull-requests", ["list", "pull", "requests"]],
  ["github.issues.create", ["github", "issues", "create"]],
  ["HTTPServer", ["http", "server"]],
  ["getHTTPResponseCode", ["get", "http", "response", "code"]],
  ["s3Bucket", ["s3", "bucket"]],
  ["v2Api", ["v2", "api"]],
  ["/finance/ledger", ["finance", "ledger"]],
  ["Team Calendar", ["team", "calendar"]],
  ["  spaced   out  ", ["spaced", "out"]],
  ["__init__", ["init"]],
  ["café_menu", ["café", "menu"]],
  ["k8s", ["k8s"]],
  ["", []],
  ["---", []],
  ["emoji 🚀 rocket", ["emoji", "rocket"]],
];

describe("splitWords", () => {
  it.each(TABLE)("splits %j into %j", (input, words) => {
    expect(splitWords(input)).toEqual(words);
  });
});

describe("search_split, the index's side", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create({ extensions: { pg_trgm } });
    const sql = await fs.readFile(new URL("../../prisma/migrations/0011_search_index/migration.sql", import.meta.url), "utf8");
    const fn = /CREATE FUNCTION search_split[\s\S]*?\$\$;/.exec(sql);
    expect(fn).not.toBeNull();
    await db.exec(fn![0]);
  });
  afterAll(async () => {
    await db.close();
  });

  it.each(TABLE)("splits %j as splitWords does", async (input, words) => {
    const r = await db.query<{ w: string }>("select search_split($1) as w", [input]);
    const got = r.rows[0]!.w;
    expect(got === "" ? [] : got.split(" ")).toEqual(words);
  });
});
