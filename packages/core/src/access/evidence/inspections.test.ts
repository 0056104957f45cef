import { describe, expect, it } from "vitest";
import type { Inspection } from "../../contract/inspection.ts";
import { usageCheck } from "../../gate/database.ts";
import type { DatabaseFacts, InspectionFact } from "../../gate/facts.ts";
import { admitInspection } from "../../inspect/admit.ts";
import { mayBeBaseline } from "../../inspect/baseline.ts";
import { attributeInterval, mergeObservedWorkload, type UsageSnapshot } from "../../inspect/manifests.ts";
import {
  DROPPED_EMAIL_CONTRACT,
  EXPAND_SUM,
  INSPECTED_SERVER,
  inspectionFact,
  STATS_STARTED,
  at,
  stagingPolicy,
} from "../../../test/builders.ts";
import type { INSPECTIONS_ROWS } from "./inspections.ts";

const started = STATS_STARTED;
const server = INSPECTED_SERVER;
const s = (calls: number) => ({
  id: "42",
  calls,
  text: "select email from invoices",
  objects: ["public.invoices.email"],
});
const inspection = (id: string, hours: number, patch: Partial<Omit<Inspection, "usage">> = {}): InspectionFact =>
  inspectionFact(id, hours, { statements: [s(100)], ...patch });
const baseline = inspection("a", 0.1);
const usage = (recent: InspectionFact, previous: InspectionFact | null = null) => {
  const db: DatabaseFacts = {
    baseline,
    recent,
    previous,
    environmentInspected: true,
    contract: DROPPED_EMAIL_CONTRACT,
    expandChecksum: EXPAND_SUM,
  };
  return usageCheck(db, at(0), stagingPolicy(), at(2)).status;
};
const stats = (patch: Partial<Inspection["statistics"]>) => ({
  statistics: {
    available: true,
    track: "all" as const,
    stats_reset: started,
    dealloc: 0,
    statements: 40,
    unresolved: 0,
    ...patch,
  },
});

const WALKS: Record<keyof typeof INSPECTIONS_ROWS, () => void> = {
  evicted: () => {
    expect(usage(inspection("b", 1.9, { statements: [s(150)] }))).toBe("fail");
    const failed = inspection("p", 1, { statements: [s(150)] });
    expect(usage(inspection("b", 1.9, { statements: [], ...stats({ dealloc: 4 }) }), failed)).toBe("unknown");
    expect(usage(inspection("b", 1.9, { statements: [] }), failed)).toBe("unknown");
  },
  resent: () => {
    expect(usage({ ...baseline, id: "again", receivedAt: at(1.9) })).toBe("unknown");
    const taken = new Date(baseline.summary.server.now!);
    expect(
      admitInspection(baseline.summary.server, { newestTakenAt: taken, sameTakenAt: true }, at(1.9)),
    ).toMatchObject({
      code: "inspection_repeated",
    });
  },
  older: () => {
    const late = inspection("c", 1);
    expect(admitInspection(late.summary.server, { newestTakenAt: at(1.5), sameTakenAt: false }, at(1.9))).toMatchObject(
      { code: "inspection_older" },
    );
  },
  reset: () => {
    expect(usage(inspection("b", 1.9, stats({ stats_reset: at(1).toISOString() })))).toBe("unknown");
    expect(
      usage(
        inspection("b", 1.9, { server: { ...server, started_at: at(1).toISOString(), now: at(1.9).toISOString() } }),
      ),
    ).toBe("unknown");
  },
  otherDatabase: () => {
    const other = { ...server, system_identifier: "7000000000000000001", now: at(1.9).toISOString() };
    expect(usage(inspection("b", 1.9, { server: other }))).toBe("unknown");
  },
  workload: () => {
    const read = { id: "7", text: "select email from invoices where id = $1", calls: 10, role: "app" };
    const snap = (hours: number, calls: number, patch: Partial<UsageSnapshot> = {}): UsageSnapshot => ({
      receivedAt: at(hours),
      serverStartedAt: started,
      statsReset: started,
      dealloc: 0,
      complete: true,
      usage: new Map(),
      workload: { statements: [{ ...read, calls }], complete: true },
      ...patch,
    });
    const deploys = [
      { version: "1.0.0", deployedAt: at(0) },
      { version: "2.0.0", deployedAt: at(1.5) },
    ];
    const learned = (prev: UsageSnapshot, next: UsageSnapshot) =>
      mergeObservedWorkload(null, attributeInterval(prev, next, deploys));
    // Only the growth between two inspections with nothing in between counts.
    expect(learned(snap(0.5, 10), snap(1, 14))).toMatchObject({ statements: [{ ...read, calls: 4 }], complete: true });
    expect(learned(snap(0.5, 10), snap(1, 14, { statsReset: at(0.7).toISOString() }))).toBeNull();
    expect(learned(snap(0.5, 10), snap(1, 14, { dealloc: 2 }))).toBeNull();
    expect(learned(snap(1, 10), snap(1.9, 14))).toBeNull();
    // Statements left out: what remains is kept, marked incomplete.
    const cut = snap(1, 14, { workload: { statements: [], complete: false } });
    expect(learned(snap(0.5, 10), cut)).toMatchObject({ statements: [], complete: false });
  },
  otherRollout: () => {
    const rollout = { id: "r1", windowStartedAt: at(1) };
    const theirs = { rolloutId: "r0", windowStart: true, receivedAt: at(0.95) };
    expect(mayBeBaseline(theirs, rollout)).toBe(false);
    expect(mayBeBaseline({ ...theirs, rolloutId: "r1" }, rollout)).toBe(true);
  },
};

describe("forged, replayed or stale evidence: inspections", () => {
  for (const id of Object.keys(WALKS) as Array<keyof typeof WALKS>) it(id, WALKS[id]);
});
