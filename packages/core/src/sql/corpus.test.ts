import { parseSync } from "libpg-query";
import { beforeAll, describe, expect, it } from "vitest";
import { CORPUS, type Labelled } from "../../test/sql-corpus/index.ts";
import { analyseSqlSync, loadSqlParser } from "./index.ts";
import { ALTER_TABLE_COMMANDS } from "./rules/alter-table.ts";
import { STATEMENTS } from "./statements.ts";

// The labelled corpus, scored as an expand-phase lint: recall (every contract and locking
// statement caught) and precision (nothing safe flagged) must both be 100 %.

type Verdict = Labelled["expect"];

function verdict(sql: string): { verdict: Verdict; errors: string[] } {
  const { findings } = analyseSqlSync(`SET lock_timeout = '3s';\n${sql}`, { phase: "expand" });
  const has = (category: string) => findings.some((f) => f.category === category);
  return {
    verdict: has("contract") ? "contract" : has("locking") ? "locking" : "safe",
    errors: findings.filter((f) => f.severity === "error").map((f) => f.rule),
  };
}

/** Every statement node type and ALTER TABLE sub-command a piece of SQL contains, at any depth. */
function exercised(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const item of node) exercised(item, into);
  else if (node !== null && typeof node === "object")
    for (const [key, value] of Object.entries(node)) {
      if (key.endsWith("Stmt")) into.add(key);
      if (key === "subtype" && typeof value === "string" && value.startsWith("AT_")) into.add(value);
      exercised(value, into);
    }
  return into;
}

beforeAll(loadSqlParser);

describe("labelled corpus", () => {
  it("has at least 300 labelled statements", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(300);
  });

  for (const label of ["contract", "locking"] as const) {
    it(`recalls every ${label} statement and flags nothing else as ${label} (recall and precision 100 %)`, () => {
      const scored = CORPUS.map((c) => ({ ...c, got: verdict(c.sql).verdict }));
      const missed = scored.filter((c) => c.expect === label && c.got !== label);
      const falseAlarms = scored.filter((c) => c.expect !== label && c.got === label);
      expect(missed.map((c) => `${c.sql} → ${c.got}`)).toEqual([]);
      expect(falseAlarms.map((c) => `${c.sql} (${c.expect})`)).toEqual([]);
    });
  }

  it("keeps safe statements free of errors of any kind", () => {
    const noisy = CORPUS.filter((c) => c.expect === "safe")
      .map((c) => ({ sql: c.sql, errors: verdict(c.sql).errors }))
      .filter((c) => c.errors.length > 0);
    expect(noisy).toEqual([]);
  });

  it("exercises every statement type and ALTER TABLE sub-command the parser can produce", () => {
    const seen = new Set<string>();
    for (const c of CORPUS) exercised(parseSync(c.sql), seen);
    // Some only exist inside PostgreSQL (built during planning or by other commands).
    const producible = Object.entries(STATEMENTS)
      .filter(([, entry]) => !entry.inner)
      .map(([type]) => type);
    const subcommands = Object.entries(ALTER_TABLE_COMMANDS)
      .filter(([, entry]) => !entry.internal)
      .map(([type]) => type);
    expect(producible.filter((t) => !seen.has(t))).toEqual([]);
    expect(subcommands.filter((t) => !seen.has(t))).toEqual([]);
  });
});
