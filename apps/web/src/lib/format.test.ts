import { describe, expect, it } from "vitest";
import { utc } from "./format";

describe("utc", () => {
  it("prints a wire time, a Date and a time with an offset alike, in UTC", () => {
    expect(utc("2026-11-27T04:19:32.858Z", true)).toBe("2026-11-27 04:19:32");
    expect(utc("2026-11-27T04:19:32.858Z")).toBe("2026-11-27 04:19");
    expect(utc(new Date("2026-11-27T04:19:32.858Z"), true)).toBe("2026-11-27 04:19:32");
    expect(utc("2026-11-26T23:19:32.858-05:00", true)).toBe("2026-11-27 04:19:32");
    expect(utc("2026-11-27T04:19:32Z", true)).toBe("2026-11-27 04:19:32");
  });
});
