// Typed operations for the tests, the UI and the REST layer, generated from the
// checked-in schema.graphql and the graphql(`...`) documents in the code.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["src/**/*.{ts,graphql}", "test/**/*.ts", "bench/**/*.ts", "!src/generated/**"],
  ignoreNoDocuments: true,
  generates: {
    "src/generated/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        emitLegacyCommonJSImports: false,
        enumsAsTypes: true,
        scalars: { DateTime: "string", JSON: "unknown", JSONObject: "Record<string, unknown>" },
      },
    },
  },
};

export default config;
