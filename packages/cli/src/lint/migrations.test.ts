import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../main.ts";

// `rollgate lint --phase from-file` over a folder of migrations, as CI runs it on Rollgate's own
// (scripts/test.sh): a destructive statement is allowed only in a file marked `-- rollgate: contract`.

const root = path.resolve(import.meta.dirname, "../../../..");
const fixtures = path.join(root, "packages/cli/test/fixtures/migrations");
const sqlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => path.join(dir, f));

async function lint(files: string[], format = "text") {
  const out: string[] = [];
  const code = await main(["lint", "--phase", "from-file", "--format", format, ...files], {
    out: (t) => out.push(t),
    err: (t) => out.push(t),
    interactive: false,
  });
  return { code, out: out.join("\n") };
}

describe("rollgate lint --phase from-file", () => {
  it("fails on a destructive statement in a migration not marked as a contract, naming the file", async () => {
    const result = await lint(sqlIn(fixtures));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${path.join(fixtures, "0001_unmarked_drop.sql")}:2:1 error drop-column`);
    expect(result.out).not.toContain("0002_marked_drop.sql:3:1 error");
    expect(result.out).toContain("linted as marked (1 contract, 2 expand)");
  });

  it("passes the same statement in a marked contract migration", async () => {
    expect(
      (await lint([path.join(fixtures, "0000_expand.sql"), path.join(fixtures, "0002_marked_drop.sql")])).code,
    ).toBe(0);
  });

  it("passes Rollgate's own migrations, each linted as the phase it declares", async () => {
    const migrations = sqlIn(path.join(root, "packages/db/drizzle"));
    const result = await lint(migrations, "json");
    expect(result.code, result.out).toBe(0);
    const contracts = (JSON.parse(result.out) as { files: Array<{ path: string; phase: string }> }).files
      .filter((f) => f.phase === "contract")
      .map((f) => path.basename(f.path));
    expect(contracts).toEqual(["0009_drop_auth_adapter_tables.sql"]);
  });

  it("refuses an unknown phase as a usage error", async () => {
    const out: string[] = [];
    expect(
      await main(["lint", "--phase", "marked", path.join(fixtures, "0000_expand.sql")], {
        out: (t) => out.push(t),
        err: (t) => out.push(t),
        interactive: false,
      }),
    ).toBe(2);
    expect(out.join("\n")).toContain("--phase must be expand, contract or from-file");
  });
});
