import { describe, expect, it } from "vitest";
import { rolloutPath } from "./rollout-path.ts";

describe("rolloutPath", () => {
  it("writes the rollout page's path from a key", () => {
    expect(rolloutPath({ service: "billing", environment: "staging", release: "2026.11.9" })).toBe(
      "/rollouts/billing/staging/2026.11.9",
    );
  });

  it("percent-encodes each segment, so a key never adds or hides a segment", () => {
    expect(rolloutPath({ service: "a/b", environment: "st aging", release: "r?1#x" })).toBe(
      "/rollouts/a%2Fb/st%20aging/r%3F1%23x",
    );
  });
});
