import type { RolloutState } from "../types.ts";
import { contractStarted } from "./refusals.ts";

// Before every batch the backfill asks: may the next batch run? The operator's control first
// (cancel stops, pause waits), then the rollout (a contract that started stops it; a firing
// no-go or a failing SLO waits), then the replica lag. Rollgate that cannot be reached holds
// the backfill: neither the operator's Pause nor a firing no-go could be seen.

export type PauseCause = "replica_lag" | "no_go" | "slo" | "operator" | "rollgate_unreachable";

export type Control = "run" | "pause" | "cancel";

export interface GateReading {
  state: RolloutState;
  checks: Array<{ id: string; status: string; message: string }>;
}

export interface ThrottleInputs {
  /** The dashboard's control; null when Rollgate could not be asked. */
  control: Control | null;
  /** The rollout's gate as last read; null when Rollgate could not be asked. */
  gate: GateReading | null;
  /** Why Rollgate could not be asked, if it could not. */
  unreachable: string | null;
  /** The largest replica lag now, null without a readable standby. */
  lagMs: number | null;
  maxLagMs: number;
}

export type ThrottleDecision =
  | { kind: "run" }
  | { kind: "pause"; cause: PauseCause; reason: string }
  | { kind: "stop"; cancelled: boolean; reason: string };

export function decideThrottle(input: ThrottleInputs): ThrottleDecision {
  if (input.control === "cancel") return { kind: "stop", cancelled: true, reason: "cancelled from the dashboard" };
  if (input.gate && contractStarted(input.gate.state))
    return {
      kind: "stop",
      cancelled: false,
      reason: `the rollout is ${input.gate.state.replace("_", " ")}: its contract has started`,
    };
  if (input.control === "pause") return { kind: "pause", cause: "operator", reason: "paused from the dashboard" };
  // No control read is the same as no answer: never run on a control nobody read.
  if (input.unreachable || input.control === null)
    return {
      kind: "pause",
      cause: "rollgate_unreachable",
      reason: `Rollgate cannot be reached (${input.unreachable ?? "no answer about the dashboard's control"}); waiting, since a Pause or a firing no-go could not be seen`,
    };
  const failing = (id: string) => input.gate?.checks.find((c) => c.id === id && c.status === "fail");
  const noGo = failing("no_go");
  if (noGo) return { kind: "pause", cause: "no_go", reason: `a no-go is firing: ${noGo.message}` };
  const slo = failing("slo");
  if (slo) return { kind: "pause", cause: "slo", reason: `the SLO check fails: ${slo.message}` };
  if (input.lagMs !== null && input.lagMs > input.maxLagMs)
    return {
      kind: "pause",
      cause: "replica_lag",
      reason: `replica lag ${formatMs(input.lagMs)} is over --max-lag ${formatMs(input.maxLagMs)}`,
    };
  return { kind: "run" };
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Whether a pause is news: said (a line, a `backfill.paused` event) once when it starts or its
 * cause changes, not at every poll while it lasts.
 */
export function pauseIsNew(previous: PauseCause | null, decision: ThrottleDecision): boolean {
  return decision.kind === "pause" && decision.cause !== previous;
}
