import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RehearsalProof } from "../contract/rehearsal.ts";
import {
  rollbackEligibility,
  type ContractFact,
  type DeploymentFact,
  type ObservedManifestFact,
  type RehearsalFact,
  type Verdict,
} from "./index.ts";

const d = (iso: string) => new Date(iso);
const SUM_A = "a".repeat(64);
const SUM_B = "b".repeat(64);
const declared: DeploymentFact = { version: "1.9.0", deployedAt: d("2026-11-01T10:00:00Z"), manifest: ["users.id"] };
const bare: DeploymentFact = { ...declared, manifest: null };
/** A contract that changes what no name match sees: a NOT NULL added. */
const notNull: ContractFact = {
  release: "2.0.0",
  migrationName: "users_name_not_null",
  ranAt: d("2026-11-09T10:00:00Z"),
  checksum: SUM_A,
  objects: [],
};
const dropEmail: ContractFact = {
  ...notNull,
  migrationName: "drop_users_email",
  objects: [{ kind: "column", table: "users", name: "email", change: "dropped" }],
};
const proof: RehearsalProof = {
  statement: 'INSERT INTO "users" ("id", "email") VALUES ($1, $2)',
  error: 'null value in column "name" of relation "users" violates not-null constraint',
  sqlstate: "23502",
  step: "execute",
  calls: 4210,
};
const rehearsal = (patch: Partial<RehearsalFact> = {}): RehearsalFact => ({
  version: "1.9.0",
  contractChecksum: SUM_A,
  source: "observed",
  statements: 12,
  passed: 12,
  noise: 0,
  unverifiable: 0,
  proofCount: 0,
  proofs: [],
  receivedAt: d("2026-11-08T10:00:00Z"),
  ...patch,
});
const proven = (patch: Partial<RehearsalFact> = {}) =>
  rehearsal({ passed: 11, proofCount: 1, proofs: [proof], ...patch });

