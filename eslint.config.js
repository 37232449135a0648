// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "src/generated/", "data/", "scratch/", "coverage/", "test-artifacts/"] },
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
);
