import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "./analyse.ts";
import { parseScriptSync, SqlSyntaxError } from "./parse.ts";

beforeAll(() => loadSqlParser());

describe("parseScriptSync", () => {
  it("splits a script into statements with their text and first line", () => {
    const statements = parseScriptSync(
      "-- a comment\nCREATE TABLE a (id int);\n\n/* b */ ALTER TABLE a\n  ADD COLUMN b int;",
    );
    expect(statements.map((s) => [s.type, s.line, s.text])).toEqual([
      ["CreateStmt", 2, "CREATE TABLE a (id int)"],
      ["AlterTableStmt", 4, "ALTER TABLE a\n  ADD COLUMN b int"],
    ]);
  });

  it("gives no statement for a script of blanks and comments", () => {
    expect(parseScriptSync("  -- nothing\n/* here */\n")).toEqual([]);
  });

  it("names the line and column of a syntax error", () => {
    try {
      parseScriptSync("SELECT 1;\nALTER TABLE a ADD COLUMN b int,,;");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SqlSyntaxError);
      expect(error).toMatchObject({ line: 2 });
      expect((error as SqlSyntaxError).message).toContain("syntax error");
    }
  });
});
