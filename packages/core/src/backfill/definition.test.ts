import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  loadBackfillParser,
  parseDefinitionSync,
  parseKeySync,
  parseSetSync,
  parseTableSync,
  parseWhereSync,
} from "./definition.ts";
import { refusalSentence } from "./refusals.ts";

beforeAll(() => loadBackfillParser());

describe("--set", () => {
  it("reads each target and the text of its expression from the tree", () => {
    const r = parseSetSync("billing_email = lower(email), note = 'a, b' || coalesce(x, 'y'), n = ARRAY[1,2]");
    expect(r).toEqual({
      ok: true,
      value: [
        { column: "billing_email", expression: "lower(email)" },
        { column: "note", expression: "'a, b' || coalesce(x, 'y')" },
        { column: "n", expression: "ARRAY[1,2]" },
      ],
    });
  });

  it("names targets as PostgreSQL does (folded, or quoted as given) and drops comments", () => {
    expect(parseSetSync('Billing_Email = email /* copy */, "Mixed" = 1 -- done')).toEqual({
      ok: true,
      value: [
        { column: "billing_email", expression: "email" },
        { column: "Mixed", expression: "1" },
      ],
    });
  });

  it("refuses an expression that does not parse, with PostgreSQL's message", () => {
    const r = parseSetSync("billing_email = email +");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.refusal.kind).toBe("does_not_parse");
      expect(refusalSentence(r.refusal)).toMatch(
        /does not parse: syntax error at end of input\. Nothing was written\./,
      );
    }
  });

  it.each([
    ["a = 1; DROP TABLE invoices", "more_than_one_statement"],
    ["a = 1 WHERE false", "not_an_assignment"],
    ["a = 1 FROM other", "not_an_assignment"],
    ["a = 1 RETURNING *", "not_an_assignment"],
    ["a[1] = 2", "not_an_assignment"],
    ["(a, b) = (1, 2)", "not_an_assignment"],
    ["a = DEFAULT", "not_an_assignment"],
    ["a = $1", "not_an_assignment"],
    ["a = 1, a = 2", "not_an_assignment"],
    ["   ", "empty"],
  ])("refuses %j (%s)", (set, kind) => {
    const r = parseSetSync(set);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.refusal.kind).toBe(kind);
  });
});

describe("--where", () => {
  it("keeps the predicate's text without its comments", () => {
    expect(parseWhereSync("billing_email IS NULL -- not yet")).toEqual({ ok: true, value: "billing_email IS NULL" });
  });
  it.each([
    ["x = 1; DELETE FROM invoices", "more_than_one_statement"],
    ["true) OR (1=1", "does_not_parse"],
    ["x = 1 RETURNING *", "not_a_predicate"],
    ["CURRENT OF c", "not_a_predicate"],
    ["x = $1", "not_a_predicate"],
    ["", "empty"],
  ])("refuses %j (%s)", (where, kind) => {
    const r = parseWhereSync(where);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.refusal.kind).toBe(kind);
  });
});

describe("--table and --key", () => {
  it("reads a table's schema and name", () => {
    expect(parseTableSync("billing.Invoices")).toEqual({ ok: true, value: { schema: "billing", name: "invoices" } });
    expect(parseTableSync('"Odd Name"')).toEqual({ ok: true, value: { schema: null, name: "Odd Name" } });
  });
  it.each(["ONLY invoices", "invoices i", "invoices; drop table x", "db.s.t"])("refuses --table %j", (t) => {
    expect(parseTableSync(t).ok).toBe(false);
  });
  it("reads key columns", () => {
    expect(parseKeySync("tenant_id, id")).toEqual({ ok: true, value: ["tenant_id", "id"] });
  });
  it.each(["id + 1", "id as x", "t.id", "id, id", "id FROM x"])("refuses --key %j", (k) => {
    expect(parseKeySync(k).ok).toBe(false);
  });
  it("reads the whole definition, the first refusal winning", () => {
    const r = parseDefinitionSync({ table: "invoices", set: "billing_email = email", where: "billing_email IS NULL" });
    expect(r).toEqual({
      ok: true,
      value: {
        table: { schema: null, name: "invoices" },
        targets: [{ column: "billing_email", expression: "email" }],
        where: "billing_email IS NULL",
        key: null,
      },
    });
    const bad = parseDefinitionSync({ table: "invoices", set: "x =", where: "(" });
    expect(bad.ok === false && bad.refusal.kind === "does_not_parse" && bad.refusal.flag).toBe("--set");
  });
});

describe("--set, property", () => {
  const ident = fc.constantFrom("a", "b", "billing_email", "email", "note", "total", "x1");
  const literal = fc.oneof(
    fc.integer({ min: 0, max: 1000 }).map(String),
    fc.constantFrom("'a, b'", "'x = y'", "'(, ]'", "''''", "$$a, (b$$", "NULL", "true"),
  );
  const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      literal,
      ident,
      fc.tuple(tie("e"), tie("e")).map(([l, r]) => `${l} || ${r}`),
      fc.tuple(tie("e"), tie("e")).map(([l, r]) => `coalesce(${l}, ${r})`),
      fc.tuple(tie("e"), tie("e"), tie("e")).map(([c, l, r]) => `CASE WHEN ${c} = ${l} THEN ${r} ELSE ${l} END`),
      fc.tuple(tie("e"), tie("e")).map(([l, r]) => `(ARRAY[${l}, ${r}])[1]`),
      tie("e").map((e) => `(${e})`),
    ),
  })).e;

  it("reads back each distinct target and exactly its expression's text, whatever commas and '=' the expressions hold", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(ident, expr), { minLength: 1, maxLength: 4, selector: ([c]) => c }),
        (pairs) => {
          const r = parseSetSync(pairs.map(([c, e]) => `${c} = ${e}`).join(", "));
          expect(r).toEqual({ ok: true, value: pairs.map(([column, expression]) => ({ column, expression })) });
        },
      ),
    );
  });
});
