import { describe, expect, it } from "vitest";
import { analyseSqlSync } from "../sql/analyse.ts";
import { contractFact, rollbackEligibility, type ContractFact, type DeploymentFact } from "./index.ts";

const d = (iso: string) => new Date(iso);
const deployments: DeploymentFact[] = [
  { version: "3.3.2", deployedAt: d("2026-11-01T10:00:00Z"), manifest: ["users.id", "public.users.email"] },
  { version: "3.4.0", deployedAt: d("2026-11-05T10:00:00Z"), manifest: ["users.id", "users.email_address"] },
  { version: "3.2.0", deployedAt: d("2026-10-20T10:00:00Z"), manifest: null },
];
const dropEmail: ContractFact = {
  release: "2026.11.4",
  migrationName: "drop_users_email",
  ranAt: d("2026-11-09T10:00:00Z"),
  objects: [{ kind: "column", table: "users", name: "email", change: "dropped" }],
};

describe("rollbackEligibility", () => {
  it("is UNSAFE when a later contract removed a column the version reads, and names it", () => {
    const result = rollbackEligibility({ targetVersion: "3.3.2", deployments, contracts: [dropEmail] });
    expect(result.verdict).toBe("UNSAFE");
    expect(result.reasons[0]).toMatchObject({
      kind: "removed",
      release: "2026.11.4",
      migration: "drop_users_email",
      object: "public.users.email",
      at: dropEmail.ranAt,
    });
    expect(result.reasons[0]!.message).toMatch(/dropped column users.email/);
  });

  it("matches schema-qualified objects against unqualified manifest entries", () => {
    const qualified: ContractFact = {
      ...dropEmail,
      objects: [{ kind: "table", schema: "public", name: "users", change: "dropped" }],
    };
    expect(rollbackEligibility({ targetVersion: "3.4.0", deployments, contracts: [qualified] }).verdict).toBe("UNSAFE");
    const otherSchema: ContractFact = {
      ...dropEmail,
      objects: [{ kind: "table", schema: "archive", name: "users", change: "dropped" }],
    };
    expect(rollbackEligibility({ targetVersion: "3.4.0", deployments, contracts: [otherSchema] }).verdict).toBe("SAFE");
  });

  it("is SAFE when the contracts since touched nothing the version reads", () => {
    expect(rollbackEligibility({ targetVersion: "3.4.0", deployments, contracts: [dropEmail] })).toMatchObject({
      verdict: "SAFE",
    });
  });

  it("is SAFE when no contract ran since the version was deployed", () => {
    const early: ContractFact = { ...dropEmail, ranAt: d("2026-10-30T00:00:00Z") };
    expect(rollbackEligibility({ targetVersion: "3.3.2", deployments, contracts: [early] }).verdict).toBe("SAFE");
  });

  it("is UNKNOWN without a manifest when a contract ran since, and says which", () => {
    const result = rollbackEligibility({ targetVersion: "3.2.0", deployments, contracts: [dropEmail] });
    expect(result).toMatchObject({
      verdict: "UNKNOWN",
      reasons: [{ kind: "no_manifest", migration: "drop_users_email" }],
    });
  });

  describe("a contract whose removals cannot all be read", () => {
    const run = { release: "2026.11.4", migrationName: "cleanup", ranAt: d("2026-11-09T10:00:00Z") };
    const fact = (sql: string | null) =>
      contractFact(run, sql === null ? null : analyseSqlSync(sql, { phase: "contract" }));

    it.each([
      ["no script text", null, /no text of this contract script/],
      ["a syntax error", "ALTER TABLE users DROP COLUM legacy;", /cannot parse/],
      ["dynamic SQL", "DO $$ BEGIN EXECUTE 'ALTER TABLE users DROP COLUMN ' || 'legacy'; END $$;", /dynamic SQL/],
    ])("is UNKNOWN, not SAFE, with %s", (_label, sql, reason) => {
      const result = rollbackEligibility({ targetVersion: "3.4.0", deployments, contracts: [fact(sql)] });
      expect(result.verdict).toBe("UNKNOWN");
      expect(result.reasons).toMatchObject([
        { kind: "unreadable_contract", migration: "cleanup", release: "2026.11.4" },
      ]);
      expect(result.reasons[0]!.message).toMatch(reason);
    });

    it("is still UNSAFE when what it is known to remove is read", () => {
      const sql = "ALTER TABLE users DROP COLUMN email_address; DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'x'; END $$;";
      expect(rollbackEligibility({ targetVersion: "3.4.0", deployments, contracts: [fact(sql)] })).toMatchObject({
        verdict: "UNSAFE",
        reasons: [{ kind: "removed", object: "users.email_address" }],
      });
    });

    it("stays SAFE when every statement was read and none touches what the version reads", () => {
      expect(
        rollbackEligibility({
          targetVersion: "3.4.0",
          deployments,
          contracts: [fact("ALTER TABLE users DROP COLUMN legacy;")],
        }).verdict,
      ).toBe("SAFE");
    });
  });

  it("is UNKNOWN for a version never deployed here", () => {
    expect(rollbackEligibility({ targetVersion: "9.9.9", deployments, contracts: [] })).toMatchObject({
      verdict: "UNKNOWN",
      reasons: [{ kind: "never_deployed" }],
    });
  });

  it("treats a renamed column as removed", () => {
    const rename: ContractFact = {
      ...dropEmail,
      objects: [{ kind: "column", table: "users", name: "email", change: "renamed" }],
    };
    expect(rollbackEligibility({ targetVersion: "3.3.2", deployments, contracts: [rename] }).verdict).toBe("UNSAFE");
  });
});
