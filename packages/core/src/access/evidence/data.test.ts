import { describe, expect, it } from "vitest";
import { decideThrottle } from "../../backfill/throttle.ts";
import { BACKFILL_STEPS, backfillStepMoves } from "../../contract/backfill.ts";
import { planDataChecks, refusedDataChecks, type StoredDataCheck } from "../../contract/data-checks.ts";
import { dataCheck, evaluateGate, type DataCheckFact, type GateFacts } from "../../gate/index.ts";
import { decideLease } from "../../lifecycle/lease-grant.ts";
import { databasePolicy } from "../../policy/index.ts";
import { at, CONTRACT_SUM, passingFacts, stagingPolicy } from "../../../test/builders.ts";
import { BACKFILL_ACTIONS, mayBreakGlass, mayControlBackfill, type Person, type RolloutContext } from "../decide.ts";
import type { DATA_ROWS } from "./data.ts";

const policy = stagingPolicy();
const OLD = "a".repeat(64);
const NEW = "b".repeat(64);
const COPIED = "SELECT id FROM invoices WHERE email IS NOT NULL AND billing_email IS DISTINCT FROM email";

const run = (hours: number, rows = 0) => ({
  receivedAt: at(hours),
  rows,
  sampleKeys: rows ? ["11"] : [],
  samplesWithheld: null,
  durationMs: 5,
  error: null,
});
const fact = (newest: DataCheckFact["newest"], patch: Partial<DataCheckFact> = {}): DataCheckFact => ({
  name: "billing-email-copied",
  checksum: OLD,
  source: "release",
  declaredAt: at(-1),
  newest,
  ...patch,
});
/** The data check's status with the rollback window started at `at(0)`. */
const status = (checks: DataCheckFact[], now = at(2)) => dataCheck(checks, at(0), policy, now).status;
const gate = (patch: Partial<GateFacts>) => evaluateGate(passingFacts(patch), policy, at(2));

const stored = (name: string, source: StoredDataCheck["source"], checksum = OLD): StoredDataCheck => ({
  name,
  checksum,
  source,
});
const declare = (name: string, checksum = OLD) => ({ name, sql: COPIED, checksum });

const SERVICE = "svc-a";
const rm: Person = { id: "rm", roles: [{ role: "release_manager", serviceId: SERVICE }] };
const onCall: Person = { id: "oc", roles: [{ role: "on_call", serviceId: null }] };
const rolloutCtx: RolloutContext = {
  serviceId: SERVICE,
  environment: "staging",
  state: "verifying",
  policy,
  authorIds: ["author"],
  contractChecksum: CONTRACT_SUM,
};
const running = { serviceId: SERVICE, state: "running" as const, control: "run" as const };

