import { rolloutNotFoundMessage } from "@rollgate/core/contract/rollout-key";
import { leaseRequestReplay } from "@rollgate/core/contract/lease-request";
import { awaitsRecovery, decideLease } from "@rollgate/core/lifecycle";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import { activeLease, expireLeases, grantLease } from "@rollgate/db/queries/leases";
import { liveRecovery } from "@rollgate/db/queries/overrides";
import { claimRequestId, LEASE_REQUEST, settleDelivery } from "@rollgate/db/queries/deliveries";
import { findRollout, projectionOf, type RolloutKeys } from "@rollgate/db/queries/rollouts";
import type { ApiToken } from "../access/api-token";
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

const noSuchRollout = (keys: RolloutKeys) => new AppError("not_found", rolloutNotFoundMessage(keys));

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
    const rollout = projectionOf(locked.rollout);
    const grant = decideLease({
      rollout,
      policy: gate.policy,
      productionLike: locked.environmentProductionLike,
      at: now,
      verdict: gate.verdict,
      leaseHolder: gate.facts.activeLease?.holder ?? null,
      recovery: awaitsRecovery(rollout.state) ? await liveRecovery(tx, locked.rollout.id, now) : null,
    });
    if (!grant.grant)
      throw new AppError(
        "conflict",
        grant.message,
        grant.reason === "gate_closed"
          ? gateJson(keys, gate)
          : grant.reason === "no_contract"
            ? undefined
            : { reason: grant.reason },
      );
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
