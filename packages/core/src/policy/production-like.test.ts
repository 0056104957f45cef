import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { overrideNeedsConfirmation } from "../access/decide.ts";
import { defaultPolicy, isProductionLike, proposedProductionLike } from "./index.ts";

const STAGING_LIKE = ["staging", "stage", "dev", "qa", "preprod", "pre-prod", "test", "canary", "sandbox", "liver"];
const PRODUCTION_LIKE = [
  "production",
  "prod",
  "Prod",
  "prod-eu",
  "prod_us",
  "production-eu",
  "prd",
  "prd1",
  "live",
  "live-eu",
];

describe("production-like environments", () => {
  it("finding 16: an environment named prod-eu gets production's defaults (two approvals, 72 h, a second person)", () => {
    const prodEu = defaultPolicy("prod-eu");
    expect(prodEu).toMatchObject({
      rollbackWindowSeconds: 72 * 3600,
      approvals: { required: 2 },
      lockingIsError: true,
    });
    expect(prodEu).toEqual(defaultPolicy("production"));
    expect(overrideNeedsConfirmation(defaultPolicy({ productionLike: true }), true)).toBe(true);
  });

  it("finding 16: the defaults and the second person follow the flag, never the name", () => {
    expect(defaultPolicy({ productionLike: true })).toEqual(defaultPolicy("production"));
    expect(defaultPolicy({ productionLike: false })).toEqual(defaultPolicy("staging"));
    // An environment named production whose admin cleared the flag is staging-like, and the reverse.
    expect(overrideNeedsConfirmation(defaultPolicy("staging"), false)).toBe(false);
    expect(overrideNeedsConfirmation(defaultPolicy("staging"), true)).toBe(true);
    // The policy's own setting wins over the flag either way.
    const explicit = (v: boolean) => ({
      ...defaultPolicy("staging"),
      breakGlass: { ...defaultPolicy("staging").breakGlass, requireConfirmation: v },
    });
    expect(overrideNeedsConfirmation(explicit(false), true)).toBe(false);
    expect(overrideNeedsConfirmation(explicit(true), false)).toBe(true);
  });

  it("proposes production, prod*, prd* and live as production-like at creation, and nothing else", () => {
    for (const name of PRODUCTION_LIKE) expect(proposedProductionLike(name), name).toBe(true);
    for (const name of STAGING_LIKE) expect(proposedProductionLike(name), name).toBe(false);
  });

  it("is production-like exactly when the flag says so, whatever the name (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.boolean(), (name, productionLike) => {
        expect(isProductionLike({ productionLike })).toBe(productionLike);
        // A proposal is a function of the name alone: surrounding spaces and case do not change it.
        expect(proposedProductionLike(` ${name.toUpperCase()} `)).toBe(proposedProductionLike(name.toLowerCase()));
      }),
    );
  });
});
