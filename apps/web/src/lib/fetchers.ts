import { queryOptions } from "@tanstack/react-query";
import type { DashboardGate } from "@rollgate/core/contract/responses";

// Client fetchers: query factories, one per domain, shared by every live component. The
// gate's shape is the wire contract's (`@rollgate/core/contract/responses`), as a type only.

export type { CheckDetailsJson } from "@rollgate/core/contract/responses";
export type GateJson = DashboardGate;

export type RolloutKeys = { service: string; environment: string; release: string };

export interface GateSummaryJson {
  allowed: boolean;
  /** Checks still open (not passing, not overridden). */
  open: number;
  window_ends_at: string | null;
}

export type AttentionJson = RolloutKeys &
  (
    | { kind: "approval"; have: number; need: number }
    | { kind: "window"; ends_at: string }
    | { kind: "failed"; state: string }
    | { kind: "refused"; count: number; last_at: string; last_message: string | null }
    | { kind: "override"; actor: string; checks: string[]; justification: string }
  );

export interface OverviewJson {
  now: string;
  signed_in: boolean;
  attention: AttentionJson[];
  services: Array<{
    slug: string;
    name: string;
    environments: Array<{
      name: string;
      /** The environment's production-like flag (production's defaults, a second person for overrides). */
      production_like: boolean;
      rollout: {
        release: string;
        title: string;
        state: string;
        current_version: string | null;
        flag_percent: number;
      } | null;
      gate: GateSummaryJson | null;
    }>;
  }>;
}

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
  verdict: (keys: RolloutKeys) =>
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
