import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rollbackRehearsedSchema } from "../contract/rehearsal.ts";
import { rehearsed, report } from "../../test/rehearsal.ts";
import { contractChecksum, MAX_PROOFS, rollbackRehearsedData } from "./event.ts";

const CONTRACT = "ALTER TABLE users DROP COLUMN email;\n";

describe("the rollback.rehearsed payload of a report", () => {
  it("carries the counts, each proof with PostgreSQL's error and call count, and the contract's SHA-256", () => {
    const data = rollbackRehearsedData(
      report([
        rehearsed("passed", "SELECT id FROM users WHERE id = $1", { calls: 9 }),
        rehearsed("proof", "SELECT email FROM users WHERE id = $1", {
          calls: 1200,
          message: 'column "email" does not exist',
          sqlstate: "42703",
        }),
        rehearsed("proof", "INSERT INTO users (id, name) VALUES ($1, $2)", {
          message: 'null value in column "handle" of relation "users" violates not-null constraint',
          sqlstate: "23502",
          step: "execute",
        }),
        rehearsed("noise", "SELECT nope FROM users"),
        rehearsed("unverifiable", "SELECT st_x(p) FROM places"),
      ]),
      { version: "v1.4.2", contract: CONTRACT, source: "observed" },
    );
    expect(data).toEqual({
      version: "v1.4.2",
      contract_checksum: createHash("sha256").update(CONTRACT).digest("hex"),
      source: "observed",
      statements: 5,
      passed: 1,
      noise: 1,
      unverifiable: 1,
      proofs: [
        {
          statement: "SELECT email FROM users WHERE id = $1",
          error: 'column "email" does not exist',
          sqlstate: "42703",
          step: "prepare",
          calls: 1200,
        },
        {
          statement: "INSERT INTO users (id, name) VALUES ($1, $2)",
          error: 'null value in column "handle" of relation "users" violates not-null constraint',
          sqlstate: "23502",
          step: "execute",
        },
      ],
      proof_count: 2,
    });
    expect(rollbackRehearsedSchema.safeParse(data).success).toBe(true);
  });

  it(`caps the proofs at ${MAX_PROOFS} and says how many there were`, () => {
    const data = rollbackRehearsedData(
      report(Array.from({ length: 250 }, (_, i) => rehearsed("proof", `SELECT c${i} FROM t`))),
      { version: "v1", contract: CONTRACT, source: "file" },
    );
    expect(data.proofs).toHaveLength(100);
    expect(data.proof_count).toBe(250);
    expect(data.proofs[99]!.statement).toBe("SELECT c99 FROM t");
  });

  it("clips an error longer than the payload allows and leaves out a malformed SQLSTATE", () => {
    const data = rollbackRehearsedData(
      report([rehearsed("proof", "SELECT 1", { message: "e".repeat(5000), sqlstate: "bad" })]),
      { version: "v1", contract: CONTRACT, source: "file" },
    );
    expect(data.proofs[0]!.error).toHaveLength(1000);
    expect(data.proofs[0]).not.toHaveProperty("sqlstate");
  });

  it("the checksum is the SHA-256 of the exact text (a changed byte is another contract)", () => {
    expect(contractChecksum("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(contractChecksum(CONTRACT)).not.toBe(contractChecksum(CONTRACT.trimEnd()));
  });

  it("always fits the event's schema, whatever the report (property)", () => {
    const one = fc
      .tuple(
        fc.constantFrom("passed", "proof", "noise", "unverifiable" as const),
        fc.string({ minLength: 1, maxLength: 2000 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.string({ maxLength: 1500 }),
      )
      .map(([o, text, calls, message]) => rehearsed(o, text, { calls, message }));
    fc.assert(
      fc.property(fc.array(one, { maxLength: 150 }), (statements) => {
        const data = rollbackRehearsedData(report(statements), { version: "v", contract: "x", source: "file" });
        expect(rollbackRehearsedSchema.safeParse(data).success).toBe(true);
        expect(data.proof_count).toBe(statements.filter((s) => s.outcome === "proof").length);
        expect(data.statements).toBe(statements.length);
        // The server refuses a rehearsal whose counts do not add up.
        expect(data.passed + data.noise + data.unverifiable + data.proof_count).toBe(data.statements);
      }),
      { numRuns: 50 },
    );
  });
});
