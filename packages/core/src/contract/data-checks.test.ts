import { describe, expect, it } from "vitest";
import { dataCheckListSchema, dataCheckResultSchema, planDataChecks, refusedDataChecks } from "./data-checks.ts";
import { eventBodySchema } from "./events.ts";

const envelope = { service: "billing", environment: "staging", release: "r1", occurred_at: "2026-11-02T09:00:00Z" };
const release = (data_checks: unknown) => ({
  type: "release.created",
  ...envelope,
  data: { title: "t", author: "a@example.com", app_version: "2.0.0", data_checks },
});

describe("data check declarations", () => {
  it("travel with release.created, bounded in number, name and size", () => {
    const ok = [{ name: "billing-email-copied", sql: "SELECT id FROM invoices WHERE billing_email IS NULL" }];
    expect(eventBodySchema.safeParse(release(ok)).success).toBe(true);
    const bad = [
      Array.from({ length: 51 }, (_, i) => ({ name: `c${i}`, sql: "SELECT 1" })),
      [{ name: "Has Spaces", sql: "SELECT 1" }],
      [{ name: "x".repeat(101), sql: "SELECT 1" }],
      [{ name: "a", sql: "S".repeat(20_001) }],
      [{ name: "a", sql: "" }],
      [{ name: "a", sql: "SELECT 1", extra: true }],
      [
        { name: "same", sql: "SELECT 1" },
        { name: "same", sql: "SELECT 2" },
      ],
    ];
    for (const checks of bad) expect(eventBodySchema.safeParse(release(checks)).success).toBe(false);
    expect(dataCheckListSchema.safeParse(bad.at(-1)).error?.issues[0]?.message).toBe("two checks share a name");
  });

  it("refuses each check that is not one read-only SELECT, naming it and saying why", async () => {
    const refused = await refusedDataChecks([
      { path: "data.data_checks.0.sql", name: "fine", sql: "SELECT id FROM invoices WHERE billing_email IS NULL" },
      { path: "data.data_checks.1.sql", name: "writes", sql: "UPDATE invoices SET billing_email = email" },
      { path: "data.data_checks.2.sql", name: "two", sql: "SELECT 1; SELECT 2" },
      { path: "data.data_checks.3.sql", name: "locks", sql: "SELECT id FROM invoices FOR UPDATE" },
      {
        path: "data.data_checks.4.sql",
        name: "cte",
        sql: "WITH d AS (DELETE FROM invoices RETURNING id) SELECT id FROM d",
      },
    ]);
    expect(refused.map((r) => [r.path, r.name])).toEqual([
      ["data.data_checks.1.sql", "writes"],
      ["data.data_checks.2.sql", "two"],
      ["data.data_checks.3.sql", "locks"],
      ["data.data_checks.4.sql", "cte"],
    ]);
    expect(refused[0]!.message).toBe(
      'Data check "writes" is refused: it is not a SELECT but a UPDATE statement; a check only reads.',
    );
    expect(refused[1]!.message).toMatch(/holds 2 statements/);
    expect(refused[2]!.message).toMatch(/FOR UPDATE\/SHARE/);
    expect(refused[3]!.message).toMatch(/data-modifying DELETE/);
  });

  it("results carry at most five sample keys of at most 200 characters", () => {
    const result = { name: "a", checksum: "b".repeat(64), rows: 9, sample_keys: ["1"], duration_ms: 1 };
    expect(dataCheckResultSchema.safeParse(result).success).toBe(true);
    expect(dataCheckResultSchema.safeParse({ ...result, sample_keys: ["1", "2", "3", "4", "5", "6"] }).success).toBe(
      false,
    );
    expect(dataCheckResultSchema.safeParse({ ...result, sample_keys: ["k".repeat(201)] }).success).toBe(false);
    expect(dataCheckResultSchema.safeParse({ ...result, rows: -1 }).success).toBe(false);
  });

  it("a withheld result names a known reason and carries no sample keys", () => {
    const result = { name: "a", checksum: "b".repeat(64), rows: 9, sample_keys: [], duration_ms: 1 };
    for (const reason of ["not_a_table_column", "not_a_key_column", "origin_unknown"])
      expect(dataCheckResultSchema.safeParse({ ...result, samples_withheld: reason }).success).toBe(true);
    expect(dataCheckResultSchema.safeParse({ ...result, samples_withheld: "because" }).success).toBe(false);
    expect(
      dataCheckResultSchema.safeParse({
        ...result,
        sample_keys: ["x@example.com"],
        samples_withheld: "not_a_key_column",
      }).success,
    ).toBe(false);
  });
});

