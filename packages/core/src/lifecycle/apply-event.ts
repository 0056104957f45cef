import { admitInspection } from "../inspect/admit.ts";
import type { Policy } from "../policy/index.ts";
import type { RolloutProjection, RolloutState } from "../types.ts";
import { contractStartRefusal } from "./contract-start.ts";
import type { DomainEvent, Rejection, RejectionCode } from "./events.ts";

export type ApplyResult = { ok: true; rollout: RolloutProjection } | { ok: false; rejection: Rejection };

const AFTER_EXPAND: RolloutState[] = ["expanded", "rolling_out", "verifying", "rolled_back"];
const CONTRACT_STARTED: RolloutState[] = ["contracting", "contracted", "contract_failed"];

/**
 * The rollout's next state after `event`, or why the event is refused. A type named here has a
 * transition; any other (an SLO snapshot, a backup, release.created) is an observation, accepted
 * in any state and changing nothing. A flag change is accepted in any state too; anything that
 * would make an app rollback unsafe — a destructive expand, a contract before the window or
 * without a lease — is refused.
 */
export function applyEvent(rollout: RolloutProjection, event: DomainEvent, policy: Policy): ApplyResult {
  const at = event.occurredAt;
  const ok = (patch: Partial<RolloutProjection>): ApplyResult => ({ ok: true, rollout: { ...rollout, ...patch } });
  const no = (code: RejectionCode, message: string): ApplyResult => ({ ok: false, rejection: { code, message } });
  const state = rollout.state;

  switch (event.type) {
    case "database.inspected": {
      const refused = event.server && event.held ? admitInspection(event.server, event.held, at) : null;
      return refused ? { ok: false, rejection: refused } : ok({});
    }

    case "migration.started":
      if (event.phase === "expand") {
        if (state === "expanding")
          return no(
            "expand_running",
            "The expand migration is already running; wait for its result before starting it again.",
          );
        if (state !== "planned" && state !== "expand_failed")
          return no(
            "expand_already_succeeded",
            `The expand migration already succeeded (the rollout is ${label(state)}); a second expand belongs in a new release.`,
          );
        // An expand Rollgate has not read is unknown, never additive: it does not start.
        if (event.destructiveFindings === null)
          return no(
            "expand_unseen",
            `Rollgate has not seen the expand script with SHA-256 ${event.checksum.slice(0, 12)}…, so it cannot check that it is additive; send its text in data.sql (or as expand_sql in release.created).`,
          );
        if ((event.destructiveFindings ?? 0) > 0)
          return no(
            "destructive_expand",
            `The expand script contains ${event.destructiveFindings} destructive statement(s); move them to the contract script, which runs only after the rollback window.`,
          );
        if (event.lease?.held?.kind === "recovery") {
          const refused =
            state === "expand_failed"
              ? leaseRefusal(event)
              : no("lease_required", "A recovery lease is only for a failed expand migration.");
          return refused ?? ok({ state: "expanding", expandChecksum: event.checksum });
        }
        if (rollout.expandChecksum && rollout.expandChecksum !== event.checksum)
          return mismatch("expand", rollout.expandChecksum, event.checksum);
        return ok({ state: "expanding", expandChecksum: event.checksum });
      }
      return startContract(rollout, event, policy);

    case "migration.succeeded":
    case "migration.failed": {
      const running = event.phase === "expand" ? "expanding" : "contracting";
      if (state !== running)
        return no(
          "not_running",
          `No ${event.phase} migration is running (the rollout is ${label(state)}); send migration.started first.`,
        );
      const expected = event.phase === "expand" ? rollout.expandChecksum : rollout.contractChecksum;
      if (expected && expected !== event.checksum) return mismatch(event.phase, expected, event.checksum);
      const succeeded = event.type === "migration.succeeded";
      if (event.phase === "expand") return ok({ state: succeeded ? "expanded" : "expand_failed" });
      return ok({ state: succeeded ? "contracted" : "contract_failed" });
    }

    case "app.deployed": {
      if (CONTRACT_STARTED.includes(state))
        return no(
          "contract_started",
          `The contract migration has started (the rollout is ${label(state)}); deploy new versions under the release that ships them.`,
        );
      if (!AFTER_EXPAND.includes(state))
        return no(
          "expand_not_done",
          `Deploy version ${event.version} only after the expand migration succeeded (the rollout is ${label(state)}).`,
        );
      if (event.version !== rollout.releaseVersion) {
        // Another version replacing this release's one is a rollback in all but name.
        if (state === "rolling_out" || state === "verifying") return ok(rolledBack(event.version, at));
        return ok({ currentVersion: event.version, deployedAt: at });
      }
      const full = rollout.flagPercent >= 100 || !policy.requireFlagFull;
      // A redeploy restarts the window: it never ends earlier than a full window after the last deploy.
      return ok({
        state: full ? "verifying" : "rolling_out",
        currentVersion: event.version,
        deployedAt: at,
        windowStartedAt: full ? at : null,
      });
    }

    case "app.rolled_back":
      if (CONTRACT_STARTED.includes(state))
        return no(
          "contract_started",
          `The contract migration has started (the rollout is ${label(state)}): an app rollback is no longer data-safe. Follow the data-rollback runbook.`,
        );
      if (state !== "rolling_out" && state !== "verifying" && state !== "rolled_back")
        return no(
          "nothing_deployed",
          `Version ${rollout.releaseVersion} is not deployed (the rollout is ${label(state)}), so there is nothing to roll back.`,
        );
      return ok(rolledBack(event.version, at));

    case "flag.changed": {
      const percent = event.percent;
      const flagFullAt = percent >= 100 ? (rollout.flagPercent >= 100 ? rollout.flagFullAt : at) : null;
      const patch: Partial<RolloutProjection> = { flagPercent: percent, flagFullAt };
      if (!policy.requireFlagFull || CONTRACT_STARTED.includes(state)) return ok(patch);
      if (state === "rolling_out" && percent >= 100 && rollout.currentVersion === rollout.releaseVersion)
        return ok({ ...patch, state: "verifying", windowStartedAt: at });
      if (state === "verifying" && percent < 100) return ok({ ...patch, state: "rolling_out", windowStartedAt: null });
      return ok(patch);
    }

    // Every other type is an observation: accepted in any state, changing nothing.
    default:
      return ok({});
  }

  function mismatch(phase: string, expected: string, got: string): ApplyResult {
    return no(
      "checksum_mismatch",
      `The ${phase} script that ran (SHA-256 ${got.slice(0, 12)}…) is not the one registered for this release (${expected.slice(0, 12)}…).`,
    );
  }
}

