import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROLLOUT_STATES } from "../types.ts";
import { shownState } from "./shown-state.ts";

describe("the state a rollout is shown in", () => {
  it("is contract_ready exactly when a verifying rollout's gate is open, and the stored state otherwise", () => {
    const stored = ROLLOUT_STATES.filter((s) => s !== "contract_ready");
    fc.assert(
      fc.property(fc.constantFrom(...stored), fc.boolean(), (state, allowed) => {
        const shown = shownState(state, allowed);
        expect(shown === "contract_ready").toBe(state === "verifying" && allowed);
        if (shown !== "contract_ready") expect(shown).toBe(state);
      }),
    );
  });
});
