import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The floors of the house (eslint.config.js): each rule is shown to fire on the import it forbids
// and to stay quiet on its neighbour that is allowed.
const root = path.resolve(import.meta.dirname, "../..");
// `ignore: false`: the circle below sits in a folder the whole-tree lint ignores.
const eslint = new ESLint({ cwd: root, ignore: false });
const FLOORS = ["import-x/no-restricted-paths", "floors/no-import-cycle"];

const floorErrors = (results: ESLint.LintResult[]) =>
  results.flatMap((r) =>
    r.messages
      .filter((m) => m.ruleId !== null && FLOORS.includes(m.ruleId))
      .map((m) => `${path.relative(root, r.filePath)}: ${m.ruleId}: ${m.message}`),
  );

/** The floor errors for `source` as if it were the file at `file` (the file need not exist). */
const lint = async (file: string, source: string) =>
  floorErrors(await eslint.lintText(source, { filePath: path.join(root, file) }));

// The first lintText loads ESLint's whole configuration and its plugins: seconds on a busy machine.
describe("no import circles", () => {
  let dir: string;
  const write = (name: string, source: string) => writeFileSync(path.join(dir, name), source);

  beforeAll(() => {
    // Real files: a circle is found by reading what the imported module imports.
    dir = mkdtempSync(path.join(root, "tooling/eslint/.circle-"));
    write("a.ts", 'import { b } from "./b.ts";\nexport const a = () => b();\n');
    write("b.ts", 'import { a } from "./a.ts";\nexport const b = () => a;\n');
    write("typed.ts", 'import type { Back } from "./back.ts";\nexport type There = { back?: Back };\n');
    write("back.ts", 'import type { There } from "./typed.ts";\nexport type Back = { there?: There };\n');
    write("top.ts", 'import { b } from "./b.ts";\nexport const top = () => b;\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("fails on two modules that import each other, on both of them", async () => {
    const errors = floorErrors(await eslint.lintFiles([path.join(dir, "a.ts"), path.join(dir, "b.ts")]));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/a\.ts: floors\/no-import-cycle: Import circle: .*a\.ts → .*b\.ts → .*a\.ts/);
  });

  it("counts a circle closed by type-only imports", async () => {
    const errors = floorErrors(await eslint.lintFiles([path.join(dir, "typed.ts")]));
    expect(errors).toEqual([
      expect.stringMatching(/floors\/no-import-cycle: Import circle: .*typed\.ts → .*back\.ts → .*typed\.ts/),
    ]);
  });

  it("lets a module import into a circle it is not part of", async () => {
    expect(floorErrors(await eslint.lintFiles([path.join(dir, "top.ts")]))).toEqual([]);
  });
});

describe("the web app's floors", () => {
  it("components never import app/", async () => {
    const source =
      'import { decide } from "@/app/rollouts/[service]/[environment]/[release]/actions";\nexport const a = decide;\n';
    expect(await lint("apps/web/src/components/example.tsx", source)).toEqual([
      expect.stringMatching(/no-restricted-paths: .*Components sit below pages/),
    ]);
  });

  it("lib/ never imports components or app/", async () => {
    expect(
      await lint("apps/web/src/lib/example.ts", 'export { Chart } from "@/components/charts/chart";\n'),
    ).toHaveLength(1);
    expect(await lint("apps/web/src/lib/example.ts", 'export { decide } from "@/app/admin/actions";\n')).toHaveLength(
      1,
    );
    expect(await lint("apps/web/src/lib/example.ts", 'export { utc } from "@/lib/format";\n')).toEqual([]);
  });

  it('server code never imports a client module: the client fetchers, a "use client" file', async () => {
    for (const source of [
      'import type { GateJson } from "@/lib/fetchers";\nexport type G = GateJson;\n',
      'export { useSeededQuery } from "@/lib/use-seeded-query";\n',
      'export { Countdown } from "@/components/countdown";\n',
    ]) {
      for (const file of [
        "apps/web/src/server/example/get-example.ts",
        "apps/web/src/server/example/example.int.test.ts",
      ])
        expect(await lint(file, source), `${file}: ${source}`).toContainEqual(
          expect.stringMatching(/no-restricted-paths: .*never imports client modules/),
        );
    }
    expect(await lint("apps/web/src/server/example/get-example.ts", 'export { utc } from "@/lib/format";\n')).toEqual(
      [],
    );
  });

  it("server code never imports pages or route handlers; its tests may drive them", async () => {
    const source = 'export { POST } from "@/app/api/v1/events/route";\n';
    expect(await lint("apps/web/src/server/example/get-example.ts", source)).toEqual([
      expect.stringMatching(/no-restricted-paths: .*sits below pages and components/),
    ]);
    expect(await lint("apps/web/src/server/example/example.int.test.ts", source)).toEqual([]);
  });
});

describe("packages point one way", () => {
  // A package name resolves only where package.json declares it (pnpm), so an undeclared one
  // already fails the type-check; these catch a path that reaches into another package.
  it("core imports none of our other packages; db imports only core and the logger", async () => {
    expect(await lint("packages/core/src/example.ts", 'export { database } from "../../db/src/runtime.ts";\n')).toEqual(
      [expect.stringMatching(/core is the bottom floor/)],
    );
    expect(
      await lint("packages/db/src/example.ts", 'export { JOBS } from "../../worker/src/jobs/index.ts";\n'),
    ).toEqual([expect.stringMatching(/db only reads and writes/)]);
    expect(await lint("packages/db/src/example.ts", 'export { evaluateGate } from "@rollgate/core/gate";\n')).toEqual(
      [],
    );
  });
});

describe("e2e/ is the top floor", () => {
  it("nothing outside e2e/ imports it: scripts, a package's benchmark, infra, root files", async () => {
    for (const [file, from] of [
      ["scripts/example.ts", "../e2e/support/app-server.ts"],
      ["packages/cli/bench/example.bench.ts", "../../../e2e/support/app-server.ts"],
      ["infra/test/example.test.ts", "../../e2e/support/app-server.ts"],
      ["tooling/example.ts", "../e2e/support/app-server.ts"],
      ["example.config.ts", "./e2e/support/app-server.ts"],
    ])
      expect(await lint(file!, `export { AppServer } from "${from}";\n`), file).toEqual([
        expect.stringMatching(/e2e\/ is the top floor/),
      ]);
  });

  it("e2e imports itself", async () => {
    expect(await lint("e2e/tests/example.spec.ts", 'export { AppServer } from "../support/app-server.ts";\n')).toEqual(
      [],
    );
  });
});

describe("test support stays out of production code", () => {
  it("a package's source never imports its test/ folder or another's; its tests do", async () => {
    const builders = 'export { at } from "../test/builders.ts";\n';
    expect(await lint("packages/core/src/example.ts", builders)).toEqual([
      expect.stringMatching(/never imports test support/),
    ]);
    expect(await lint("packages/core/src/example.test.ts", builders)).toEqual([]);
    const capture = 'export { captureLogs } from "@rollgate/log/testing/capture";\n';
    expect(await lint("apps/web/src/server/example/get-example.ts", capture)).toHaveLength(1);
    expect(await lint("apps/web/src/server/example/example.int.test.ts", capture)).toEqual([]);
  });
});
