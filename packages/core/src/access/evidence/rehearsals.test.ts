import { describe, expect, it } from "vitest";
import { at, CONTRACT_SUM, passingFacts, stagingPolicy } from "../../../test/builders.ts";
import { SAMPLE_DATA } from "../../../test/samples.ts";
import { eventBodySchema } from "../../contract/events.ts";
import { rollbackEligibility, type RehearsalFact } from "../../eligibility/index.ts";
import { evaluateGate, type RehearsalGateFact } from "../../gate/index.ts";
import { decideLease } from "../../lifecycle/lease-grant.ts";
import { mayBreakGlass, type Person, type RolloutContext } from "../decide.ts";
import type { REHEARSAL_ROWS } from "./rehearsals.ts";

const policy = stagingPolicy({ requireRehearsal: true });
const sample = SAMPLE_DATA["rollback.rehearsed"];
const proof = sample.proofs[0]!;
const rehearsal = (patch: Partial<RehearsalFact> = {}): RehearsalFact => ({
  version: "1.9.0",
  contractChecksum: CONTRACT_SUM,
  source: "observed",
  statements: 12,
  passed: 12,
  noise: 0,
  unverifiable: 0,
  proofCount: 0,
  proofs: [],
  receivedAt: at(1),
  ...patch,
});
const gate = (newest: RehearsalFact | null, patch = {}) =>
  evaluateGate(
    passingFacts({ rehearsal: { previousVersion: "1.9.0", newest } satisfies RehearsalGateFact, ...patch }),
    policy,
    at(2),
  );
const check = (newest: RehearsalFact | null) => gate(newest).checks.find((c) => c.id === "rehearsal")!;
const body = (data: unknown) => ({
  type: "rollback.rehearsed",
  service: "svc",
  environment: "production",
  release: "r1",
  occurred_at: "2026-12-01T10:00:00Z",
  data,
});
const deployments = (manifest: string[] | null) => [{ version: "1.9.0", deployedAt: at(-10), manifest }];
const contract = {
  release: "r1",
  migrationName: "c",
  ranAt: at(3),
  checksum: CONTRACT_SUM,
  objects: [{ kind: "column" as const, table: "users", name: "email", change: "dropped" as const }],
};

const WALKS: Record<keyof typeof REHEARSAL_ROWS, () => void> = {
  badPayload() {
    const bad = [
      { ...sample, statements: 99 },
      { ...sample, proof_count: 0, passed: 11 },
      { ...sample, contract_checksum: "abc" },
      { ...sample, proofCount: 1 },
      {
        ...sample,
        proofs: Array.from({ length: 101 }, () => proof),
        proof_count: 101,
        statements: 112,
      },
    ];
    for (const data of bad) {
      const parsed = eventBodySchema.safeParse(body(data));
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]!.path[0]).toBe("data");
    }
  },
  otherChecksum() {
    for (const other of [rehearsal({ contractChecksum: "e".repeat(64) }), rehearsal({ version: "1.8.0" })]) {
      expect(check(other).status).toBe("pending");
      const base = {
        targetVersion: "1.9.0",
        deployments: deployments(null),
        contracts: [{ ...contract, objects: [] }],
      };
      expect(rollbackEligibility({ ...base, rehearsals: [other] })).toEqual(rollbackEligibility(base));
    }
  },
  madeUpClean() {
    expect(check(rehearsal()).status).toBe("pass");
    // A clean one sent after a proof of the same version and script does not hide it…
    const proven = rehearsal({ passed: 11, proofCount: 1, proofs: [proof], receivedAt: at(0.5) });
    expect(check(proven).status).toBe("fail");
    const base = { targetVersion: "1.9.0", deployments: deployments(null), contracts: [{ ...contract, objects: [] }] };
    expect(rollbackEligibility({ ...base, rehearsals: [proven, rehearsal()] }).verdict).toBe("UNSAFE");
    // …and a clean one never overrules a name match: a manifest reading the dropped column stays UNSAFE.
    const answer = rollbackEligibility({
      targetVersion: "1.9.0",
      deployments: deployments(["users.email"]),
      contracts: [contract],
      rehearsals: [rehearsal()],
    });
    expect(answer.verdict).toBe("UNSAFE");
    expect(answer.reasons.map((r) => r.kind)).toEqual(["removed"]);
  },
  breakGlass() {
    const SERVICE = "svc-a";
    const rm: Person = { id: "rm", roles: [{ role: "release_manager", serviceId: SERVICE }] };
    const ctx: RolloutContext = {
      serviceId: SERVICE,
      environment: "staging",
      state: "verifying",
      policy,
      authorIds: ["author"],
      contractChecksum: CONTRACT_SUM,
    };
    for (const checks of [["rehearsal"], ["slo", "rehearsal"]])
      expect(mayBreakGlass(rm, ctx, checks)).toMatchObject({ ok: false, code: "forbidden" });
    const override = {
      kind: "break_glass" as const,
      actor: "rm",
      createdAt: at(1),
      expiresAt: at(9),
      confirmedAt: at(1),
    };
    for (const newest of [null, rehearsal({ passed: 11, proofCount: 1, proofs: [proof] })]) {
      const verdict = gate(newest, { overrides: [{ ...override, checks: ["rehearsal", "slo"] }] });
      expect(verdict.checks.find((c) => c.id === "rehearsal")!.overridden).toBeUndefined();
      expect(verdict.allowed).toBe(false);
      const lease = decideLease({
        rollout: passingFacts().rollout,
        policy,
        productionLike: false,
        at: at(2),
        verdict,
        leaseHolder: null,
        recovery: null,
      });
      expect(lease).toMatchObject({ grant: false, reason: "gate_closed" });
    }
    // Not required: informational, holding nothing.
    const optional = evaluateGate(
      passingFacts({ rehearsal: { previousVersion: "1.9.0", newest: null } }),
      stagingPolicy(),
      at(2),
    );
    expect(optional.allowed).toBe(true);
  },
};

describe("SECURITY.md evidence: rehearsals", () => {
  it.each(Object.entries(WALKS))("%s", async (_row, walk) => {
    await walk();
  });
});
