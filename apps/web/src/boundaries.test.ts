import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The lint rule that keeps database access out of pages, routes, actions and components.
const root = path.resolve(import.meta.dirname, "../../..");
const eslint = new ESLint({ cwd: root });
const source = 'import { database } from "@rollgate/db/runtime";\nexport const open = database;\n';
const messages = async (file: string) =>
  (await eslint.lintText(source, { filePath: path.join(root, file) }))[0]!.messages.filter(
    (m) => m.ruleId === "no-restricted-imports",
  );

// The first lintText loads ESLint's whole configuration and its plugins: seconds on a busy machine.
describe("no @rollgate/db in pages, routes and components", () => {
  it("refuses it in a route handler and in a component", async () => {
    for (const file of ["apps/web/src/app/api/v1/example/route.ts", "apps/web/src/components/example.tsx"]) {
      const found = await messages(file);
      expect(found.map((m) => m.message).join(" "), file).toMatch(/belongs in packages\/app/);
    }
  });

  it("allows it in a server module", async () => {
    expect(await messages("apps/web/src/server/example/open-example.ts")).toEqual([]);
  });
});
