// The dashboard API's answers (`/api/dashboard/*`): written by the server, read by the client fetchers.

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
