import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rehearsed, report } from "../../test/rehearsal.ts";
import { rehearsalJson, rehearsalMarkdown, rehearsalText } from "./output.ts";

const UNSAFE = report(
  [
    rehearsed("passed", "SELECT id FROM users WHERE id = $1", { calls: 5 }),
    rehearsed("noise", "SELECT legacy FROM users", { message: 'column "legacy" does not exist', sqlstate: "42703" }),
    rehearsed("proof", "SELECT email FROM users WHERE id = $1", {
      calls: 1200,
      message: 'column "email" does not exist',
      sqlstate: "42703",
    }),
    rehearsed("unverifiable", "SELECT st_x(location) FROM places", { message: "needs the extension postgis" }),
  ],
  ["postgis"],
);

describe("rehearsalJson", () => {
  it("has the documented, stable shape", () => {
    const json = rehearsalJson(UNSAFE, { version: "v1.4.2", source: "observed" });
    expect(json).toMatchObject({
      format: "rollgate.rehearsal/1",
      verdict: "unsafe",
      exit_code: 1,
      version: "v1.4.2",
      source: "observed",
      counts: { statements: 4, passed: 1, proof: 1, noise: 1, unverifiable: 1 },
      missing_extensions: ["postgis"],
      duration_ms: 12,
    });
    expect(json.statements[2]).toEqual({
      statement: "SELECT email FROM users WHERE id = $1",
      calls: 1200,
      role: null,
      write: false,
      outcome: "proof",
      after_expand: null,
      after_contract: { step: "prepare", message: 'column "email" does not exist', sqlstate: "42703" },
      reason: null,
    });
    expect(json.statements[3]!.reason).toBe("needs the extension postgis");
    expect(Object.keys(json)).toEqual([
      "format",
      "verdict",
      "exit_code",
      "version",
      "source",
      "counts",
      "missing_extensions",
      "duration_ms",
      "statements",
    ]);
  });
});

describe("rehearsalText", () => {
  it("is a headline, a table of what did not pass (proofs first) and the counts", () => {
    const text = rehearsalText(UNSAFE, { version: "v1.4.2", source: "observed" });
    const lines = text.split("\n");
    expect(lines[0]).toBe("Rehearsal of v1.4.2: UNSAFE: statements of the old version fail after the contract.");
    expect(lines[2]).toMatch(/^OUTCOME\s+CALLS\s+STEP\s+STATEMENT\s+ERROR \/ REASON$/);
    expect(lines[3]).toMatch(
      /^PROOF\s+1200\s+prepare\s+SELECT email FROM users WHERE id = \$1\s+column "email" does not exist$/,
    );
    expect(lines[4]).toMatch(
      /^UNVERIFIABLE\s+-\s+-\s+SELECT st_x\(location\) FROM places\s+needs the extension postgis$/,
    );
    expect(lines[5]).toMatch(/^NOISE\s+-\s+prepare\s+SELECT legacy FROM users\s+column "legacy" does not exist$/);
    expect(text).not.toMatch(/^PASSED/m);
    expect(text).toMatch(/^4 statements: 1 proof, 1 passed, 1 noise, 1 unverifiable\.$/m);
    expect(text).toMatch(/^Extensions the embedded engine lacks: postgis\.$/m);
  });

  it("says SAFE with no table when everything passed", () => {
    const text = rehearsalText(report([rehearsed("passed", "SELECT 1")]), { source: "file" });
    expect(text).toBe(
      "Rehearsal: SAFE: every statement that works after expand still works after the contract.\n\n1 statement: 0 proofs, 1 passed, 0 noise, 0 unverifiable.",
    );
  });
});

describe("rehearsalMarkdown", () => {
  it("puts the verdict first, then proofs with statement, error and calls, counts, unverifiable, noise folded", () => {
    const md = rehearsalMarkdown(UNSAFE, { version: "v1.4.2", source: "observed" });
    const at = (s: string) => md.indexOf(s);
    expect(md.startsWith("### ❌ Rollback rehearsal of `v1.4.2`: UNSAFE")).toBe(true);
    expect(md).toContain('- **`column "email" does not exist`** (42703), on preparing · 1,200 calls');
    expect(md).toContain("  ```sql\n  SELECT email FROM users WHERE id = $1\n  ```");
    expect(md).toContain("- `SELECT st_x(location) FROM places`: needs the extension postgis");
    expect(md).toMatch(/<details>\n<summary>Noise: 1 statement already failing after expand/);
    expect(at("#### Proofs")).toBeLessThan(at("4 statements:"));
    expect(at("4 statements:")).toBeLessThan(at("#### Unverifiable"));
    expect(at("#### Unverifiable")).toBeLessThan(at("<details>"));
    expect(md.trimEnd().endsWith("</details>")).toBe(true);
  });

  it("says safe in its first line and lists nothing else", () => {
    const md = rehearsalMarkdown(report([rehearsed("passed", "SELECT 1", { calls: 3 })]), { source: "file" });
    expect(md).toBe(
      "### ✅ Rollback rehearsal: SAFE: every statement that works after expand still works after the contract\n\n1 statement: 0 proofs, 1 passed, 0 noise, 0 unverifiable.\n",
    );
  });

  it("keeps a statement with backticks inside its fence, and stays bounded for thousands of proofs", () => {
    const tricky = report([rehearsed("proof", "SELECT '```' AS fence, \"a`b\" FROM t", { message: "x `y` z" })]);
    const md = rehearsalMarkdown(tricky, { source: "file" });
    expect(md).toContain("````sql");
    expect(md).toContain("``x `y` z``");
    const many = report(Array.from({ length: 3000 }, (_, i) => rehearsed("proof", `SELECT c${i} FROM t`)));
    const big = rehearsalMarkdown(many, { source: "file" });
    expect(big).toContain("…and 2950 more proofs.");
    expect(big.length).toBeLessThan(65_536);
  });

  it("every output names every proof's statement (property)", () => {
    const one = fc
      .tuple(fc.constantFrom("passed", "proof", "noise", "unverifiable" as const), fc.integer({ min: 0, max: 9999 }))
      .map(([o, n]) => rehearsed(o, `SELECT col_${n} FROM t_${n}`));
    fc.assert(
      fc.property(fc.array(one, { maxLength: 40 }), (statements) => {
        const r = report(statements);
        const md = rehearsalMarkdown(r, { source: "file" });
        const text = rehearsalText(r, { source: "file" });
        for (const s of statements.filter((x) => x.outcome === "proof")) {
          expect(md).toContain(s.statement.text);
          expect(text).toContain(s.statement.text);
        }
        expect(rehearsalJson(r, { source: "file" }).statements).toHaveLength(statements.length);
      }),
    );
  });
});
