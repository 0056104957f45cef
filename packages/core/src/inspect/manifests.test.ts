import { describe, expect, it } from "vitest";
import { rollbackEligibility } from "../eligibility/index.ts";
import { attributeInterval, mergeObserved, type UsageSnapshot } from "./manifests.ts";
import { decodeUsage, encodeUsage, grownEntries } from "./usage.ts";

const t = (h: number) => new Date(Date.UTC(2026, 10, 2, h));
const snap = (h: number, usage: Record<string, string>, patch: Partial<UsageSnapshot> = {}): UsageSnapshot => ({
  receivedAt: t(h),
  serverStartedAt: "s1",
  statsReset: "r1",
  dealloc: 0,
  complete: true,
  usage: decodeUsage(usage),
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

  it("learns nothing across a deploy, a restart, a reset or evictions", () => {
    expect(attributeInterval(snap(4, {}), snap(6, { invoices: "=1" }), deploys).skipped).toMatch(/deploy \(2.0.0\)/);
    expect(attributeInterval(snap(1, {}), snap(2, {}, { serverStartedAt: "s2" }), deploys).skipped).toMatch(
      /restarted/,
    );
    expect(attributeInterval(snap(1, {}), snap(2, {}, { statsReset: "r2" }), deploys).skipped).toMatch(/reset/);
    expect(attributeInterval(snap(1, {}), snap(2, {}, { dealloc: 3 }), deploys).skipped).toMatch(/evicted/);
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
