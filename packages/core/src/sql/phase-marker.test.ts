import { describe, expect, it } from "vitest";
import { declaredPhase } from "./phase-marker.ts";

describe("declaredPhase", () => {
  it("reads the marker among the comments that head the file", () => {
    expect(declaredPhase("-- rollgate: contract\nDROP TABLE sessions;")).toBe("contract");
    expect(declaredPhase("\n-- Why these tables go.\n--   rollgate:   Contract  \r\nDROP TABLE sessions;")).toBe(
      "contract",
    );
    expect(declaredPhase("-- rollgate: expand\nCREATE TABLE t (id int);")).toBe("expand");
  });

  it("declares nothing without a marker, or with one after the first statement", () => {
    expect(declaredPhase("DROP TABLE sessions;")).toBeNull();
    expect(declaredPhase("DROP TABLE sessions;\n-- rollgate: contract\n")).toBeNull();
    expect(declaredPhase("/* rollgate: contract */ DROP TABLE sessions;")).toBeNull();
    expect(declaredPhase("-- rollgate: contracts\nDROP TABLE sessions;")).toBeNull();
  });
});
