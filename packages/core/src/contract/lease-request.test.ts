import { describe, expect, it } from "vitest";
import { leaseRequestProblems, leaseRequestReplay } from "./lease-request.ts";

const path = { service: "billing", environment: "production", release: "r7" };

describe("lease requests", () => {
  it("finding 9: a webhook-id its token used before is refused, whatever became of the first request", () => {
    expect(leaseRequestReplay(true, "msg_1")).toBeNull();
    expect(leaseRequestReplay(false, "msg_1")).toMatchObject({ code: "replayed" });
  });

  it("finding 9: a signed body naming another rollout than the path is refused, field by field", () => {
    expect(leaseRequestProblems(JSON.stringify(path), path)).toEqual([]);
    expect(leaseRequestProblems("{}", path)).toEqual([]);
    expect(leaseRequestProblems("", path)).toEqual([]);
    expect(leaseRequestProblems(JSON.stringify({ ...path, release: "r8" }), path)).toEqual([
      { path: "release", message: expect.stringContaining("r8") },
    ]);
    expect(leaseRequestProblems(JSON.stringify({ ...path, environment: "staging" }), path)).toMatchObject([
      { path: "environment" },
    ]);
    expect(leaseRequestProblems("not json", path)).toHaveLength(1);
    expect(leaseRequestProblems(JSON.stringify({ ...path, extra: 1 }), path)).toHaveLength(1);
    expect(leaseRequestProblems(JSON.stringify({ type: "slo.snapshot" }), path)).toHaveLength(1);
  });
});