const WALKS: Record<keyof typeof DATA_ROWS, () => void | Promise<void>> = {
  async notReadOnly() {
    const unsafe = [
      "DELETE FROM invoices",
      "SELECT id FROM invoices; SELECT 1",
      "SELECT id FROM invoices FOR UPDATE",
      "SELECT id INTO copy FROM invoices",
      "WITH d AS (DELETE FROM invoices RETURNING id) SELECT id FROM d",
      "SELECT pg_terminate_backend(42)",
      "SELECT nextval('invoices_id_seq')",
      "SELECT a FROM dblink('host=x', 'SELECT 1') AS t(a int)",
    ];
    const checks = unsafe.map((sql, i) => ({ name: `check-${i}`, sql, path: `data.data_checks.${i}.sql` }));
    const refused = await refusedDataChecks([
      ...checks,
      { name: "copied", sql: COPIED, path: "data.data_checks.8.sql" },
    ]);
    expect(refused.map((r) => r.name)).toEqual(checks.map((c) => c.name));
    for (const r of refused) expect(r.message).toMatch(new RegExp(`^Data check "${r.name}" is refused: .+`));
    expect(refused[1]!.message).toContain("2 statements");
    expect(refused[2]!.message).toContain("FOR UPDATE");
    expect(refused[4]!.message).toContain("data-modifying DELETE");
  },
  changedAfterContract() {
    const held = [stored("billing-email-copied", "release")];
    const after = { replace: true, contractStarted: true };
    expect(planDataChecks(held, [declare("billing-email-copied", NEW)], "release", after)).toMatchObject({
      ok: false,
      code: "script_locked",
      name: "billing-email-copied",
    });
    expect(planDataChecks(held, [], "release", after)).toMatchObject({ ok: false, code: "script_locked" });
    expect(planDataChecks(held, [declare("billing-email-copied")], "release", after)).toEqual({
      ok: true,
      upsert: [],
      remove: [],
    });
    // Before the contract: stored under the new checksum; the old text's passing run is not a run of it.
    expect(
      planDataChecks(held, [declare("billing-email-copied", NEW)], "release", {
        replace: true,
        contractStarted: false,
      }),
    ).toEqual({ ok: true, upsert: [declare("billing-email-copied", NEW)], remove: [] });
    expect(status([fact(run(1.5))])).toBe("pass");
    expect(status([fact(null, { checksum: NEW })])).toBe("pending");
  },
  otherSource() {
    const held = [stored("billing-email-copied", "release"), stored("backfill-invoices", "backfill")];
    const conflict = { ok: false, code: "data_check_conflict" };
    const opts = { replace: false, contractStarted: false };
    expect(
      planDataChecks(held, [declare("backfill-invoices", NEW)], "release", { ...opts, replace: true }),
    ).toMatchObject({ ...conflict, name: "backfill-invoices" });
    expect(planDataChecks(held, [declare("billing-email-copied", NEW)], "inspect", opts)).toMatchObject(conflict);
    expect(planDataChecks(held, [declare("billing-email-copied")], "backfill", opts)).toMatchObject(conflict);
    // release.created re-sent without the backfill's check: only the release's own are withdrawn.
    expect(planDataChecks(held, [declare("billing-email-copied")], "release", { ...opts, replace: true })).toEqual({
      ok: true,
      upsert: [],
      remove: [],
    });
  },
  madeUpResult() {
    expect(status([fact(run(1.5, 0))])).toBe("pass");
    expect(status([fact(run(-0.5, 0))])).toBe("pending");
    const maxAge = databasePolicy(policy).dataCheckMaxAgeSeconds * 1000;
    expect(status([fact(run(1.5, 0))], new Date(at(1.5).getTime() + maxAge + 1))).toBe("pending");
  },
  breakGlass() {
    expect(mayBreakGlass(rm, rolloutCtx, ["slo"])).toEqual({ ok: true, role: "release_manager" });
    for (const checks of [["data"], ["slo", "data"]])
      expect(mayBreakGlass(rm, rolloutCtx, checks)).toMatchObject({ ok: false, code: "forbidden" });
    const override = {
      kind: "break_glass" as const,
      actor: "rm",
      createdAt: at(1),
      expiresAt: at(9),
      confirmedAt: at(1),
    };
    for (const checks of [[fact(run(1.5, 3))], [fact(null)]]) {
      const verdict = gate({ dataChecks: checks, overrides: [{ ...override, checks: ["data", "slo"] }] });
      const data = verdict.checks.find((c) => c.id === "data")!;
      expect(data.status).not.toBe("pass");
      expect(data.overridden).toBeUndefined();
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
    expect(gate({ dataChecks: [fact(run(1.5))] }).allowed).toBe(true);
  },
  forgedFinished() {
    // The panel's row takes the report: a running backfill becomes finished.
    expect(backfillStepMoves("finished", "running")).toBe(true);
    const finished = { ...running, state: "finished" as const };
    for (const action of ["pause", "cancel"] as const)
      expect(mayControlBackfill(rm, finished, action)).toMatchObject({ ok: false, code: "conflict" });
    const reading = { control: "run" as const, unreachable: null, lagMs: null, maxLagMs: 1000 };
    expect(decideThrottle({ ...reading, gate: { state: "verifying", checks: [] } })).toEqual({ kind: "run" });
    const noGo = { id: "no_go", status: "fail", message: "Incident INC-1 is open." };
    expect(decideThrottle({ ...reading, gate: { state: "verifying", checks: [noGo] } })).toMatchObject({
      kind: "pause",
      cause: "no_go",
    });
    // The gate reads data check runs, not backfill events: the backfill's own check decides.
    const own = (newest: DataCheckFact["newest"]) =>
      fact(newest, { name: "backfill-invoices-billing-email", source: "backfill" });
    const failing = gate({ dataChecks: [own(run(1.5, 3))] });
    expect(failing.allowed).toBe(false);
    expect(failing.checks.find((c) => c.id === "data")).toMatchObject({
      status: "fail",
      message: expect.stringContaining('"backfill-invoices-billing-email" found 3 row(s)'),
    });
    expect(gate({ dataChecks: [own(null)] }).checks.find((c) => c.id === "data")!.status).toBe("pending");
    expect(gate({ dataChecks: [own(run(1.5))] }).allowed).toBe(true);
  },
  lateProgress() {
    for (const step of BACKFILL_STEPS) {
      expect(backfillStepMoves(step, "finished")).toBe(false);
      expect(backfillStepMoves(step, "cancelled")).toBe(false);
      expect(backfillStepMoves(step, "failed")).toBe(step === "started");
      expect(backfillStepMoves(step, "running")).toBe(true);
    }
  },
  forgedControl() {
    const others: Person[] = [
      { id: "v", roles: [{ role: "viewer", serviceId: null }] },
      { id: "a", roles: [{ role: "approver", serviceId: SERVICE }] },
      { id: "rm-b", roles: [{ role: "release_manager", serviceId: "svc-b" }] },
    ];
    for (const person of others)
      for (const action of BACKFILL_ACTIONS) {
        const ctx = action === "resume" ? { ...running, state: "paused" as const, control: "pause" as const } : running;
        expect(mayControlBackfill(person, ctx, action)).toMatchObject({ ok: false, code: "forbidden" });
        expect(mayControlBackfill(rm, ctx, action)).toEqual({ ok: true, role: "release_manager" });
        expect(mayControlBackfill(onCall, ctx, action)).toEqual({ ok: true, role: "on_call" });
      }
  },
  resumeCancelled() {
    const refused = { ok: false, code: "conflict" };
    for (const who of [rm, onCall]) {
      expect(mayControlBackfill(who, { ...running, state: "cancelled", control: "cancel" }, "resume")).toMatchObject({
        ...refused,
        reason: expect.stringContaining("cannot be resumed"),
      });
      expect(mayControlBackfill(who, { ...running, control: "cancel" }, "resume")).toMatchObject(refused);
      for (const state of ["finished", "failed"] as const)
        for (const action of ["pause", "cancel"] as const)
          expect(mayControlBackfill(who, { ...running, state }, action)).toMatchObject(refused);
    }
  },
};

describe("forged, replayed or stale evidence: data checks and backfills", () => {
  for (const id of Object.keys(WALKS) as Array<keyof typeof WALKS>) it(id, WALKS[id]);
});
