import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { classify } from "./classify.ts";
import { ALTER_TABLE_COMMANDS } from "./rules/alter-table.ts";
import { STATEMENTS } from "./statements.ts";
import type { FileState } from "./types.ts";

// The grammar's own lists, read from the type definitions libpg-query ships (@pgsql/types,
// generated from PostgreSQL's protobuf): a PostgreSQL upgrade that adds a statement fails here.
const require = createRequire(import.meta.url);
const typesDir = path.dirname(createRequire(require.resolve("libpg-query")).resolve("@pgsql/types/package.json"));
const nodeUnion = readFileSync(path.join(typesDir, "types.d.ts"), "utf8").match(
  /export type Node =([\s\S]*?)};\n/,
)![1]!;
const grammarStatements = [...nodeUnion.matchAll(/^\s+(\w+Stmt): \w+;$/gm)]
  .map((m) => m[1]!)
  .filter((t) => t !== "RawStmt");
const alterTableUnion = readFileSync(path.join(typesDir, "enums.d.ts"), "utf8").match(
  /export type AlterTableType = ([^;]+);/,
)![1]!;
const grammarSubcommands = [...alterTableUnion.matchAll(/"(AT_\w+)"/g)].map((m) => m[1]!);

const state = (): FileState => ({
  inTransaction: false,
  lockTimeoutSet: true,
  createdTables: new Set(),
  createdTableNames: new Set(),
  createdObjects: new Set(),
});

describe("statement classification", () => {
  it("has an entry for every statement node type of libpg-query's grammar, and only for those", () => {
    expect(grammarStatements.length).toBeGreaterThan(100);
    expect(grammarStatements.filter((t) => !(t in STATEMENTS))).toEqual([]);
    expect(Object.keys(STATEMENTS).filter((t) => !grammarStatements.includes(t))).toEqual([]);
  });

  it("has an entry for every ALTER TABLE sub-command, and only for those", () => {
    expect(grammarSubcommands.length).toBeGreaterThan(60);
    expect(grammarSubcommands.filter((t) => !(t in ALTER_TABLE_COMMANDS))).toEqual([]);
    expect(Object.keys(ALTER_TABLE_COMMANDS).filter((t) => !grammarSubcommands.includes(t))).toEqual([]);
  });

  it("reports a statement type it has no entry for as a contract finding", () => {
    const outcome = classify("FutureStmt", {}, () => "FUTURE", state());
    expect(outcome.findings).toEqual([
      expect.objectContaining({
        rule: "unclassified-statement",
        category: "contract",
        message: expect.stringContaining("Rollgate cannot classify this statement (FutureStmt)"),
      }),
    ]);
  });

  it("reports an ALTER TABLE sub-command it has no entry for as a contract finding", () => {
    const node = {
      relation: { relname: "users" },
      objtype: "OBJECT_TABLE",
      cmds: [{ AlterTableCmd: { subtype: "AT_Future" } }],
    };
    const outcome = classify("AlterTableStmt", node, () => "ALTER TABLE users FUTURE", state());
    expect(outcome.findings).toEqual([
      expect.objectContaining({ rule: "unclassified-statement", category: "contract" }),
    ]);
    expect(outcome.lock).toBe("ACCESS EXCLUSIVE");
  });
});