describe("rollbackEligibility with rehearsals", () => {
  it("is UNSAFE on a rehearsal's proof that no name match sees, naming the statement, the error and the calls", () => {
    const withoutRehearsal = rollbackEligibility({
      targetVersion: "1.9.0",
      deployments: [declared],
      contracts: [notNull],
    });
    expect(withoutRehearsal.verdict).toBe("SAFE");
    const result = rollbackEligibility({
      targetVersion: "1.9.0",
      deployments: [declared],
      contracts: [notNull],
      rehearsals: [proven()],
    });
    expect(result.verdict).toBe("UNSAFE");
    expect(result.reasons[0]).toMatchObject({ kind: "rehearsal_proof", migration: "users_name_not_null", proof });
    expect(result.reasons[0]!.message).toContain(proof.statement);
    expect(result.reasons[0]!.message).toContain(proof.error);
    expect(result.reasons[0]!.message).toContain("4210 time(s)");
    expect(result.basis).toEqual({
      source: "rehearsed",
      covered: 1,
      contracts: 1,
      statements: 12,
      proofs: 1,
      unverifiable: 0,
      rest: null,
    });
  });

  it("says how many proofs the rehearsal counted beyond those it sent", () => {
    const result = rollbackEligibility({
      targetVersion: "1.9.0",
      deployments: [declared],
      contracts: [notNull],
      rehearsals: [proven({ proofCount: 150, passed: 0, statements: 150 })],
    });
    expect(result.reasons.map((r) => r.kind)).toEqual(["rehearsal_proof", "rehearsal_proof"]);
    expect(result.reasons[1]!.message).toMatch(/149 more statement\(s\) fail/);
  });

  it("settles a contract no manifest covers with a passing rehearsal, counting the unverifiable statements", () => {
    const unknown = rollbackEligibility({ targetVersion: "1.9.0", deployments: [bare], contracts: [notNull] });
    expect(unknown.verdict).toBe("UNKNOWN");
    expect(unknown.basis).toEqual({ source: "unknown" });
    const result = rollbackEligibility({
      targetVersion: "1.9.0",
      deployments: [bare],
      contracts: [notNull],
      rehearsals: [rehearsal({ passed: 10, unverifiable: 2 })],
    });
    expect(result.verdict).toBe("SAFE");
    expect(result.reasons[0]).toMatchObject({ kind: "rehearsal_passed", migration: "users_name_not_null" });
    expect(result.reasons[0]!.message).toMatch(/10 of 12 statement\(s\).*2 could not be verified/);
    expect(result.basis).toMatchObject({ source: "rehearsed", statements: 12, proofs: 0, unverifiable: 2 });
  });

  it("never turns a name match's UNSAFE into SAFE: a passing rehearsal does not overrule the manifest", () => {
    const withEmail: DeploymentFact = { ...declared, manifest: ["users.email"] };
    const result = rollbackEligibility({
      targetVersion: "1.9.0",
      deployments: [withEmail],
      contracts: [dropEmail],
      rehearsals: [rehearsal()],
    });
    expect(result.verdict).toBe("UNSAFE");
    expect(result.reasons.map((r) => r.kind)).toEqual(["removed"]);
    expect(result.manifest).toEqual({ source: "declared" });
  });

  it("counts a rehearsal only for the script that ran: another checksum, another version or no checksum change nothing", () => {
    const base = { targetVersion: "1.9.0", deployments: [bare], contracts: [notNull] };
    const expected = rollbackEligibility(base);
    for (const other of [
      proven({ contractChecksum: SUM_B }),
      proven({ version: "1.8.0" }),
      rehearsal({ contractChecksum: SUM_B }),
    ])
      expect(rollbackEligibility({ ...base, rehearsals: [other] })).toEqual(expected);
    const unknownScript = { ...notNull, checksum: undefined };
    expect(rollbackEligibility({ ...base, contracts: [unknownScript], rehearsals: [proven()] }).verdict).toBe(
      "UNKNOWN",
    );
  });

  it("keeps a proof: a clean rehearsal of the same version and script sent after it does not hide it", () => {
    const later = rehearsal({ receivedAt: d("2026-11-08T11:00:00Z") });
    const result = rollbackEligibility({
      targetVersion: "1.9.0",
      deployments: [bare],
      contracts: [notNull],
      rehearsals: [proven(), later],
    });
    expect(result.verdict).toBe("UNSAFE");
    expect(result.reasons.map((r) => r.kind)).toEqual(["rehearsal_proof"]);
    // Among clean ones, the newest decides.
    const earlier = rehearsal({ passed: 0, unverifiable: 12 });
    const clean = rollbackEligibility({
      targetVersion: "1.9.0",
      deployments: [bare],
      contracts: [notNull],
      rehearsals: [earlier, later],
    });
    expect(clean.verdict).toBe("SAFE");
  });

  it("treats a rehearsal that passed nothing and proved nothing as no evidence", () => {
    const result = rollbackEligibility({
      targetVersion: "1.9.0",
      deployments: [bare],
      contracts: [notNull],
      rehearsals: [rehearsal({ passed: 0, unverifiable: 12 })],
    });
    expect(result.verdict).toBe("UNKNOWN");
    expect(result.basis).toEqual({ source: "unknown" });
  });

  it("judges the contracts no rehearsal covered by the manifest, and says so", () => {
    const second: ContractFact = {
      ...notNull,
      migrationName: "later",
      ranAt: d("2026-11-10T10:00:00Z"),
      checksum: SUM_B,
    };
    const observed: ObservedManifestFact[] = [
      {
        version: "1.9.0",
        entries: ["public.users.id"],
        from: d("2026-11-02T00:00:00Z"),
        to: d("2026-11-03T00:00:00Z"),
      },
    ];
    const result = rollbackEligibility({
      targetVersion: "1.9.0",
      deployments: [bare],
      contracts: [notNull, second],
      observed,
      rehearsals: [rehearsal()],
    });
    expect(result.verdict).toBe("SAFE");
    expect(result.basis).toMatchObject({ source: "rehearsed", covered: 1, contracts: 2, rest: "observed" });
    expect(result.reasons.map((r) => r.kind)).toEqual(["no_contract", "rehearsal_passed"]);
  });
});

// Safety order: SAFE is the least safe answer to act on, UNSAFE the most.
const CAUTION: Record<Verdict, number> = { SAFE: 0, UNKNOWN: 1, UNSAFE: 2 };

const arbContract = fc.record({
  release: fc.constantFrom("2.0.0", "2.1.0"),
  migrationName: fc.constantFrom("c1", "c2"),
  ranAt: fc.date({ min: d("2026-11-02T00:00:00Z"), max: d("2026-12-01T00:00:00Z"), noInvalidDate: true }),
  checksum: fc.option(fc.constantFrom(SUM_A, SUM_B), { nil: undefined }),
  objects: fc.subarray([
    { kind: "column" as const, table: "users", name: "email", change: "dropped" as const },
    { kind: "table" as const, name: "orders", change: "dropped" as const },
  ]),
  unreadable: fc.option(fc.constant<string[]>(["dynamic SQL"]), { nil: undefined }),
});
const arbRehearsal = fc
  .record({
    version: fc.constantFrom("1.9.0", "1.8.0"),
    contractChecksum: fc.constantFrom(SUM_A, SUM_B),
    passed: fc.nat(20),
    unverifiable: fc.nat(3),
    proofs: fc.array(fc.constant(proof), { maxLength: 2 }),
    receivedAt: fc.date({ min: d("2026-11-01T00:00:00Z"), max: d("2026-12-01T00:00:00Z"), noInvalidDate: true }),
  })
  .map((r): RehearsalFact => ({
    ...r,
    source: "observed",
    noise: 0,
    proofCount: r.proofs.length,
    statements: r.passed + r.unverifiable + r.proofs.length,
  }));
