import { describe, expect, it } from "vitest";
import type { EventBody } from "../../contract/events.ts";
import { leaseRequestProblems, leaseRequestReplay } from "../../contract/lease-request.ts";
import { contractFact, rollbackEligibility, scriptThatRan } from "../../eligibility/index.ts";
import { evaluateGate } from "../../gate/index.ts";
import {
  applyEvent,
  contractStartRefusal,
  implausibleEventTimes,
  overriddenChecks,
  plannedRollout,
} from "../../lifecycle/index.ts";
import { at, CONTRACT_SUM, EXPAND_SUM, heldLease, passingFacts, stagingPolicy } from "../../../test/builders.ts";
import type { EVENTS_ROWS } from "./events.ts";

const policy = stagingPolicy();

const WALKS: Record<keyof typeof EVENTS_ROWS, () => void> = {
  replayedLease() {
    expect(leaseRequestReplay(true, "msg_1")).toBeNull();
    expect(leaseRequestReplay(false, "msg_1")).toMatchObject({ code: "replayed" });
    const path = { service: "billing", environment: "production", release: "r7" };
    expect(leaseRequestProblems(JSON.stringify(path), path)).toEqual([]);
    expect(leaseRequestProblems(JSON.stringify({ ...path, release: "r8" }), path)).toMatchObject([{ path: "release" }]);
  },
  eventFrom2100() {
    const body: EventBody = {
      type: "flag.changed",
      service: "s",
      environment: "staging",
      release: "r1",
      occurred_at: "2100-01-01T00:00:00Z",
      data: { flag: "f", percent: 100 },
    };
    expect(implausibleEventTimes(body, at(0))).toMatchObject([{ path: "occurred_at" }]);
    expect(implausibleEventTimes({ ...body, occurred_at: "1999-12-31T00:00:00Z" }, at(0))).toHaveLength(1);
    expect(implausibleEventTimes({ ...body, occurred_at: at(20).toISOString() }, at(0))).toEqual([]);
  },
  expandUnseen() {
    const started = applyEvent(
      plannedRollout("2.0.0"),
      {
        type: "migration.started",
        occurredAt: at(0),
        phase: "expand",
        name: "e",
        checksum: EXPAND_SUM,
        destructiveFindings: null,
      },
      policy,
    );
    expect(started).toMatchObject({ ok: false, rejection: { code: "expand_unseen" } });
    const expand = evaluateGate(passingFacts({ expandDestructiveFindings: null }), policy, at(2)).checks.find(
      (c) => c.id === "expand",
    );
    expect(expand).toMatchObject({ status: "unknown" });
    expect(expand!.message).not.toContain("additive only");
    const run = { release: "r1", migrationName: "c", ranAt: at(3), checksum: CONTRACT_SUM };
    const text = scriptThatRan(run, { sql: "SELECT 1;", checksum: "f".repeat(64) });
    expect(text).toBeNull();
    const eligibility = rollbackEligibility({
      targetVersion: "1.0.0",
      deployments: [{ version: "1.0.0", deployedAt: at(0), manifest: ["users.email"] }],
      contracts: [contractFact(run, null)],
    });
    expect(eligibility.verdict).toBe("UNKNOWN");
  },
  overrideWindow() {
    const during = at(0.5);
    const window = (checks: Array<"rollback_window" | "slo">) =>
      evaluateGate(
        passingFacts({
          overrides: [
            { kind: "break_glass", checks, actor: "rm", createdAt: at(0), expiresAt: at(9), confirmedAt: at(0) },
          ],
        }),
        policy,
        during,
      );
    const open = window(["rollback_window", "slo"]);
    expect(open.allowed).toBe(true);
    const rollout = passingFacts().rollout;
    const overridden = overriddenChecks(open.checks);
    expect(contractStartRefusal(rollout, policy, during, overridden)).toBeNull();
    const started = applyEvent(
      rollout,
      {
        type: "migration.started",
        occurredAt: during,
        phase: "contract",
        name: "c",
        checksum: CONTRACT_SUM,
        lease: heldLease(CONTRACT_SUM, { gate: { allowed: true, failing: [], overridden: [...overridden] } }),
      },
      policy,
    );
    expect(started).toMatchObject({ ok: true, rollout: { state: "contracting" } });
    const closed = window([]);
    expect(closed.allowed).toBe(false);
    expect(contractStartRefusal(rollout, policy, during, overriddenChecks(closed.checks))).toMatchObject({
      code: "window_open",
    });
  },
};

describe("evidence: events and leases", () => {
  for (const id of Object.keys(WALKS)) it(id, () => WALKS[id as keyof typeof WALKS]());
});
