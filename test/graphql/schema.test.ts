import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { printedSchema, SCHEMA_FILE } from "../../scripts/print-schema.ts";

describe("schema.graphql", () => {
  it("matches the schema built from the code (run `npm run schema:print` after changing it)", () => {
    expect(fs.readFileSync(SCHEMA_FILE, "utf8")).toBe(printedSchema());
  });

  it("shows the typed errors of each mutation", () => {
    const schema = printedSchema();
    expect(schema).toContain("union RegisterServerResult = ConflictError | RegisterServerSuccess | ValidationError");
    expect(schema).toContain("union UpdateServerResult = ConflictError | NotFoundError | UpdateServerSuccess | ValidationError");
    expect(schema).toContain("union ToggleServerResult = NotFoundError | ToggleServerSuccess");
  });
});
