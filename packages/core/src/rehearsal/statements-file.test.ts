import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../sql/analyse.ts";
import { describeStatementsFileErrors, MAX_STATEMENT_LENGTH, parseStatementsFileSync } from "./statements-file.ts";

beforeAll(() => loadSqlParser());

describe("parseStatementsFileSync", () => {
  it("reads one normalised statement a line, skipping blank and -- lines", () => {
    const file = [
      "-- version 1.4.2, from pg_stat_statements",
      'SELECT "id", "email" FROM "users" WHERE "id" = $1',
      "",
      "   ",
      "INSERT INTO invoices (id, amount) VALUES ($1, $2::numeric) ON CONFLICT (id) DO NOTHING RETURNING id",
      "\tUPDATE users SET email = $1 WHERE id = ANY($2)  ",
      "WITH x AS (SELECT data->>$1 AS k FROM events) SELECT k FROM x;",
    ].join("\r\n");
    const parsed = parseStatementsFileSync(file);
    expect(parsed).toEqual({
      ok: true,
      statements: [
        { text: 'SELECT "id", "email" FROM "users" WHERE "id" = $1' },
        { text: "INSERT INTO invoices (id, amount) VALUES ($1, $2::numeric) ON CONFLICT (id) DO NOTHING RETURNING id" },
        { text: "UPDATE users SET email = $1 WHERE id = ANY($2)" },
        { text: "WITH x AS (SELECT data->>$1 AS k FROM events) SELECT k FROM x;" },
      ],
    });
  });

  it("refuses garbage lines, naming each line number with PostgreSQL's reason", () => {
    const parsed = parseStatementsFileSync(
      ["SELECT 1", "this is not sql", "SELECT id FROM t WHERE", "-- fine", "SELECT 1; SELECT 2"].join("\n"),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.line)).toEqual([2, 3, 5]);
    expect(parsed.errors[0]!.reason).toMatch(/syntax error at or near "this"/);
    expect(parsed.errors[2]!.reason).toBe("2 statements on one line");
    expect(describeStatementsFileErrors(parsed.errors)).toMatch(
      /^lines 2, 3, 5 are not one statement PostgreSQL parses \(line 2: syntax error/,
    );
  });

  it(`refuses a line over ${MAX_STATEMENT_LENGTH} characters and accepts one of exactly that many`, () => {
    const at = (n: number) => `SELECT ${"x".repeat(n - "SELECT ".length)}`;
    expect(parseStatementsFileSync(at(MAX_STATEMENT_LENGTH)).ok).toBe(true);
    const parsed = parseStatementsFileSync(`SELECT 1\n${at(MAX_STATEMENT_LENGTH + 1)}`);
    expect(parsed).toEqual({
      ok: false,
      errors: [{ line: 2, reason: `2001 characters, over the 2000 a statement may hold` }],
    });
  });

  it("refuses a file with no statement", () => {
    const parsed = parseStatementsFileSync("-- nothing\n\n");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(describeStatementsFileErrors(parsed.errors)).toMatch(/holds no statement/);
  });

  it("names only the first few reasons of many bad lines, and every line number", () => {
    const parsed = parseStatementsFileSync(Array.from({ length: 8 }, (_, i) => `nonsense ${i}`).join("\n"));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const sentence = describeStatementsFileErrors(parsed.errors);
    expect(sentence).toMatch(/^lines 1, 2, 3, 4, 5, 6, 7, 8 are not/);
    expect(sentence).toMatch(/; and 3 more\)\.$/);
  });

  it("keeps every statement line in order, whatever blank and comment lines surround them (property)", () => {
    const statement = fc
      .tuple(fc.constantFrom("users", "invoices", '"Order"', "public.t"), fc.integer({ min: 1, max: 9 }))
      .map(([table, n]) => `SELECT * FROM ${table} WHERE id = $${n}`);
    const filler = fc.constantFrom("", "  ", "-- a comment", "\t", "--");
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(filler, { maxLength: 3 }), statement), { minLength: 1 }), (blocks) => {
        const lines = blocks.flatMap(([fill, s]) => [...fill, s]);
        const parsed = parseStatementsFileSync(lines.join("\n"));
        expect(parsed).toEqual({ ok: true, statements: blocks.map(([, s]) => ({ text: s })) });
      }),
    );
  });

  it("refuses exactly the garbage lines among good ones (property)", () => {
    const line = fc.oneof(
      fc.constant({ good: true, text: "SELECT a FROM t WHERE b = $1" }),
      fc.constant({ good: false, text: "SELEKT a FROM t" }),
      fc.constant({ good: false, text: "SELECT a FROM" }),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 20 }), (lines) => {
        const parsed = parseStatementsFileSync(lines.map((l) => l.text).join("\n"));
        const bad = lines.flatMap((l, i) => (l.good ? [] : [i + 1]));
        if (bad.length === 0) expect(parsed.ok).toBe(true);
        else expect(!parsed.ok && parsed.errors.map((e) => e.line)).toEqual(bad);
      }),
    );
  });
});
