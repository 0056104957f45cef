import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { at, CONTRACT_SUM, heldLease, passingFacts } from "../../test/builders.ts";
import type { RolloutProjection } from "../types.ts";
import { eventEffects, leaseVoidedByNewScript } from "./event-effects.ts";
import type { DomainEvent, RejectionCode } from "./events.ts";
import type { MappedRolloutEvent, RolloutEventBody } from "./map-event.ts";

const before: RolloutProjection = passingFacts().rollout;
const CODES: RejectionCode[] = [
  "destructive_expand",
  "expand_unseen",
  "not_running",
  "window_open",
  "lease_required",
  "lease_other_token",
  "lease_script_mismatch",
  "gate_closed",
  "inspection_older",
];

function mapped(event: DomainEvent, body: Partial<RolloutEventBody> = {}, alwaysAudited = false): MappedRolloutEvent {
  return {
    scope: "rollout",
    body: { type: event.type, data: {}, ...body } as RolloutEventBody,
    event,
    fact: null,
    data: {},
    alwaysAudited,
  };
}
const snapshot: DomainEvent = {
  type: "slo.snapshot",
  occurredAt: at(2),
  availability: 99.9,
  errorBudgetRemaining: 0.9,
  burnRate: 0.3,
} as DomainEvent;

describe("what an event changes besides its own record", () => {
  it("a refused event voids the live lease exactly when the lease was misused (another script, another token)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...CODES), (code) => {
        const effects = eventEffects({
          mapped: mapped(snapshot),
          event: snapshot,
          before,
          result: { ok: false, rejection: { code, message: "no" } },
          clockSkewSeconds: null,
        });
        expect(effects).toMatchObject({ accepted: false, rejection: { code } });
        const misused = code === "lease_script_mismatch" || code === "lease_other_token";
        expect(!effects.accepted && effects.voidLeases).toBe(misused ? `void: ${code}` : null);
      }),
    );
  });

  it("an accepted event is saved when it moved the rollout, and audited when it moved it, always is, or came with a far-off clock (property)", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.integer({ min: -10_000, max: 10_000 }), { nil: null }),
        fc.constantFrom("succeeded", "failed"),
        fc.constantFrom("expand", "contract"),
        (moves, always, skew, outcome, phase) => {
          const event = {
            type: `migration.${outcome}`,
            occurredAt: at(2),
            phase,
            name: "m",
            checksum: CONTRACT_SUM,
          } as DomainEvent;
          const after = moves
            ? { ...before, state: "contracted" as const, flagFullAt: new Date(at(0)) }
            : { ...before };
          const effects = eventEffects({
            mapped: mapped(event, {}, always),
            event,
            before,
            result: { ok: true, rollout: after },
            clockSkewSeconds: skew,
          });
          if (!effects.accepted) throw new Error("accepted");
          expect(effects.changed).toBe(moves);
          expect(effects.audited).toBe(moves || always || skew !== null);
          expect(effects.contractEnded).toBe(moves && phase === "contract" ? `contract.${outcome}` : null);
          expect(effects.endLeases).toBe(phase === "contract" ? outcome : null);
          if (effects.contractEnded) expect(effects.audited).toBe(true);
        },
      ),
    );
  });

  it("a date equal in time is no change", () => {
    const effects = eventEffects({
      mapped: mapped(snapshot),
      event: snapshot,
      before,
      result: { ok: true, rollout: { ...before, deployedAt: new Date(before.deployedAt!.getTime()) } },
      clockSkewSeconds: null,
    });
    expect(effects).toMatchObject({ accepted: true, changed: false, audited: false });
  });

  it("a recovery run adopts its fix as the phase's script; an expand sent with its text keeps that text", () => {
    const started = (phase: "expand" | "contract", kind: "gate" | "recovery") =>
      ({
        type: "migration.started",
        occurredAt: at(2),
        phase,
        name: "m",
        checksum: CONTRACT_SUM,
        lease: heldLease(CONTRACT_SUM, { held: { kind, tokenId: "t1", checksum: CONTRACT_SUM } }),
      }) as DomainEvent;
    const run = (phase: "expand" | "contract", kind: "gate" | "recovery") => {
      const event = started(phase, kind);
      return eventEffects({
        mapped: mapped(event, { data: { phase, name: "m", checksum: CONTRACT_SUM, sql: "select 1;" } } as never),
        event,
        before,
        result: { ok: true, rollout: before },
        clockSkewSeconds: null,
      });
    };
    expect(run("expand", "recovery")).toMatchObject({ adoptFix: "expand", keepExpandText: null });
    expect(run("contract", "recovery")).toMatchObject({ adoptFix: "contract", keepExpandText: null });
    expect(run("expand", "gate")).toMatchObject({ adoptFix: null, keepExpandText: "select 1;" });
    expect(run("contract", "gate")).toMatchObject({ adoptFix: null, keepExpandText: null });
  });

  it("a new contract script voids a live lease granted for another one, and only then", () => {
    expect(leaseVoidedByNewScript({ checksum: "a" }, "b")).toBe("void: script_changed");
    expect(leaseVoidedByNewScript({ checksum: "b" }, "b")).toBeNull();
    expect(leaseVoidedByNewScript(null, "b")).toBeNull();
  });
});
