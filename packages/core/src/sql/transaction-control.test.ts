import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { analyseSqlSync, loadSqlParser } from "./analyse.ts";
import { transactionPlan, transactionPlanOf, type ParsedStatement } from "./transaction-control.ts";

beforeAll(() => loadSqlParser());

const SAVEPOINT_SCRIPT =
  "SAVEPOINT s;\nALTER TABLE items DROP COLUMN keep;\nROLLBACK TO SAVEPOINT s;\nALTER TABLE items DROP COLUMN legacy;";

describe("transactionPlan (what `rollgate run --database-url` may run)", () => {
  it("finding 4: a script that rolls back to a savepoint is refused, naming the statement and its line", () => {
    const plan = transactionPlanOf(SAVEPOINT_SCRIPT);
    expect(plan).toMatchObject({ kind: "refused", statement: 0, line: 1 });
    expect(plan.kind === "refused" && plan.reason).toMatch(/^SAVEPOINT: /);
  });

  it("finding 4: rollgate lint reports the same refusal, as a warning on the same line", () => {
    const analysis = analyseSqlSync(SAVEPOINT_SCRIPT, { phase: "contract" });
    const finding = analysis.findings.find((f) => f.rule === "executor-transaction-control");
    expect(finding).toMatchObject({ severity: "warning", statement: 0, line: 1, column: 1 });
    expect(finding!.message).toMatch(/^rollgate run --database-url refuses this script: SAVEPOINT/);
  });

  it("accepts a script without transaction control", () => {
    expect(transactionPlanOf("alter table a add column b int;\ncreate index concurrently i on a (b);")).toEqual({
      kind: "none",
    });
  });

  it("accepts one plain BEGIN first and COMMIT (or END) last: the executor runs the block as one transaction", () => {
    for (const [begin, commit] of [
      ["begin", "commit"],
      ["BEGIN TRANSACTION", "END"],
      ["start transaction", "commit work"],
    ])
      expect(
        transactionPlanOf(`${begin};\nalter table a drop column b;\nalter table a drop column c;\n${commit};`),
      ).toEqual({ kind: "blocks", blocks: [{ begin: 0, commit: 3 }] });
  });

  it("accepts plain blocks anywhere, each its own transaction, and CONCURRENTLY after a block (as psql runs them)", () => {
    expect(
      transactionPlanOf(
        "begin;\ncreate table notes (id int primary key, body text);\nalter table notes add column author text;\ncommit;\ncreate index concurrently notes_author on notes (author);",
      ),
    ).toEqual({ kind: "blocks", blocks: [{ begin: 0, commit: 3 }] });
    expect(
      transactionPlanOf(
        "alter table a drop column b;\nbegin;\nalter table a drop column c;\ncommit;\nbegin;\nalter table a drop column d;\ncommit;",
      ),
    ).toEqual({
      kind: "blocks",
      blocks: [
        { begin: 1, commit: 3 },
        { begin: 4, commit: 6 },
      ],
    });
  });

  it.each([
    ["alter table a drop column b;\nrollback;", 1, /^ROLLBACK: /],
    ["begin;\nalter table a drop column b;\nrollback;", 2, /^ROLLBACK: /],
    ["begin;\nsavepoint s;\nalter table a drop column b;\nrelease savepoint s;\ncommit;", 1, /^SAVEPOINT: /],
    ["begin;\nalter table a drop column b;\nprepare transaction 'x';", 2, /^PREPARE TRANSACTION/],
    ["commit prepared 'x';", 0, /^COMMIT PREPARED/],
    ["begin isolation level serializable;\nalter table a drop column b;\ncommit;", 0, /transaction modes/],
    ["begin read only;\nselect 1;\ncommit;", 0, /transaction modes/],
    ["begin;\nalter table a drop column b;\ncommit and chain;\nselect 1;\ncommit;", 2, /AND CHAIN/],
    ["alter table a drop column b;\ncommit;", 1, /no BEGIN/],
    ["begin;\nalter table a drop column b;", 0, /no COMMIT/],
    ["begin;\nbegin;\nselect 1;\ncommit;", 1, /second BEGIN/],
    ["begin;\nalter table a add column b int;\ncreate index concurrently i on a (b);\ncommit;", 2, /cannot run inside/],
  ])("refuses %j at statement %i", (sql, statement, reason) => {
    const plan = transactionPlanOf(sql);
    expect(plan).toMatchObject({ kind: "refused", statement, line: statement + 1 });
    expect(plan.kind === "refused" && plan.reason).toMatch(reason);
  });

  it("property: whatever the order of transaction statements, a plan is refused, or plain non-nested BEGIN … COMMIT blocks covering every transaction statement", () => {
    const kinds = [
      "TRANS_STMT_BEGIN",
      "TRANS_STMT_START",
      "TRANS_STMT_COMMIT",
      "TRANS_STMT_ROLLBACK",
      "TRANS_STMT_SAVEPOINT",
      "TRANS_STMT_RELEASE",
      "TRANS_STMT_ROLLBACK_TO",
      "TRANS_STMT_PREPARE",
    ];
    const statement = fc.oneof(
      fc.record({
        type: fc.constant("TransactionStmt"),
        node: fc.record({ kind: fc.constantFrom(...kinds), chain: fc.boolean() }),
      }),
      fc.constant({ type: "AlterTableStmt", node: {} }),
      fc.constant({ type: "IndexStmt", node: { concurrent: true } }),
    );
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 8 }), (list) => {
        const statements: ParsedStatement[] = list.map((s, i) => ({ ...s, line: i + 1 }));
        const plan = transactionPlan(statements);
        const control = statements.flatMap((s, i) => (s.type === "TransactionStmt" ? [i] : []));
        if (plan.kind === "none") expect(control).toHaveLength(0);
        if (plan.kind === "blocks") {
          expect(plan.blocks.flatMap((b) => [b.begin, b.commit])).toEqual(control);
          for (const { begin, commit } of plan.blocks) {
            expect(["TRANS_STMT_BEGIN", "TRANS_STMT_START"]).toContain(statements[begin]!.node.kind);
            expect(statements[commit]!.node).toMatchObject({ kind: "TRANS_STMT_COMMIT", chain: false });
            expect(statements.slice(begin + 1, commit).some((s) => s.type === "IndexStmt")).toBe(false);
          }
        }
        if (plan.kind === "refused") expect(statements[plan.statement]!.line).toBe(plan.line);
      }),
    );
  });
});
