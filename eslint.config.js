import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      "**/drizzle/**",
      "e2e/artifacts/**",
      "**/next-env.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      // Configuration is read in one typed place per app (env.ts), never ad hoc.
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through env.ts." },
      ],
    },
  },
  {
    files: [
      "**/env.ts",
      "**/*.test.ts",
      "**/test/**",
      "e2e/**",
      "**/bench/**",
      "**/scripts/**",
      "**/*.config.ts",
      "**/bin/**",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  {
    // Pages, route handlers, server actions and components are adapters: data access (the
    // database handle, queries, Drizzle) goes through use cases in apps/web/src/server.
    files: ["apps/web/src/app/**", "apps/web/src/components/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["drizzle-orm", "drizzle-orm/*"], message: "Call a use case from src/server instead." },
            {
              group: ["@rollgate/db", "@rollgate/db/*"],
              message: "Database access belongs in apps/web/src/server: call (or add) a use case there.",
            },
          ],
        },
      ],
    },
  },
);
