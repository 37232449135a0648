import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { printedSchema, SCHEMA_FILE } from "../../scripts/print-schema.ts";

describe("schema.graphql", () => {
  it("matches the schema built from the code (run `npm run schema:print` after changing it)", () => {
    expect(fs.readFileSync(SCHEMA_FILE, "utf8")).toBe(printedSchema());
  });

  it("shows the typed errors of each mutation", () => {
    const schema = printedSchema();
    expect(schema).toContain(
      "union RegisterServerResult = ConflictError | ForbiddenError | RegisterServerSuccess | ValidationError",
    );
    expect(schema).toContain(
      "union UpdateServerResult = ConflictError | ForbiddenError | NotFoundError | UpdateServerSuccess | ValidationError",
    );
    expect(schema).toContain("union ToggleServerResult = ForbiddenError | NotFoundError | ToggleServerSuccess");
    expect(schema).toContain("union RevokeTokenResult = RevokeTokenSuccess | TokenNotFoundError");
  });
});
