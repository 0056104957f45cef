import { describe, expect, it } from "vitest";
import { rollbackEligibility } from "../eligibility/index.ts";
import {
  attributeInterval,
  MAX_OBSERVED_STATEMENTS,
  mergeObserved,
  mergeObservedWorkload,
  usageSnapshot,
  type UsageSnapshot,
} from "./manifests.ts";
import type { WorkloadStatement } from "../contract/inspection.ts";
import { decodeUsage, encodeUsage, grownEntries } from "./usage.ts";

const t = (h: number) => new Date(Date.UTC(2026, 10, 2, h));
const snap = (h: number, usage: Record<string, string>, patch: Partial<UsageSnapshot> = {}): UsageSnapshot => ({
  receivedAt: t(h),
  serverStartedAt: "s1",
  statsReset: "r1",
  dealloc: 0,
  complete: true,
  usage: decodeUsage(usage),
  workload: null,
  ...patch,
});
const deploys = [
  { version: "1.0.0", deployedAt: t(0) },
  { version: "2.0.0", deployedAt: t(5) },
];

describe("usage", () => {
  it("round-trips through its compact wire form", () => {
    const wire = { invoices: "=12/3,email=10/1,id=12", "billing.accounts": "iban=4" };
    expect(encodeUsage(decodeUsage(wire))).toEqual(wire);
    expect(grownEntries(decodeUsage({ invoices: "=1,email=1" }), decodeUsage({ invoices: "=2,email=1,id=1" }))).toEqual(
      ["public.invoices", "public.invoices.id"],
    );
  });
});

