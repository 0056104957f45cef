import { describe, expect, it } from "vitest";
import { analyseSql } from "./index.ts";

describe("analyseSql", () => {
  it("treats DDL words in comments, strings and dollar-quoted strings as text, not statements", async () => {
    const sql =
      "-- DROP TABLE a;\n/* ALTER TABLE b DROP COLUMN c; */\nSELECT 'DROP TABLE d', $$TRUNCATE e$$;\nDO $body$ BEGIN RAISE NOTICE 'DROP TABLE f'; END $body$;\n";
    const result = await analyseSql(sql, { phase: "expand" });
    expect(result.statements).toHaveLength(2);
    expect(result.findings).toEqual([]);
  });

  it("analyses a literal EXECUTE inside a DO block like a top-level statement", async () => {
    const result = await analyseSql("SET lock_timeout = '3s';\nDO $body$ BEGIN EXECUTE 'DROP TABLE f'; END $body$;", {
      phase: "expand",
    });
    expect(result.findings).toEqual([
      expect.objectContaining({
        rule: "drop-table",
        severity: "error",
        statement: 1,
        line: 2,
        message: expect.stringContaining("In a DO block, EXECUTE"),
      }),
    ]);
    expect(result.statements[1]).toMatchObject({ type: "DoStmt", lock: "ACCESS EXCLUSIVE", table: "f" });
  });

  it("makes contract findings errors in an expand script and information in a contract script", async () => {
    const sql = "SET lock_timeout = '3s';\nALTER TABLE users DROP COLUMN IF EXISTS email;";
    expect((await analyseSql(sql, { phase: "expand" })).findings[0]).toMatchObject({
      rule: "drop-column",
      severity: "error",
    });
    expect((await analyseSql(sql, { phase: "contract" })).findings[0]).toMatchObject({
      rule: "drop-column",
      severity: "info",
    });
  });

  it("warns about locking unless the policy makes it an error", async () => {
    const sql = "SET lock_timeout = '3s';\nCREATE INDEX IF NOT EXISTS i ON users (email);";
    expect((await analyseSql(sql, { phase: "expand" })).findings[0]).toMatchObject({
      category: "locking",
      severity: "warning",
    });
    expect((await analyseSql(sql, { phase: "expand", lockingIsError: true })).findings[0]).toMatchObject({
      severity: "error",
    });
  });

  it("classifies every statement", async () => {
    const sql =
      "SET lock_timeout = '3s';\nCREATE TABLE IF NOT EXISTS t (id int);\nALTER TABLE users DROP COLUMN IF EXISTS email;\nCREATE INDEX IF NOT EXISTS i ON users (a);\nCREATE TABLE u (id int);";
    expect((await analyseSql(sql)).statements.map((s) => s.kind)).toEqual([
      "expand",
      "expand",
      "contract",
      "locking",
      "non_idempotent",
    ]);
  });

  it("does not flag locking on a table created earlier in the same script", async () => {
    const sql =
      "SET lock_timeout = '3s';\nCREATE TABLE IF NOT EXISTS t (id int);\nCREATE INDEX IF NOT EXISTS i ON t (id);\nALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES u (id);";
    expect((await analyseSql(sql)).findings).toEqual([]);
  });

  it("reports line and column in characters, after comments and multi-byte text", async () => {
    const sql = "SET lock_timeout = '3s'; -- naïve ünïcode\n  /* é */ ALTER TABLE users DROP COLUMN IF EXISTS email;";
    const [finding] = (await analyseSql(sql)).findings;
    expect(finding).toMatchObject({ rule: "drop-column", statement: 1, line: 2, column: 11 });
  });

  it("reports a syntax error with its position instead of throwing", async () => {
    const result = await analyseSql("SELECT 1;\nALTER TABLE ü ADD COLUMN;");
    expect(result.findings).toEqual([
      expect.objectContaining({ rule: "syntax-error", severity: "error", line: 2, column: 25 }),
    ]);
    expect(result.summary.errors).toBe(1);
  });

  it("lists the objects a contract script removes or changes, for rollback eligibility", async () => {
    const sql =
      "ALTER TABLE public.users DROP COLUMN email, ALTER COLUMN id TYPE bigint;\nDROP TABLE IF EXISTS legacy.sessions;\nALTER TABLE orders RENAME COLUMN total TO amount;";
    expect((await analyseSql(sql, { phase: "contract" })).objects).toEqual([
      { kind: "column", schema: "public", table: "users", name: "email", change: "dropped", statement: 0 },
      { kind: "column", schema: "public", table: "users", name: "id", change: "type_changed", statement: 0 },
      { kind: "table", schema: "legacy", name: "sessions", change: "dropped", statement: 1 },
      { kind: "column", table: "orders", name: "total", change: "renamed", statement: 2 },
    ]);
  });

  it("treats SET lock_timeout = 0 as no timeout", async () => {
    expect(
      (await analyseSql("SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN IF NOT EXISTS a int;")).findings.map(
        (f) => f.rule,
      ),
    ).toContain("missing-lock-timeout");
  });
});
