import { describe, expect, it } from "vitest";
import { planBackfill, type TableFacts } from "./catalog.ts";
import type { BackfillDefinition } from "./definition.ts";
import { refusalSentence } from "./refusals.ts";
import { batchSql, checkSql } from "./statements.ts";

const facts = (over: Partial<TableFacts> = {}): TableFacts => ({
  display: "public.invoices",
  schema: "public",
  name: "invoices",
  relkind: "r",
  columns: [
    { name: "id", type: "integer", notNull: true, generated: false },
    { name: "email", type: "text", notNull: false, generated: false },
    { name: "billing_email", type: "text", notNull: false, generated: false },
    { name: "code", type: "text", notNull: false, generated: false },
    { name: "total", type: "numeric", notNull: false, generated: true },
  ],
  uniqueIndexes: [{ name: "invoices_pkey", columns: ["id"], primary: true, partial: false, valid: true }],
  ...over,
});
const def = (over: Partial<BackfillDefinition> = {}): BackfillDefinition => ({
  table: { schema: null, name: "invoices" },
  targets: [{ column: "billing_email", expression: "email" }],
  where: "billing_email IS NULL",
  key: null,
  ...over,
});

const refusal = (d: BackfillDefinition, f: TableFacts | null) => {
  const r = planBackfill(d, f);
  return r.ok ? null : r.refusal.kind;
};

describe("planBackfill", () => {
  it("takes the primary key by default", () => {
    const r = planBackfill(def(), facts());
    expect(r.ok && r.plan.key).toEqual([{ column: "id", type: "integer" }]);
  });

  it("refuses what the catalog rules out, each with its own sentence", () => {
    expect(refusal(def(), null)).toBe("unknown_table");
    expect(refusal(def(), facts({ relkind: "v" }))).toBe("not_a_table");
    expect(refusal(def(), facts({ uniqueIndexes: [] }))).toBe("no_primary_key");
    expect(refusal(def({ key: ["nope"] }), facts())).toBe("key_column_missing");
    expect(refusal(def({ key: ["code"] }), facts())).toBe("key_not_unique");
    expect(
      refusal(
        def({ key: ["code"] }),
        facts({ uniqueIndexes: [{ name: "u", columns: ["code"], primary: false, partial: true, valid: true }] }),
      ),
    ).toBe("key_not_unique");
    expect(
      refusal(
        def({ key: ["code"] }),
        facts({ uniqueIndexes: [{ name: "u", columns: ["code"], primary: false, partial: false, valid: true }] }),
      ),
    ).toBe("key_nullable");
    expect(refusal(def({ targets: [{ column: "id", expression: "id + 1" }] }), facts())).toBe("sets_key");
    expect(refusal(def({ targets: [{ column: "nope", expression: "1" }] }), facts())).toBe("unknown_target");
    expect(refusal(def({ targets: [{ column: "total", expression: "1" }] }), facts())).toBe("generated_target");
  });

  it("accepts a unique NOT NULL key on exactly the key's columns, in any order", () => {
    const f = facts({
      columns: [...facts().columns, { name: "tenant", type: "bigint", notNull: true, generated: false }],
      uniqueIndexes: [{ name: "u", columns: ["id", "tenant"], primary: false, partial: false, valid: true }],
    });
    const r = planBackfill(def({ key: ["tenant", "id"] }), f);
    expect(r.ok && r.plan.key.map((k) => k.column)).toEqual(["tenant", "id"]);
    expect(refusal(def({ key: ["id"] }), f)).toBe("key_not_unique");
  });

  it("says what to do in every refusal sentence", () => {
    const r = planBackfill(def({ key: ["code"] }), facts());
    expect(!r.ok && refusalSentence(r.refusal)).toBe(
      "the key (code) of public.invoices is not unique: batches need a PRIMARY KEY or a valid unique index on exactly these columns (not partial, not on expressions). Nothing was written.",
    );
  });
});

describe("statements", () => {
  const r = planBackfill(def(), facts());
  const plan = r.ok ? r.plan : (null as never);
  it("the check selects the keys of rows that match and are not at their target", () => {
    expect(checkSql(plan)).toBe(
      'SELECT "id" FROM "public"."invoices" WHERE (billing_email IS NULL) and (("billing_email") is distinct from (email))',
    );
  });
  it("a resumed batch starts after the checkpoint's key, cast to the key's type", () => {
    const sql = batchSql(plan, { after: true, checkpoint: true });
    expect(sql).toContain('("id") > ($1::text::integer)');
    expect(sql).toContain("limit $2");
    expect(sql).toContain("where run_id = $3");
    expect(batchSql(plan, { after: false, checkpoint: false })).not.toContain("$2");
  });
});
