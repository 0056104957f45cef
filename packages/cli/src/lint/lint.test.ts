import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Ajv from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { main } from "../main.ts";

const dir = mkdtempSync(path.join(tmpdir(), "rollgate-lint-"));
const file = (name: string, sql: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, sql);
  return p;
};
const clean = file(
  "clean.sql",
  "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text;\n",
);
const destructive = file(
  "destructive.sql",
  "SET lock_timeout = '3s';\nALTER TABLE users DROP COLUMN IF EXISTS email;\n",
);

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["lint", ...argv], { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("rollgate lint", () => {
  it("exits 0 for a clean expand script", async () => {
    expect(await run(clean, "--phase", "expand")).toMatchObject({
      code: 0,
      out: expect.stringContaining("0 error(s)"),
    });
  });

  it("exits 1 when an expand script is destructive, naming file, line and rule", async () => {
    const result = await run(destructive, "--phase", "expand");
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${destructive}:2:1 error drop-column`);
  });

  it("finding 4: reports the transaction control that `rollgate run --database-url` refuses, with its line", async () => {
    const savepoints = file(
      "savepoints.sql",
      "SET lock_timeout = '3s';\nSAVEPOINT s;\nALTER TABLE items DROP COLUMN keep;\nROLLBACK TO SAVEPOINT s;\nALTER TABLE items DROP COLUMN legacy;\n",
    );
    const result = await run(savepoints, "--phase", "contract");
    expect(result.out).toContain(`${savepoints}:2:1 warning executor-transaction-control`);
  });

  it("accepts the same statement in a contract script", async () => {
    expect((await run(destructive, "--phase", "contract")).code).toBe(0);
  });

  it("prints the documented JSON shape", async () => {
    const result = await run(destructive, clean, "--phase", "expand", "--format", "json");
    const json = JSON.parse(result.out);
    expect(json.files.map((f: { path: string }) => f.path)).toEqual([destructive, clean]);
    expect(Object.keys(json.files[0].findings[0]).sort()).toEqual([
      "category",
      "column",
      "line",
      "message",
      "rule",
      "severity",
      "statement",
      "suggestion",
    ]);
  });

  it("prints SARIF 2.1.0 that validates against the official schema", async () => {
    const schema = JSON.parse(await readFile(new URL("./sarif-2.1.0-rtm.5.schema.json", import.meta.url), "utf8"));
    const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
    const result = await run(destructive, clean, "--phase", "expand", "--format", "sarif");
    const sarif = JSON.parse(result.out);
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0].results[0]).toMatchObject({ ruleId: "drop-column", level: "error" });
    // The check can fail: a result without its required message is refused.
    delete sarif.runs[0].results[0].message;
    expect(validate(sarif)).toBe(false);
  });

  it("exits 2 with a sentence for usage errors and unreadable files", async () => {
    expect(await run(clean)).toMatchObject({
      code: 2,
      err: expect.stringContaining("--phase must be expand, contract or from-file"),
    });
    expect(await run(path.join(dir, "missing.sql"), "--phase", "expand")).toMatchObject({
      code: 2,
      err: expect.stringContaining("cannot read"),
    });
    expect(await run(clean, "--phase", "expand", "--format", "xml")).toMatchObject({ code: 2 });
    expect(await main(["nope"], { out: () => {}, err: () => {}, interactive: false })).toBe(2);
  });
});
