import { describe, expect, it } from "vitest";
import type { Inspection } from "../../contract/inspection.ts";
import { usageCheck, type DatabaseFacts, type InspectionFact } from "../../gate/database.ts";
import { admitInspection } from "../../inspect/admit.ts";
import { mayBeBaseline } from "../../inspect/baseline.ts";
import { at, CONTRACT_SUM, EXPAND_SUM, stagingPolicy } from "../../testing/builders.ts";
import type { INSPECTIONS_ROWS } from "./inspections.ts";

const started = "2026-11-01T00:00:00.000Z";
const server = { version: "15.8", started_at: started, database: "app", system_identifier: "7316398991098968221" };
const s = (calls: number) => ({
  id: "42",
  calls,
  text: "select email from invoices",
  objects: ["public.invoices.email"],
});
function inspection(id: string, hours: number, patch: Partial<Omit<Inspection, "usage">> = {}): InspectionFact {
  return {
    id,
    receivedAt: at(hours),
    summary: {
      format: 1,
      server: { ...server, now: at(hours).toISOString() },
      statistics: { available: true, track: "all", stats_reset: started, dealloc: 0, statements: 40, unresolved: 0 },
      contract_checksum: CONTRACT_SUM,
      statements: [s(100)],
      usage_complete: true,
      expand: [],
      tables: [],
      sessions: [],
      duration_ms: 1,
      ...patch,
    },
  };
}
const baseline = inspection("a", 0.1);
const usage = (recent: InspectionFact, previous: InspectionFact | null = null) => {
  const db: DatabaseFacts = {
    baseline,
    recent,
    previous,
    environmentInspected: true,
    contract: {
      checksum: CONTRACT_SUM,
      removed: [{ kind: "column", table: "invoices", name: "email", change: "dropped" }],
      statements: [],
    },
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
