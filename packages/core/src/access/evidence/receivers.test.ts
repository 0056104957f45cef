import { describe, expect, it } from "vitest";
import { alertResolveDecision, alertStart } from "../../integrations/alertmanager.ts";
import type { RECEIVERS_ROWS } from "./receivers.ts";

const TODAY = "2026-12-07T03:00:00Z";
const YESTERDAY = "2026-12-06T03:00:00Z";

const WALKS: Record<keyof typeof RECEIVERS_ROWS, () => void> = {
  resolveOtherStart: () => {
    const incident = { alertStartsAt: alertStart(TODAY), openerScope: null };
    expect(alertResolveDecision(incident, { startsAt: YESTERDAY, receiverScope: null }).close).toBe(false);
  },
  stagingResolvesEverywhere: () => {
    const incident = { alertStartsAt: alertStart(TODAY), openerScope: null };
    expect(alertResolveDecision(incident, { startsAt: TODAY, receiverScope: "env-staging" })).toMatchObject({
      close: false,
      reason: "narrower_receiver",
    });
  },
};

describe("evidence: alert receivers", () => {
  for (const id of Object.keys(WALKS) as Array<keyof typeof WALKS>) it(id, WALKS[id]);
});
