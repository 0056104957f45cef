import "server-only";
import { overrideNeedsConfirmation } from "@rollgate/core/access/decide";
import { leaseRequestReplay } from "@rollgate/core/contract/lease-request";
import { openChecks } from "@rollgate/core/gate";
import { contractStartRefusal, overriddenChecks } from "@rollgate/core/lifecycle";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import { activeLease, expireLeases, grantLease } from "@rollgate/db/queries/leases";
import { liveRecovery } from "@rollgate/db/queries/overrides";
import { claimRequestId, LEASE_REQUEST, settleDelivery } from "@rollgate/db/queries/deliveries";
import { findRollout, projectionOf, type RolloutKeys } from "@rollgate/db/queries/rollouts";
import type { ApiToken } from "../api/with-api-token";
import { AppError } from "../errors";
import { notifyRollout } from "../notifications/notify-rollout";
import { evaluateRolloutGate, gateJson } from "./evaluate-rollout-gate";

/**
 * Grants the single lease for one script. The rollout row is locked for the whole decision,
 * so of many concurrent callers exactly one sees "no active lease" and wins; the partial
 * unique index on leases is the backstop. A gate lease needs the gate to pass and is bound to
 * the contract script that was approved; after a failed migration, a confirmed recovery
 * authorisation grants a lease for its named fix script instead.
 */
export async function takeLease(options: {
  db: Db;
  token: ApiToken;
  keys: RolloutKeys;
  now: Date;
  holder: string;
  /** The request's webhook-id: used once per token, so a replayed request takes nothing. */
  requestId: string;
}) {
  const { token } = options;
  // An unknown rollout is a 404 that changes nothing: there is nothing a replay could take.
  if (!(await findRollout(options.db, options.keys))) throw noSuchRollout(options.keys);
  // Claimed in its own statement, committed whatever follows: a refused request cannot be replayed later either.
  const claim = await claimRequestId(options.db, token.id, options.requestId, LEASE_REQUEST);
  const replayed = leaseRequestReplay(claim !== null, options.requestId);
  if (replayed) throw new AppError("conflict", replayed.message, { reason: replayed.code });
  try {
    const lease = await grant(options);
    // Only a record of the outcome: the lease is granted and committed, and its answer must not be lost to it.
    await settleDelivery(options.db, claim!, { status: "accepted", httpStatus: 201 }).catch(() => undefined);
    return lease;
  } catch (error) {
    if (error instanceof AppError)
      await settleDelivery(options.db, claim!, {
        status: "rejected",
        httpStatus: error.status,
        error: { code: error.code, message: error.message },
      });
    throw error;
  }
}

const noSuchRollout = (keys: RolloutKeys) =>
  new AppError("not_found", `No release ${keys.release} of ${keys.service} in ${keys.environment}.`);

async function grant(options: { db: Db; token: ApiToken; keys: RolloutKeys; now: Date; holder: string }) {
  const { token, keys, now } = options;
  return options.db.transaction(async (tx) => {
    const locked = await findRollout(tx, keys, { forUpdate: true });
    if (!locked) throw noSuchRollout(keys);
    await expireLeases(tx, locked.rollout.id, now);
    // A live lease refuses every kind of grant (the partial unique index would too): say so
    // before evaluating the gate, so a crowd of pipelines woken by one opening is answered at
    // the cost of one indexed read each while the row lock passes from one to the next.
    const held = await activeLease(tx, locked.rollout.id, now);
    if (held)
      throw new AppError(
        "conflict",
        `${held.holder} already holds the lease for this rollout, until ${held.expiresAt.toISOString()}.`,
        { reason: "lease_held", holder: held.holder, expires_at: held.expiresAt.toISOString() },
      );
    const gate = await evaluateRolloutGate(tx, locked, now);
    const failed = locked.rollout.state === "contract_failed" || locked.rollout.state === "expand_failed";
    const recovery = failed ? await liveRecovery(tx, locked.rollout.id, now) : null;
    let grant: { kind: "gate" | "recovery"; checksum: string; detail: Record<string, unknown> };
    if (recovery && recovery.fixChecksum) {
      if (overrideNeedsConfirmation(gate.policy, locked.environmentProductionLike) && !recovery.confirmedAt)
        throw new AppError(
          "conflict",
          "The recovery run is waiting for a second person to confirm it on the rollout page.",
          { reason: "recovery_unconfirmed" },
        );
      if (gate.facts.activeLease)
        throw new AppError("conflict", `${gate.facts.activeLease.holder} already holds the lease for this rollout.`, {
          reason: "lease_held",
        });
      grant = {
        kind: "recovery",
        checksum: recovery.fixChecksum,
        detail: { recoveryId: recovery.id, fix: recovery.fixName },
      };
    } else {
      if (!gate.verdict.allowed) {
        const failing = openChecks(gate.verdict.checks);
        throw new AppError(
          "conflict",
          `The gate is closed: ${failing.map((c) => c.message).join(" ")}`,
          gateJson(keys, gate),
        );
      }
      // The rule migration.started applies, with the same overrides: a lease is never granted for a contract it would refuse.
      const refusal = contractStartRefusal(
        projectionOf(locked.rollout),
        gate.policy,
        now,
        overriddenChecks(gate.verdict.checks),
      );
      if (refusal) throw new AppError("conflict", refusal.message, { reason: refusal.code });
      const checksum = locked.rollout.contractChecksum;
      if (!checksum) throw new AppError("conflict", "There is no contract script to run.");
      grant = {
        kind: "gate",
        checksum,
        detail: {
          checks: gate.verdict.checks.map((c) => ({
            id: c.id,
            status: c.status,
            overridden: c.overridden ?? false,
            blocking: c.blocking ?? true,
            message: c.message,
          })),
        },
      };
    }
    const lease = await grantLease(tx, {
      rolloutId: locked.rollout.id,
      tokenId: token.id,
      holder: options.holder,
      now,
      ttlSeconds: gate.policy.leaseTtlSeconds,
      kind: grant.kind,
      checksum: grant.checksum,
    }).catch((error: unknown) => {
      // The partial unique index is the backstop: a second lease is a conflict, never a 500.
      if (
        (error as { code?: string; cause?: { code?: string } }).code === "23505" ||
        (error as { cause?: { code?: string } }).cause?.code === "23505"
      )
        throw new AppError("conflict", "Another job holds the contract lease.", { reason: "lease_held" });
      throw error;
    });
    await appendAudit(tx, {
      at: now,
      actorType: "token",
      actorId: token.id,
      action: grant.kind === "gate" ? "lease.granted" : "lease.granted_for_recovery",
      subjectType: "rollout",
      subjectId: locked.rollout.id,
      rolloutId: locked.rollout.id,
      data: {
        leaseId: lease.id,
        holder: options.holder,
        expiresAt: lease.expiresAt,
        checksum: grant.checksum,
        ...grant.detail,
        ...(grant.kind === "recovery" ? { severity: "critical" } : {}),
      },
    });
    await notifyRollout(tx, {
      row: locked,
      keys,
      type: "lease.taken",
      key: lease.id,
      now,
      summary: `${options.holder} took the ${grant.kind === "gate" ? "contract" : "recovery"} lease until ${lease.expiresAt.toISOString()}.`,
    });
    return { ...lease, checksum: grant.checksum, kind: grant.kind };
  });
}
