// @ts-check
import js from "@eslint/js";
import graphqlPlugin from "@graphql-eslint/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "src/generated/", "data/", "scratch/", "coverage/", "test-artifacts/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "error",
      eqeqeq: ["error", "smart"],
    },
  },
  {
    // Benchmarks and scripts are command-line programs: printing is their job.
    files: ["bench/**/*.ts", "scripts/**/*.ts"],
    rules: { "no-console": "off" },
  },
  {
    // Only src/config.ts reads the environment; tests and tooling may read their own knobs.
    files: ["src/**/*.ts"],
    ignores: ["src/config.ts", "src/main.ts"], // main.ts hands process.env to config.ts
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read settings in src/config.ts." }],
    },
  },
  {
    // The printed schema documents itself: every type, field, argument and enum value has
    // a description (GraphiQL's docs and codegen's comments come from them), and names
    // follow one convention.
    files: ["schema.graphql"],
    languageOptions: { parser: graphqlPlugin.parser, parserOptions: { graphQLConfig: { schema: "schema.graphql" } } },
    plugins: { "@graphql-eslint": graphqlPlugin },
    rules: {
      "@graphql-eslint/require-description": [
        "error",
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
      "@graphql-eslint/naming-convention": [
        "error",
        {
          types: "PascalCase",
          FieldDefinition: "camelCase",
          InputValueDefinition: "camelCase",
          EnumValueDefinition: "UPPER_CASE",
          allowLeadingUnderscore: false,
        },
      ],
    },
  },
);
