import { describe, expect, it } from "vitest";
import { at, CONTRACT_SUM, EXPAND_SUM, heldLease, stagingPolicy } from "../../test/builders.ts";
import type { RolloutProjection } from "../types.ts";
import { applyEvent, plannedRollout, type DomainEvent } from "./index.ts";

const policy = stagingPolicy();

function run(
  events: DomainEvent[],
  start: RolloutProjection = plannedRollout("2.0.0", { expandChecksum: EXPAND_SUM, contractChecksum: CONTRACT_SUM }),
) {
  let rollout = start;
  for (const event of events) {
    const result = applyEvent(rollout, event, policy);
    if (!result.ok) return result;
    rollout = result.rollout;
  }
  return { ok: true as const, rollout };
}

const expand = (h: number): DomainEvent[] => [
  {
    type: "migration.started",
    occurredAt: at(h),
    phase: "expand",
    name: "x",
    checksum: EXPAND_SUM,
    destructiveFindings: 0,
  },
  { type: "migration.succeeded", occurredAt: at(h + 0.1), phase: "expand", name: "x", checksum: EXPAND_SUM },
];
const deploy = (h: number, version = "2.0.0"): DomainEvent => ({ type: "app.deployed", occurredAt: at(h), version });
const flag = (h: number, percent: number): DomainEvent => ({ type: "flag.changed", occurredAt: at(h), percent });
const contract = (h: number, leaseValid = true): DomainEvent => ({
  type: "migration.started",
  occurredAt: at(h),
  phase: "contract",
  name: "c",
  checksum: CONTRACT_SUM,
  lease: leaseValid ? heldLease() : { ...heldLease(), held: null },
});

