import type { EvidenceRows } from "./rows.ts";

// Alert receivers (Alertmanager): what a receiver's token may close. Walked by receivers.test.ts
// through core's alertResolveDecision.
export const RECEIVERS_ROWS = {
  resolveOtherStart: {
    who: "anyone holding an Alertmanager receiver's token, or a late delivery",
    attempt: "a resolve of the open alert's fingerprint whose `startsAt` is another firing's (yesterday's)",
    answer: "ignored (counted as `ignored`); the firing alert's incident stays open and keeps blocking contract",
  },
  stagingResolvesEverywhere: {
    who: "a receiver scoped to staging",
    attempt: "a resolve of an incident the all-environments receiver opened",
    answer:
      "ignored; only the opening receiver's scope or a wider one (every environment) closes it, so the incident stays open",
  },
} satisfies EvidenceRows;