function startContract(
  rollout: RolloutProjection,
  event: Extract<DomainEvent, { type: "migration.started" }>,
  policy: Policy,
): ApplyResult {
  const no = (code: RejectionCode, message: string): ApplyResult => ({ ok: false, rejection: { code, message } });
  const state = rollout.state;
  if (state === "contracting") return no("contract_started", "The contract migration is already running.");
  if (state === "contracted")
    return no("rollout_finished", "The contract migration already succeeded; this rollout is finished.");
  const refused = leaseRefusal(event);
  if (refused) return refused;
  const lease = event.lease!.held!;
  if (lease.kind === "recovery") {
    if (state !== "contract_failed")
      return no("lease_required", "A recovery lease is only for a failed contract migration.");
    return { ok: true, rollout: { ...rollout, state: "contracting", contractChecksum: event.checksum } };
  }
  // The same rule as the lease's (contract-start.ts): what an override lets the lease take, it lets start.
  const refusal = contractStartRefusal(rollout, policy, event.occurredAt, new Set(event.lease!.gate.overridden ?? []));
  if (refusal) return { ok: false, rejection: refusal };
  if (!rollout.contractChecksum || rollout.contractChecksum !== event.checksum)
    return no(
      "checksum_mismatch",
      `The contract script that ran (SHA-256 ${event.checksum.slice(0, 12)}…) is not the one that was approved (${rollout.contractChecksum?.slice(0, 12) ?? "none registered"}…).`,
    );
  if (!event.lease!.gate.allowed)
    return no("gate_closed", `The gate closed after the lease was granted: ${event.lease!.gate.failing.join(" ")}`);
  return { ok: true, rollout: { ...rollout, state: "contracting", contractChecksum: event.checksum } };
}

/** A contract (or recovery) runs only under a live lease, used by the token that took it, for the script it was granted for. */
function leaseRefusal(event: Extract<DomainEvent, { type: "migration.started" }>): ApplyResult | null {
  const no = (code: RejectionCode, message: string): ApplyResult => ({ ok: false, rejection: { code, message } });
  const lease = event.lease?.held;
  if (!lease)
    return no(
      "lease_required",
      `A ${event.phase} migration here must name a live lease from the gate (POST …/gate/lease) in data.lease_id.`,
    );
  if (lease.tokenId !== null && lease.tokenId !== event.lease!.senderTokenId)
    return no(
      "lease_other_token",
      "This lease was taken by another API token; a lease is used only by the pipeline that took it.",
    );
  if (lease.checksum !== event.checksum)
    return no(
      "lease_script_mismatch",
      `The lease was granted for the script with SHA-256 ${lease.checksum?.slice(0, 12) ?? "(none)"}…, not ${event.checksum.slice(0, 12)}…; the lease is void. Approve the new script and take a new lease.`,
    );
  return null;
}

function rolledBack(version: string, at: Date): Partial<RolloutProjection> {
  return { state: "rolled_back", currentVersion: version, lastRollbackAt: at, windowStartedAt: null };
}

function label(state: RolloutState): string {
  return state.replaceAll("_", " ");
}