describe("applyEvent", () => {
  it("walks a release from planned to contracted", () => {
    const result = run([
      ...expand(0),
      deploy(1),
      flag(2, 50),
      flag(3, 100),
      contract(4.5),
      { type: "migration.succeeded", occurredAt: at(4.6), phase: "contract", name: "c", checksum: CONTRACT_SUM },
    ]);
    expect(result).toMatchObject({
      ok: true,
      rollout: { state: "contracted", currentVersion: "2.0.0", windowStartedAt: at(3) },
    });
  });

  it("starts the window at the later of deploy and flag at 100 %", () => {
    expect(run([...expand(0), flag(0.5, 100), deploy(2)])).toMatchObject({
      rollout: { state: "verifying", windowStartedAt: at(2) },
    });
    expect(run([...expand(0), deploy(1), flag(3, 100)])).toMatchObject({
      rollout: { state: "verifying", windowStartedAt: at(3) },
    });
  });

  it("refuses an expand script with destructive statements", () => {
    const result = run([
      {
        type: "migration.started",
        occurredAt: at(0),
        phase: "expand",
        name: "x",
        checksum: EXPAND_SUM,
        destructiveFindings: 2,
      },
    ]);
    expect(result).toMatchObject({ ok: false, rejection: { code: "destructive_expand" } });
  });

  it("refuses a second expand after one succeeded, but allows a retry after a failure", () => {
    expect(run([...expand(0), ...expand(1)])).toMatchObject({
      ok: false,
      rejection: { code: "expand_already_succeeded" },
    });
    const failed: DomainEvent[] = [
      { type: "migration.started", occurredAt: at(0), phase: "expand", name: "x", checksum: EXPAND_SUM },
      { type: "migration.failed", occurredAt: at(0.1), phase: "expand", name: "x", checksum: EXPAND_SUM },
    ];
    expect(run(failed)).toMatchObject({ rollout: { state: "expand_failed" } });
    expect(run([...failed, ...expand(1)])).toMatchObject({ rollout: { state: "expanded" } });
  });

  it("refuses a deploy before expand succeeded", () => {
    expect(run([deploy(0)])).toMatchObject({ ok: false, rejection: { code: "expand_not_done" } });
  });

  it("refuses a contract before the window ended", () => {
    const result = run([...expand(0), deploy(1), flag(1, 100), contract(1.5)]);
    expect(result).toMatchObject({ ok: false, rejection: { code: "window_open" } });
    if (!result.ok) expect(result.rejection.message).toContain("2026-11-02 11:00:00 UTC");
  });

  it("refuses a contract without a live lease", () => {
    expect(run([...expand(0), deploy(1), flag(1, 100), contract(3, false)])).toMatchObject({
      ok: false,
      rejection: { code: "lease_required" },
    });
  });

  it("refuses a contract whose script is not the approved one", () => {
    const other: DomainEvent = {
      type: "migration.started",
      occurredAt: at(3),
      phase: "contract",
      name: "c",
      checksum: "d".repeat(64),
      lease: heldLease("d".repeat(64)),
    };
    expect(run([...expand(0), deploy(1), flag(1, 100), other])).toMatchObject({
      ok: false,
      rejection: { code: "checksum_mismatch" },
    });
  });

  it("restarts the window after an app rollback inside it", () => {
    const result = run([
      ...expand(0),
      deploy(1),
      flag(1, 100),
      { type: "app.rolled_back", occurredAt: at(1.5), version: "1.9.0" },
    ]);
    expect(result).toMatchObject({
      rollout: { state: "rolled_back", currentVersion: "1.9.0", windowStartedAt: null, lastRollbackAt: at(1.5) },
    });
    expect(
      run([
        ...expand(0),
        deploy(1),
        flag(1, 100),
        { type: "app.rolled_back", occurredAt: at(1.5), version: "1.9.0" },
        contract(3),
      ]),
    ).toMatchObject({ ok: false, rejection: { code: "app_rolled_back" } });
    expect(
      run([
        ...expand(0),
        deploy(1),
        flag(1, 100),
        { type: "app.rolled_back", occurredAt: at(1.5), version: "1.9.0" },
        deploy(2),
      ]),
    ).toMatchObject({ rollout: { state: "verifying", windowStartedAt: at(2) } });
  });

  it("counts a deploy of another version during rollout as a rollback", () => {
    expect(run([...expand(0), deploy(1), flag(1, 100), deploy(2, "1.9.0")])).toMatchObject({
      rollout: { state: "rolled_back", currentVersion: "1.9.0" },
    });
  });

  it("stops the window when the flag drops below 100 %", () => {
    expect(run([...expand(0), deploy(1), flag(1, 100), flag(1.2, 20)])).toMatchObject({
      rollout: { state: "rolling_out", windowStartedAt: null },
    });
  });

  it("records a contract failure as an incident state and refuses an app rollback after contract", () => {
    const failed = run([
      ...expand(0),
      deploy(1),
      flag(1, 100),
      contract(3),
      { type: "migration.failed", occurredAt: at(3.1), phase: "contract", name: "c", checksum: CONTRACT_SUM },
    ]);
    expect(failed).toMatchObject({ rollout: { state: "contract_failed" } });
    const rollback = run([
      ...expand(0),
      deploy(1),
      flag(1, 100),
      contract(3),
      { type: "app.rolled_back", occurredAt: at(3.2), version: "1.9.0" },
    ]);
    expect(rollback).toMatchObject({ ok: false, rejection: { code: "contract_started" } });
  });

  it("accepts SLO snapshots and backups in any state without changing it", () => {
    const start = plannedRollout("2.0.0");
    const result = applyEvent(start, { type: "slo.snapshot", occurredAt: at(0) }, policy);
    expect(result).toEqual({ ok: true, rollout: start });
  });

  it("refuses a result for a migration that is not running", () => {
    expect(
      run([{ type: "migration.succeeded", occurredAt: at(0), phase: "contract", name: "c", checksum: CONTRACT_SUM }]),
    ).toMatchObject({ ok: false, rejection: { code: "not_running" } });
  });

  it("finding 1: refuses a contract whose script is not the one its lease was granted for", () => {
    const swapped: DomainEvent = {
      type: "migration.started",
      occurredAt: at(3),
      phase: "contract",
      name: "c",
      checksum: "d".repeat(64),
      lease: heldLease(CONTRACT_SUM),
    };
    const start = { ...plannedRollout("2.0.0", { expandChecksum: EXPAND_SUM, contractChecksum: "d".repeat(64) }) };
    expect(run([...expand(0), deploy(1), flag(1, 100), swapped], start)).toMatchObject({
      ok: false,
      rejection: { code: "lease_script_mismatch" },
    });
  });

  it("finding 1: refuses a contract when the gate closed after the lease was granted", () => {
    const closed: DomainEvent = {
      type: "migration.started",
      occurredAt: at(3),
      phase: "contract",
      name: "c",
      checksum: CONTRACT_SUM,
      lease: heldLease(CONTRACT_SUM, { gate: { allowed: false, failing: ["0 of 1 required approval(s)."] } }),
    };
    expect(run([...expand(0), deploy(1), flag(1, 100), closed])).toMatchObject({
      ok: false,
      rejection: { code: "gate_closed" },
    });
  });

  it("finding 17: refuses a lease used by a token other than the one that took it", () => {
    const stolen: DomainEvent = {
      type: "migration.started",
      occurredAt: at(3),
      phase: "contract",
      name: "c",
      checksum: CONTRACT_SUM,
      lease: heldLease(CONTRACT_SUM, { senderTokenId: "t2" }),
    };
    expect(run([...expand(0), deploy(1), flag(1, 100), stolen])).toMatchObject({
      ok: false,
      rejection: { code: "lease_other_token" },
    });
  });

  it("finding 3: a recovery lease runs the named fix script after a failed contract, and nothing else", () => {
    const fix = "f".repeat(64);
    const failedContract = [
      ...expand(0),
      deploy(1),
      flag(1, 100),
      contract(3),
      {
        type: "migration.failed",
        occurredAt: at(3.1),
        phase: "contract",
        name: "c",
        checksum: CONTRACT_SUM,
      } as DomainEvent,
    ];
    const recovery = (checksum: string): DomainEvent => ({
      type: "migration.started",
      occurredAt: at(4),
      phase: "contract",
      name: "fix",
      checksum,
      lease: { ...heldLease(fix), held: { kind: "recovery", tokenId: "t1", checksum: fix } },
    });
    expect(run([...failedContract, recovery(fix)])).toMatchObject({
      ok: true,
      rollout: { state: "contracting", contractChecksum: fix },
    });
    expect(run([...failedContract, recovery("a".repeat(64))])).toMatchObject({
      ok: false,
      rejection: { code: "lease_script_mismatch" },
    });
    // Before any failure a recovery lease is worth nothing.
    expect(run([...expand(0), deploy(1), flag(1, 100), recovery(fix)])).toMatchObject({
      ok: false,
      rejection: { code: "lease_required" },
    });
  });
});