describe("planDataChecks", () => {
  const held = [
    { name: "a", checksum: "1".repeat(64), source: "release" as const },
    { name: "b", checksum: "2".repeat(64), source: "backfill" as const },
  ];
  const open = { replace: false, contractStarted: false };
  it("adds new checks and re-pins a changed text, leaving an unchanged one alone", () => {
    const plan = planDataChecks(
      held,
      [
        { name: "a", sql: "SELECT 1", checksum: "1".repeat(64) },
        { name: "c", sql: "SELECT 3", checksum: "3".repeat(64) },
      ],
      "release",
      open,
    );
    expect(plan).toEqual({ ok: true, upsert: [{ name: "c", sql: "SELECT 3", checksum: "3".repeat(64) }], remove: [] });
    const changed = planDataChecks(held, [{ name: "a", sql: "SELECT 9", checksum: "9".repeat(64) }], "release", open);
    expect(changed).toMatchObject({ ok: true, upsert: [{ name: "a", checksum: "9".repeat(64) }] });
  });
  it("replaces the release's set only when asked, never another source's checks", () => {
    expect(planDataChecks(held, [], "release", { ...open, replace: true })).toEqual({
      ok: true,
      upsert: [],
      remove: ["a"],
    });
    expect(planDataChecks(held, [], "inspect", { ...open, replace: true })).toEqual({
      ok: true,
      upsert: [],
      remove: [],
    });
  });
  it("refuses to redefine another source's check", () => {
    const plan = planDataChecks(held, [{ name: "b", sql: "SELECT 1", checksum: "0".repeat(64) }], "inspect", open);
    expect(plan).toMatchObject({ ok: false, code: "data_check_conflict", name: "b" });
  });
  it("changes nothing once the contract has started, but accepts the same declaration again", () => {
    const locked = { replace: true, contractStarted: true };
    expect(planDataChecks(held, [{ name: "a", sql: "SELECT 1", checksum: "1".repeat(64) }], "release", locked)).toEqual(
      {
        ok: true,
        upsert: [],
        remove: [],
      },
    );
    expect(planDataChecks(held, [], "release", locked)).toMatchObject({ ok: false, code: "script_locked", name: "a" });
    expect(
      planDataChecks(held, [{ name: "z", sql: "SELECT 1", checksum: "4".repeat(64) }], "inspect", locked),
    ).toMatchObject({ ok: false, code: "script_locked", name: "z" });
  });
});

describe("the timeline's digest of an inspection with data checks", () => {
  it("counts the checks run and those failing, and carries no SQL", async () => {
    const { mapEvent } = await import("../lifecycle/map-event.ts");
    const { SAMPLE_DATA } = await import("../../test/samples.ts");
    const inspection = {
      ...SAMPLE_DATA["database.inspected"],
      data_checks: [
        { name: "a", checksum: "a".repeat(64), rows: 2, sample_keys: ["7", "9"], duration_ms: 3 },
        { name: "b", checksum: "b".repeat(64), rows: 0, sample_keys: [], duration_ms: 3, error: "timeout" },
        { name: "c", checksum: "c".repeat(64), rows: 0, sample_keys: [], duration_ms: 3 },
      ],
      declared_checks: [{ name: "c", sql: "SELECT id FROM secret_table" }],
    };
    const body = eventBodySchema.parse({
      type: "database.inspected",
      ...envelope,
      data: inspection,
    });
    const mapped = mapEvent(body, new Date("2026-11-02T09:00:00Z"));
    expect(mapped).toMatchObject({ data: { data_checks: 3, data_checks_failing: 2 } });
    expect(mapped.scope === "rollout" && JSON.stringify(mapped.data)).not.toContain("secret_table");
    expect(mapped.scope).toBe("rollout");
  });
});
