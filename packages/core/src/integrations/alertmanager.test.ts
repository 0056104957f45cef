import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertResolveDecision, alertStart, refreshedAlertStart, scopeCovers } from "./alertmanager.ts";

const TODAY = "2026-12-07T03:00:00.123456789Z";
const YESTERDAY = "2026-12-06T03:00:00Z";
const STAGING = "env-staging";
const PRODUCTION = "env-production";

describe("Alertmanager resolves", () => {
  it("finding 7: a resolve with another start time does not close the firing alert; the same start does", () => {
    const incident = { alertStartsAt: alertStart(TODAY), openerScope: null };
    expect(alertResolveDecision(incident, { startsAt: YESTERDAY, receiverScope: null })).toMatchObject({
      close: false,
      reason: "another_start",
    });
    expect(alertResolveDecision(incident, { startsAt: undefined, receiverScope: null })).toMatchObject({
      close: false,
      reason: "another_start",
    });
    expect(alertResolveDecision(incident, { startsAt: TODAY, receiverScope: null })).toEqual({ close: true });
  });

  it("finding 7: a receiver scoped to staging does not close what the all-environments receiver opened", () => {
    const incident = { alertStartsAt: alertStart(TODAY), openerScope: null };
    expect(alertResolveDecision(incident, { startsAt: TODAY, receiverScope: STAGING })).toMatchObject({
      close: false,
      reason: "narrower_receiver",
    });
  });

  it("an incident opened before starts were kept closes by fingerprint; one whose opener is gone only by an all-environments receiver", () => {
    expect(
      alertResolveDecision(
        { alertStartsAt: null, openerScope: STAGING },
        { startsAt: YESTERDAY, receiverScope: STAGING },
      ),
    ).toEqual({
      close: true,
    });
    expect(scopeCovers(STAGING, undefined)).toBe(false);
    expect(scopeCovers(null, undefined)).toBe(true);
  });

  it("property: a receiver closes only within its scope, and only the firing with the recorded start", () => {
    const scope = fc.constantFrom<string | null>(null, STAGING, PRODUCTION);
    const start = fc.option(
      fc.integer({ min: 0, max: 5 }).map((d) => new Date(Date.UTC(2026, 11, 1 + d)).toISOString()),
    );
    fc.assert(
      fc.property(scope, fc.option(scope), start, start, (receiverScope, opener, recorded, sent) => {
        const openerScope = opener === null ? undefined : opener;
        const incident = { alertStartsAt: alertStart(recorded ?? undefined), openerScope };
        const decision = alertResolveDecision(incident, { startsAt: sent ?? undefined, receiverScope });
        const covers = receiverScope === null || (openerScope !== undefined && openerScope === receiverScope);
        const sameFiring = recorded === null || recorded === sent;
        expect(decision.close).toBe(covers && sameFiring);
      }),
    );
  });

  it("a repeated firing keeps the latest start; a late delivery of an earlier one, or none, changes nothing", () => {
    const today = alertStart(TODAY)!;
    expect(refreshedAlertStart(alertStart(YESTERDAY), TODAY)).toEqual(today);
    expect(refreshedAlertStart(today, YESTERDAY)).toEqual(today);
    expect(refreshedAlertStart(today, undefined)).toEqual(today);
    expect(refreshedAlertStart(null, TODAY)).toEqual(today);
    expect(alertStart("0001-01-01T00:00:00Z")).toBeNull();
    expect(alertStart("not a time")).toBeNull();
  });
});