describe("observed manifests", () => {
  it("attributes what grew between two inspections to the version deployed throughout", () => {
    const a = attributeInterval(snap(1, { invoices: "=1,email=1" }), snap(2, { invoices: "=5,email=4" }), deploys);
    expect(a).toMatchObject({ version: "1.0.0", entries: ["public.invoices", "public.invoices.email"] });
  });

  it("learns nothing across a deploy, a restart, a reset, evictions or from two different databases", () => {
    expect(attributeInterval(snap(4, {}), snap(6, { invoices: "=1" }), deploys).skipped).toMatch(/deploy \(2.0.0\)/);
    expect(attributeInterval(snap(1, {}), snap(2, {}, { serverStartedAt: "s2" }), deploys).skipped).toMatch(
      /restarted/,
    );
    expect(attributeInterval(snap(1, {}), snap(2, {}, { statsReset: "r2" }), deploys).skipped).toMatch(/reset/);
    expect(attributeInterval(snap(1, {}), snap(2, {}, { dealloc: 3 }), deploys).skipped).toMatch(/evicted/);
    const db = (name: string, systemIdentifier: string | null) => ({ database: { name, systemIdentifier } });
    expect(attributeInterval(snap(1, {}, db("app", "1")), snap(2, {}, db("other", "1")), deploys).skipped).toMatch(
      /different databases/,
    );
    expect(attributeInterval(snap(1, {}, db("app", "1")), snap(2, {}, db("app", "2")), deploys).skipped).toMatch(
      /different databases/,
    );
    // An older CLI sent no system identifier: the name alone decides.
    expect(attributeInterval(snap(1, {}, db("app", null)), snap(2, {}, db("app", "2")), deploys).version).toBe("1.0.0");
  });

  it("decides eligibility when no manifest was declared, and says it was observed", () => {
    let v1 = mergeObserved(
      null,
      attributeInterval(snap(1, { invoices: "=1,email=1" }), snap(2, { invoices: "=5,email=4" }), deploys),
    );
    v1 = mergeObserved(
      v1,
      attributeInterval(snap(2, { invoices: "=5,email=4" }), snap(3, { invoices: "=6,email=5" }), deploys),
    );
    const v2 = mergeObserved(
      null,
      attributeInterval(snap(6, { invoices: "=6,email=5" }), snap(7, { invoices: "=9,email=5,id=3" }), deploys),
    );
    expect(v1).toMatchObject({ from: t(1), to: t(3) });
    const deployments = deploys.map((d) => ({ ...d, manifest: null }));
    const contracts = [
      {
        release: "r2",
        migrationName: "drop_email",
        ranAt: t(8),
        objects: [{ kind: "column" as const, table: "invoices", name: "email", change: "dropped" }],
      },
    ];
    const back1 = rollbackEligibility({ targetVersion: "1.0.0", deployments, contracts, observed: [v1!, v2!] });
    expect(back1).toMatchObject({ verdict: "UNSAFE", manifest: { source: "observed" } });
    expect(back1.reasons[0]!.message).toMatch(/1.0.0 reads public.invoices.email \(observed by inspections between/);
    const back2 = rollbackEligibility({ targetVersion: "2.0.0", deployments, contracts, observed: [v1!, v2!] });
    expect(back2).toMatchObject({ verdict: "SAFE", manifest: { source: "observed" } });
  });
});

const stmt = (id: string, calls: number, role = "app"): WorkloadStatement => ({
  id,
  text: `SELECT id FROM invoices /* ${id} */ WHERE id = $1`,
  calls,
  role,
});
const work = (statements: WorkloadStatement[], complete = true) => ({ workload: { statements, complete } });

describe("observed statements", () => {
  it("attributes the growth of each statement between two inspections to the version deployed throughout", () => {
    const a = attributeInterval(
      snap(1, {}, work([stmt("1", 10), stmt("2", 5), stmt("3", 7, "reporting")])),
      snap(2, {}, work([stmt("1", 14), stmt("2", 5), stmt("3", 9, "reporting"), stmt("4", 2)])),
      deploys,
    );
    expect(a.version).toBe("1.0.0");
    expect(a.statementsComplete).toBe(true);
    // "2" did not grow: not attributed. "4" is new since a whole workload: all its calls are the interval's.
    expect(a.statements).toEqual([stmt("1", 4), stmt("3", 2, "reporting"), stmt("4", 2)]);
  });

  it("tells the same queryid under two roles apart", () => {
    const a = attributeInterval(
      snap(1, {}, work([stmt("1", 10, "app"), stmt("1", 3, "worker")])),
      snap(2, {}, work([stmt("1", 10, "app"), stmt("1", 8, "worker")])),
      deploys,
    );
    expect(a.statements).toEqual([stmt("1", 5, "worker")]);
  });

  it("does not guess the growth of a statement missing from a cut workload, and says the interval is incomplete", () => {
    const a = attributeInterval(
      snap(1, {}, work([stmt("1", 10)], false)),
      snap(2, {}, work([stmt("1", 12), stmt("9", 50)])),
      deploys,
    );
    expect(a.statements).toEqual([stmt("1", 2)]);
    expect(a.statementsComplete).toBe(false);
  });

  it("attributes nothing when either inspection sent no workload (an older CLI), or across a deploy or reset", () => {
    const old = attributeInterval(snap(1, {}), snap(2, {}, work([stmt("1", 3)])), deploys);
    expect(old).toMatchObject({ version: "1.0.0", statements: null });
    expect(mergeObservedWorkload(null, old)).toBeNull();
    const across = attributeInterval(snap(4, {}, work([stmt("1", 1)])), snap(6, {}, work([stmt("1", 9)])), deploys);
    expect(across).toMatchObject({ version: null, statements: null });
    const reset = attributeInterval(
      snap(1, {}, work([stmt("1", 1)])),
      snap(2, {}, { ...work([stmt("1", 9)]), statsReset: "r2" }),
      deploys,
    );
    expect(mergeObservedWorkload(null, reset)).toBeNull();
  });

  it("reads the workload and its completeness from a stored summary", () => {
    const summary = {
      server: { started_at: "s1" },
      statistics: { available: true, stats_reset: "r1", dealloc: 0 },
      workload_complete: false,
    } as unknown as Parameters<typeof usageSnapshot>[1];
    expect(usageSnapshot(t(1), summary, {}, [stmt("1", 1)]).workload).toEqual({
      statements: [stmt("1", 1)],
      complete: false,
    });
    expect(usageSnapshot(t(1), summary, {}).workload).toBeNull();
  });

  it("adds the calls of successive intervals up and widens the covered span, most-called first", () => {
    const i1 = attributeInterval(snap(1, {}, work([stmt("1", 1)])), snap(2, {}, work([stmt("1", 3)])), deploys);
    const i2 = attributeInterval(
      snap(2, {}, work([stmt("1", 3)])),
      snap(3, {}, work([stmt("1", 4), stmt("2", 6)])),
      deploys,
    );
    const merged = mergeObservedWorkload(mergeObservedWorkload(null, i1), i2);
    expect(merged).toEqual({
      version: "1.0.0",
      statements: [stmt("2", 6), stmt("1", 3)],
      from: t(1),
      to: t(3),
      complete: true,
    });
  });

  it("keeps at most MAX_OBSERVED_STATEMENTS per version, the most-called, and says it is incomplete", () => {
    const many = Array.from({ length: MAX_OBSERVED_STATEMENTS + 1 }, (_, i) => stmt(String(i), i + 1));
    const a = attributeInterval(snap(1, {}, work([])), snap(2, {}, work(many)), deploys);
    const merged = mergeObservedWorkload(null, a)!;
    expect(merged.statements).toHaveLength(MAX_OBSERVED_STATEMENTS);
    expect(merged.statements[0]!.calls).toBe(MAX_OBSERVED_STATEMENTS + 1);
    expect(merged.statements.some((s) => s.id === "0")).toBe(false);
    expect(merged.complete).toBe(false);
  });
});
