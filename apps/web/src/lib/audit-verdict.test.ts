import { describe, expect, it } from "vitest";
import { auditVerdictText } from "./audit-verdict";

describe("audit verdict text", () => {
  it("says intact, broken or downgraded, with the entry and the reason", () => {
    expect(
      auditVerdictText({
        intact: true,
        state: "intact",
        entries: 3,
        legacy: 1,
        head: "ab".repeat(32),
        keyedFrom: null,
      }),
    ).toBe(
      "Intact: all 3 entries verify against the keyed hash chain (head abababababababab…). The first 1 predate keyed hashing and only prove what the database says.",
    );
    expect(
      auditVerdictText({ intact: false, state: "downgraded", entries: 1, brokenAt: 7, reason: "it is unkeyed" }),
    ).toBe("Downgraded at entry 7: it is unkeyed.");
    expect(auditVerdictText({ intact: false, state: "broken", entries: 0, brokenAt: null, reason: "no record" })).toBe(
      "Broken: no record.",
    );
  });
});
