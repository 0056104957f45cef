import { gateResponseSchema } from "@rollgate/core/contract/responses";
import { evaluateGate, type GateVerdict } from "@rollgate/core/gate";
import type { RolloutRow } from "@rollgate/db/queries/rollouts";
import { describe, expect, it } from "vitest";
import { at, passingFacts, stagingPolicy } from "@rollgate/core/testing/builders";
import { gateJson } from "./evaluate-rollout-gate";

// The gate's wire contract is declared once, by zod in core: what the server sends must be
// exactly that (nothing missing, nothing extra); the OpenAPI document is generated from the same schema.

const keys = { service: "billing", environment: "staging", release: "r1" };
const row = { rollout: { state: "verifying", contractChecksum: "c".repeat(64) } } as unknown as RolloutRow;
const policy = stagingPolicy();

/** A verdict with every optional part a check can carry: links, until, overrides, informational checks and each kind of evidence. */
function richVerdict(): GateVerdict {
  const verdict = evaluateGate(
    passingFacts({
      openIncidents: [
        { title: "Checkout errors", openedAt: at(1), source: "alertmanager", url: "https://alerts.example.com/1" },
      ],
    }),
    policy,
    at(2),
  );
  const [first, second, third, ...rest] = verdict.checks;
  return {
    ...verdict,
    checks: [
      {
        ...first!,
        until: at(3),
        overridden: true,
        details: {
          kind: "usage",
          baselineAt: at(0),
          recentAt: null,
          statements: [
            {
              id: "42",
              text: "select email from users",
              callsBefore: 1,
              callsAfter: 5,
              objects: ["public.users.email"],
              unknown: "a reason",
            },
          ],
        },
      },
      {
        ...second!,
        blocking: false,
        details: {
          kind: "expand_live",
          inspectedAt: at(1),
          objects: [
            { kind: "column", name: "users.email_address", state: "different", expected: "text", actual: "varchar" },
          ],
        },
      },
      {
        ...third!,
        status: "unknown",
        details: {
          kind: "lock_risk",
          inspectedAt: null,
          statements: [
            {
              statement: 1,
              line: 2,
              lock: "AccessExclusiveLock",
              table: "users",
              rewrites: false,
              bytes: 8192,
              rows: null,
              blockers: [{ pid: 7, state: "idle in transaction", mode: "RowExclusiveLock", xactSeconds: 12.5 }],
            },
          ],
        },
      },
      ...rest,
    ],
  } as GateVerdict;
}

describe("the gate's wire contract", () => {
  it("sends exactly what gateResponseSchema declares, with links, evidence and informational checks", () => {
    const wire = JSON.parse(
      JSON.stringify(gateJson(keys, { row, policy, facts: passingFacts(), verdict: richVerdict() })),
    );
    // zod drops keys it does not declare, so equality also refuses a field the contract lacks.
    expect(gateResponseSchema.parse(wire)).toEqual(wire);
    expect(wire.checks.map((c: { details?: { kind: string } }) => c.details?.kind).filter(Boolean)).toEqual(
      expect.arrayContaining(["usage", "expand_live", "lock_risk"]),
    );
    expect(wire.checks.some((c: { links?: unknown }) => c.links)).toBe(true);
  });
});