const arbInput = fc.record({
  manifest: fc.option(fc.subarray(["users.id", "users.email", "orders"]), { nil: null }),
  contracts: fc.array(arbContract, { maxLength: 3 }),
  rehearsals: fc.array(arbRehearsal, { maxLength: 4 }),
});

describe("rehearsal properties", () => {
  it("adding a proof never makes a verdict safer", () => {
    fc.assert(
      fc.property(arbInput, fc.nat(3), fc.constantFrom(SUM_A, SUM_B), ({ manifest, contracts, rehearsals }, i, sum) => {
        const deployments = [{ ...declared, manifest }];
        const before = rollbackEligibility({ targetVersion: "1.9.0", deployments, contracts, rehearsals });
        // A proof added to an existing rehearsal, or as the newest rehearsal of a checksum.
        const target = rehearsals[i];
        const withProof = target
          ? rehearsals.map((r) =>
              r === target
                ? { ...r, proofs: [...r.proofs, proof], proofCount: r.proofCount + 1, statements: r.statements + 1 }
                : r,
            )
          : [...rehearsals, proven({ contractChecksum: sum, receivedAt: d("2026-12-02T00:00:00Z") })];
        const after = rollbackEligibility({ targetVersion: "1.9.0", deployments, contracts, rehearsals: withProof });
        expect(CAUTION[after.verdict]).toBeGreaterThanOrEqual(CAUTION[before.verdict]);
      }),
    );
  });

  it("a clean rehearsal sent after a proof of the same version and script never makes a verdict safer", () => {
    fc.assert(
      fc.property(arbInput, arbRehearsal, ({ manifest, contracts, rehearsals }, extra) => {
        const deployments = [{ ...declared, manifest }];
        const proved = rehearsals.filter((r) => r.version === "1.9.0" && r.proofs.length > 0);
        fc.pre(proved.length > 0);
        const clean: RehearsalFact = {
          ...extra,
          version: "1.9.0",
          contractChecksum: proved[0]!.contractChecksum,
          proofs: [],
          proofCount: 0,
          passed: extra.passed + 1,
          statements: extra.passed + 1 + extra.unverifiable,
          receivedAt: d("2026-12-03T00:00:00Z"),
        };
        const before = rollbackEligibility({ targetVersion: "1.9.0", deployments, contracts, rehearsals });
        const after = rollbackEligibility({
          targetVersion: "1.9.0",
          deployments,
          contracts,
          rehearsals: [...rehearsals, clean],
        });
        expect(CAUTION[after.verdict]).toBeGreaterThanOrEqual(CAUTION[before.verdict]);
      }),
    );
  });

  it("a rehearsal of another contract checksum changes nothing", () => {
    fc.assert(
      fc.property(arbInput, arbRehearsal, ({ manifest, contracts, rehearsals }, extra) => {
        const deployments = [{ ...declared, manifest }];
        const held = new Set(contracts.map((c) => c.checksum));
        const other = "c".repeat(64);
        fc.pre(!held.has(other));
        const before = rollbackEligibility({ targetVersion: "1.9.0", deployments, contracts, rehearsals });
        const after = rollbackEligibility({
          targetVersion: "1.9.0",
          deployments,
          contracts,
          rehearsals: [...rehearsals, { ...extra, version: "1.9.0", contractChecksum: other }],
        });
        expect(after).toEqual(before);
      }),
    );
  });

  it("a rehearsal never turns a known UNSAFE into SAFE", () => {
    fc.assert(
      fc.property(arbInput, ({ manifest, contracts, rehearsals }) => {
        const deployments = [{ ...declared, manifest }];
        const without = rollbackEligibility({ targetVersion: "1.9.0", deployments, contracts });
        const withRehearsals = rollbackEligibility({ targetVersion: "1.9.0", deployments, contracts, rehearsals });
        if (without.verdict === "UNSAFE") expect(withRehearsals.verdict).toBe("UNSAFE");
      }),
    );
  });
});
