import { queryOptions } from "@tanstack/react-query";

// Query factories, one per domain, shared by every live component.

export interface GateJson {
  now: string;
  allowed: boolean;
  state: string;
  window_ends_at: string | null;
  approvals: { have: number; need: number };
  checks: Array<{ id: string; title: string; status: "pass" | "fail" | "pending"; message: string; until: string | null; overridden: boolean }>;
}

export type RolloutKeys = { service: string; environment: string; release: string };

export const gateQueries = {
  verdict: (keys: RolloutKeys) =>
    queryOptions({
      queryKey: ["gate", keys.service, keys.environment, keys.release],
      queryFn: async (): Promise<GateJson> => {
        const response = await fetch(`/api/dashboard/gate/${encodeURIComponent(keys.service)}/${encodeURIComponent(keys.environment)}/${encodeURIComponent(keys.release)}`, { cache: "no-store" });
        if (!response.ok) throw new Error(`the gate could not be read (HTTP ${response.status})`);
        return response.json();
      },
      refetchInterval: 15_000,
    }),
};
