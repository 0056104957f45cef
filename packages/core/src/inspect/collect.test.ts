import { describe, expect, it } from "vitest";
import { INSPECTION_FORMAT, inspectionSchema, type Inspection } from "../contract/inspection.ts";
import { fit } from "./collect.ts";

const size = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

function summary(workload: number, usage: Record<string, string> = { invoices: "=10/2,email=4" }): Inspection {
  return {
    format: INSPECTION_FORMAT,
    server: { version: "17.2", started_at: "2026-11-02T00:00:00.000Z", database: "app" },
    statistics: { available: true, track: "top", stats_reset: null, dealloc: 0, statements: workload, unresolved: 0 },
    statements: [],
    usage,
    usage_complete: true,
    // Most-called first, as the collection orders them.
    workload: Array.from({ length: workload }, (_, i) => ({
      id: String(1_000_000 + i),
      text: `SELECT "id", "email" FROM "invoices" WHERE "id" = $1 AND "total" > $2 /* ${"x".repeat(i % 50)} */`,
      calls: workload - i,
      role: "app",
    })),
    workload_complete: true,
    expand: [],
    tables: [],
    sessions: [],
    duration_ms: 1,
  };
}

describe("fitting an inspection's workload into the body limit", () => {
  it("leaves a summary that fits as it is", () => {
    const s = summary(20);
    expect(fit(structuredClone(s), size(s))).toEqual(s);
  });

  it("keeps the most-called statements that fit, says the workload is incomplete, and keeps the usage map", () => {
    const whole = summary(3000);
    const budget = 64 * 1024;
    expect(size(whole)).toBeGreaterThan(budget);
    const cut = fit(structuredClone(whole), budget);
    expect(size(cut)).toBeLessThanOrEqual(budget);
    expect(cut.workload_complete).toBe(false);
    expect(cut.usage_complete).toBe(true);
    expect(cut.usage).toEqual(whole.usage);
    expect(cut.workload!.length).toBeGreaterThan(0);
    expect(cut.workload).toEqual(whole.workload!.slice(0, cut.workload!.length));
    // As many as fit: one more would not.
    const more = { ...cut, workload: whole.workload!.slice(0, cut.workload!.length + 1) };
    expect(size(more)).toBeGreaterThan(budget);
    expect(inspectionSchema.safeParse(cut).success).toBe(true);
  });

  it("cuts the workload to nothing before it touches the usage map", () => {
    const usage = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`t${i}`, "=1/1,a=1,b=2,c=3"]));
    const whole = summary(500, usage);
    const withoutWorkload = size({ ...whole, workload: [], workload_complete: false });
    const cut = fit(structuredClone(whole), withoutWorkload + 10);
    expect(cut.workload).toEqual([]);
    expect(cut.usage).toEqual(usage);
    // Tighter still: the usage map goes too, and the summary says so.
    const tighter = fit(structuredClone(whole), withoutWorkload - 100);
    expect(tighter).toMatchObject({ workload: [], workload_complete: false, usage: {}, usage_complete: false });
    expect(size(tighter)).toBeLessThanOrEqual(withoutWorkload - 100);
  });

  it("keeps an older CLI's summary without a workload valid", () => {
    const { workload: _w, workload_complete: _c, ...old } = summary(0);
    expect(inspectionSchema.safeParse(old).success).toBe(true);
    expect(fit(structuredClone(old), size(old))).toEqual(old);
  });
});
