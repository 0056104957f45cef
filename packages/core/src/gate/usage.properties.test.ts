import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Inspection } from "../contract/inspection.ts";
import { at, CONTRACT_SUM, DROPPED_EMAIL_CONTRACT, EXPAND_SUM, stagingPolicy } from "../../test/builders.ts";
import { usageCheck } from "./database.ts";
import type { DatabaseFacts, InspectionFact } from "./facts.ts";

// Finding 5, as a property: a database whose statement S names the column the contract drops,
// and a random history of S running, entries evicted (dealloc grows), pg_stat_statements_reset(),
// restarts, inspections and re-sent inspections. Whatever happens, the usage check passes only
// when S really did not run between the last two inspections sent (by the database's clock).

type Op =
  | { op: "run"; calls: number }
  | { op: "evict"; which: "S" | "other" }
  | { op: "reset" }
  | { op: "restart"; keep: boolean }
  | { op: "inspect" }
  | { op: "resend"; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }).map((calls) => ({ op: "run" as const, calls })) },
  {
    weight: 2,
    arbitrary: fc.constantFrom("S" as const, "other" as const).map((which) => ({ op: "evict" as const, which })),
  },
  { weight: 1, arbitrary: fc.constant({ op: "reset" as const }) },
  { weight: 1, arbitrary: fc.boolean().map((keep) => ({ op: "restart" as const, keep })) },
  { weight: 4, arbitrary: fc.constant({ op: "inspect" as const }) },
  { weight: 2, arbitrary: fc.nat(20).map((pick) => ({ op: "resend" as const, pick })) },
);

const T = Date.UTC(2026, 10, 1);
const iso = (ms: number) => new Date(ms).toISOString();

interface Sent {
  summary: Omit<Inspection, "usage">;
  /** The database's clock when it was read. */
  takenAt: number;
}

/** Plays the history; returns what was sent, in order, and when S ran (database clock). */
function play(ops: readonly Op[]) {
  let clock = T + 1000;
  let started = T;
  let reset = T;
  let dealloc = 0;
  let s: number | null = 100; // S ran before the window, as in the report
  const runs: number[] = [];
  const taken: Sent[] = [];
  const sent: Sent[] = [];
  const snapshot = (): Sent => ({
    takenAt: clock,
    summary: {
      format: 1,
      server: { version: "15.8", started_at: iso(started), database: "app", now: iso(clock), system_identifier: "73" },
      statistics: { available: true, track: "all", stats_reset: iso(reset), dealloc, statements: 40, unresolved: 0 },
      contract_checksum: CONTRACT_SUM,
      expand_checksum: EXPAND_SUM,
      statements:
        s === null
          ? []
          : [{ id: "42", calls: s, text: "select email from invoices", objects: ["public.invoices.email"] }],
      usage_complete: true,
      expand: [],
      tables: [],
      sessions: [],
      duration_ms: 1,
    },
  });
  for (const o of [{ op: "inspect" } as Op, ...ops]) {
    clock += 1000;
    switch (o.op) {
      case "run":
        s = (s ?? 0) + o.calls;
        runs.push(clock);
        break;
      case "evict":
        if (o.which === "S") s = null;
        dealloc += 1;
        break;
      case "reset":
        s = null;
        dealloc = 0;
        reset = clock;
        break;
      case "restart":
        if (!o.keep) s = null;
        started = clock;
        break;
      case "inspect": {
        const shot = snapshot();
        taken.push(shot);
        sent.push(shot);
        break;
      }
      case "resend":
        sent.push(structuredClone(taken[o.pick % taken.length]!));
        break;
    }
  }
  return { sent, runs };
}

const fact = (sent: Sent, i: number): InspectionFact => ({
  id: `i${i}`,
  receivedAt: at(0.1 + i * 0.01),
  summary: sent.summary,
});

describe("finding 5: the usage check under eviction, dealloc growth, reset, restart and repeated summaries", () => {
  it("finding 5: passes only when S did not run between the last two inspections sent (by the database's clock)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), (ops) => {
        const { sent, runs } = play(ops);
        const n = sent.length;
        const baseline = fact(sent[0]!, 0);
        const recent = fact(sent[n - 1]!, n - 1);
        const previous = n >= 3 ? fact(sent[n - 2]!, n - 2) : null;
        const db: DatabaseFacts = {
          baseline,
          recent,
          previous,
          environmentInspected: true,
          contract: DROPPED_EMAIL_CONTRACT,
          expandChecksum: EXPAND_SUM,
        };
        const c = usageCheck(db, at(0), stagingPolicy(), at(0.1 + (n - 1) * 0.01));
        if (c.status !== "pass") return;
        const from = Math.max(sent[0]!.takenAt, previous ? sent[n - 2]!.takenAt : 0);
        const to = sent[n - 1]!.takenAt;
        expect(
          runs.filter((t) => t > from && t <= to),
          c.message,
        ).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it("finding 5: a disturbance after a failing interval never turns it into pass without a new, clean window-start inspection", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(...(["evict", "reset", "restart", "resend"] as const).map((k) => opArb.filter((o) => o.op === k))),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        (disturbances) => {
          // Window start, S runs, an inspection that fails; then disturbances and a new inspection.
          const { sent } = play([{ op: "run", calls: 50 }, { op: "inspect" }, ...disturbances, { op: "inspect" }]);
          const n = sent.length;
          const facts = (k: number): DatabaseFacts => ({
            baseline: fact(sent[0]!, 0),
            recent: fact(sent[k]!, k),
            previous: k >= 2 ? fact(sent[k - 1]!, k - 1) : null,
            environmentInspected: true,
            contract: DROPPED_EMAIL_CONTRACT,
            expandChecksum: EXPAND_SUM,
          });
          const check = (k: number) => usageCheck(facts(k), at(0), stagingPolicy(), at(0.1 + k * 0.01)).status;
          expect(check(1)).toBe("fail");
          // S stopped after the failing inspection: only an interval with a clean comparison may pass.
          const last = check(n - 1);
          if (last === "pass") {
            const [b, p, r] = [sent[0]!, sent[n - 2]!, sent[n - 1]!].map((x) => x.summary);
            expect([b, p].every((x) => x!.server.started_at === r!.server.started_at)).toBe(true);
            expect([b, p].every((x) => x!.statistics.stats_reset === r!.statistics.stats_reset)).toBe(true);
            expect([b, p].every((x) => x!.statistics.dealloc === r!.statistics.dealloc)).toBe(true);
            expect(Date.parse(r!.server.now!)).toBeGreaterThan(Date.parse(p!.server.now!));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
