import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "./analyse.ts";
import { readOnlySelectSync } from "./read-only-select.ts";

beforeAll(() => loadSqlParser());

describe("readOnlySelectSync", () => {
  it.each([
    ["SELECT id FROM invoices WHERE email IS NOT NULL AND billing_email IS DISTINCT FROM email", undefined],
    ["select id from invoices;", "select id from invoices"],
    ["WITH late AS (SELECT id FROM invoices WHERE billing_email IS NULL) SELECT id FROM late", undefined],
    ["SELECT id FROM a UNION ALL SELECT id FROM b ORDER BY 1 LIMIT 10", undefined],
    ["VALUES (1)", undefined],
    ["TABLE invoices", undefined],
    ["-- leading comment\nSELECT id FROM t -- trailing", "SELECT id FROM t -- trailing"],
    ["SELECT 'ünïcode' AS k FROM t;  -- after", "SELECT 'ünïcode' AS k FROM t"],
  ])("accepts %j", (sql, text) => {
    const verdict = readOnlySelectSync(sql);
    expect(verdict).toEqual({ ok: true, text: text ?? sql.replace(/^--.*\n/, "") });
  });

  it.each([
    ["UPDATE invoices SET billing_email = email", /not a SELECT but a UPDATE statement/],
    ["DELETE FROM invoices", /not a SELECT but a DELETE statement/],
    ["SELECT 1; SELECT 2", /holds 2 statements/],
    ["SELECT id FROM invoices; DROP TABLE invoices", /holds 2 statements/],
    ["SELECT id FROM invoices FOR UPDATE", /locks rows/],
    ["SELECT id FROM (SELECT id FROM invoices FOR SHARE) s", /locks rows/],
    ["WITH gone AS (DELETE FROM invoices RETURNING id) SELECT id FROM gone", /data-modifying DELETE statement/],
    ["WITH x AS (UPDATE t SET a = 1 RETURNING id) SELECT id FROM x", /data-modifying UPDATE statement/],
    ["WITH x AS (INSERT INTO t VALUES (1) RETURNING id) SELECT id FROM x", /data-modifying INSERT statement/],
    ["SELECT id INTO copy FROM invoices", /SELECT INTO/],
    ["SELECT pg_terminate_backend(pid) FROM pg_stat_activity", /pg_terminate_backend\(\)/],
    ["SELECT pg_catalog.set_config('a.b', 'c', false)", /set_config\(\)/],
    ["SELECT nextval('s')", /nextval\(\)/],
    ["SELECT lo_unlink(1)", /lo_unlink\(\)/],
    ["SELECT id FROM t WHERE pg_try_advisory_lock(1)", /pg_try_advisory_lock\(\)/],
    ["SELEC id FROM t", /does not parse: syntax error/],
    ["   -- only a comment\n", /holds no statement/],
    ["", /holds no statement/],
    ["SET statement_timeout = 0", /not a SELECT but a VARIABLE SET statement/],
    ["EXPLAIN ANALYZE DELETE FROM t", /not a SELECT but a EXPLAIN statement/],
  ])("refuses %j with its reason", (sql, reason) => {
    const verdict = readOnlySelectSync(sql);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
  });

  it("never accepts a text that carries a second statement after the first", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("SELECT id FROM t", "VALUES (1)", "TABLE t"),
        fc.constantFrom("DELETE FROM t", "DROP TABLE t", "SELECT 1", "UPDATE t SET a = 1"),
        fc.constantFrom(";", "; ", ";\n", ";/* c */"),
        (first, second, separator) => {
          expect(readOnlySelectSync(`${first}${separator}${second}`).ok).toBe(false);
        },
      ),
    );
  });

  it("answers a text that runs as a sub-query on its own (no trailing semicolon)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("SELECT id FROM t", "VALUES (1)"),
        fc.constantFrom("", ";", " ;  ", ";\n-- done\n"),
        (sql, tail) => {
          const verdict = readOnlySelectSync(sql + tail);
          expect(verdict).toEqual({ ok: true, text: sql });
        },
      ),
    );
  });
});
