import { queryOptions } from "@tanstack/react-query";
import type { DashboardBackfills } from "@rollgate/core/contract/backfill";
import type { DashboardGate } from "@rollgate/core/contract/responses";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import type { OverviewJson } from "./dashboard-json";

// Client fetchers: query factories, one per domain, shared by every live component. The
// gate's shape is the wire contract's (`@rollgate/core/contract/responses`), as a type only.

export type { CheckDetailsJson } from "@rollgate/core/contract/responses";
export type GateJson = DashboardGate;

async function getJson<T>(url: string, what: string): Promise<T> {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`${what} could not be read (HTTP ${response.status})`);
  return response.json();
}

export const overviewQueries = {
  all: () =>
    queryOptions({
      queryKey: ["overview"],
      queryFn: () => getJson<OverviewJson>("/api/dashboard/overview", "the overview"),
      refetchInterval: 30_000,
    }),
};

export const gateQueries = {
  verdict: (keys: RolloutKey) =>
    queryOptions({
      queryKey: ["gate", keys.service, keys.environment, keys.release],
      queryFn: () =>
        getJson<GateJson>(
          `/api/dashboard/gate/${encodeURIComponent(keys.service)}/${encodeURIComponent(keys.environment)}/${encodeURIComponent(keys.release)}`,
          "the gate",
        ),
      refetchInterval: 15_000,
    }),
};

export type BackfillsJson = DashboardBackfills;

/** The rollout's backfills: a running one moves every few seconds, so the panel asks often. */
export const backfillQueries = {
  list: (keys: RolloutKey) =>
    queryOptions({
      queryKey: ["backfills", keys.service, keys.environment, keys.release],
      queryFn: () =>
        getJson<BackfillsJson>(
          `/api/dashboard/backfills/${encodeURIComponent(keys.service)}/${encodeURIComponent(keys.environment)}/${encodeURIComponent(keys.release)}`,
          "the backfills",
        ),
      refetchInterval: 5_000,
    }),
};
