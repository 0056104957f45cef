import { describe, expect, it } from "vitest";
import { activeFreeze, defaultPolicy, parsePolicy } from "./index.ts";

describe("policy", () => {
  it("defaults production to a 72 h window and 2 approvers, staging to 1 h and 1", () => {
    expect(defaultPolicy("production")).toMatchObject({ rollbackWindowSeconds: 72 * 3600, approvals: { required: 2 } });
    expect(defaultPolicy("staging")).toMatchObject({ rollbackWindowSeconds: 3600, approvals: { required: 1 } });
    expect(parsePolicy(defaultPolicy("production")).ok).toBe(true);
  });

  it("refuses an invalid policy with field errors a form can show", () => {
    const bad = {
      ...defaultPolicy("production"),
      rollbackWindowSeconds: 0,
      approvals: { required: -1, expirySeconds: 3600, allowedRoles: ["wizard"] },
    };
    const result = parsePolicy(bad);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => e.path)).toEqual(
        expect.arrayContaining(["rollbackWindowSeconds", "approvals.required", "approvals.allowedRoles.0"]),
      );
  });

  it("refuses an unknown time zone and a range that ends before it starts", () => {
    const result = parsePolicy({
      ...defaultPolicy("staging"),
      freezes: [
        { kind: "weekly", reason: "x", days: [5], start: "16:00", end: "23:00", timeZone: "Mars/Olympus" },
        { kind: "range", reason: "y", from: "2026-12-24T00:00:00Z", until: "2026-12-20T00:00:00Z" },
      ],
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => e.path)).toEqual(
        expect.arrayContaining(["freezes.0.timeZone", "freezes.1.until"]),
      );
  });
});

describe("freeze windows", () => {
  const fridayEvenings = {
    ...defaultPolicy("production"),
    freezes: [
      {
        kind: "weekly" as const,
        reason: "Weekend freeze",
        days: [5],
        start: "16:00",
        end: "09:00",
        timeZone: "Europe/Berlin",
      },
    ],
  };

  it("finds a weekly window in the policy's time zone and runs it past midnight", () => {
    // Friday 2026-11-06 16:30 in Berlin is 15:30 UTC (CET, UTC+1).
    expect(activeFreeze(fridayEvenings, new Date("2026-11-06T15:30:00Z"))).toEqual({
      reason: "Weekend freeze",
      until: new Date("2026-11-07T08:00:00Z"),
    });
    expect(activeFreeze(fridayEvenings, new Date("2026-11-07T07:59:00Z"))?.until).toEqual(
      new Date("2026-11-07T08:00:00Z"),
    );
    expect(activeFreeze(fridayEvenings, new Date("2026-11-07T08:00:00Z"))).toBeNull();
    expect(activeFreeze(fridayEvenings, new Date("2026-11-06T14:59:00Z"))).toBeNull();
  });

  it("keeps local wall-clock times across a daylight-saving change", () => {
    // Europe/Berlin leaves summer time on Sunday 2026-10-25 at 03:00 local.
    const overnightSaturday = {
      ...defaultPolicy("production"),
      freezes: [
        {
          kind: "weekly" as const,
          reason: "Night",
          days: [6],
          start: "22:00",
          end: "06:00",
          timeZone: "Europe/Berlin",
        },
      ],
    };
    // Saturday 22:30 CEST = 20:30 UTC; ends Sunday 06:00 CET = 05:00 UTC (an 8.5 h wait, not 7.5).
    expect(activeFreeze(overnightSaturday, new Date("2026-10-24T20:30:00Z"))?.until).toEqual(
      new Date("2026-10-25T05:00:00Z"),
    );
  });

  it("honours explicit ranges", () => {
    const policy = {
      ...defaultPolicy("production"),
      freezes: [
        { kind: "range" as const, reason: "Black Friday", from: "2026-11-27T00:00:00Z", until: "2026-11-30T00:00:00Z" },
      ],
    };
    expect(activeFreeze(policy, new Date("2026-11-28T12:00:00Z"))?.reason).toBe("Black Friday");
    expect(activeFreeze(policy, new Date("2026-11-30T00:00:00Z"))).toBeNull();
  });
});
