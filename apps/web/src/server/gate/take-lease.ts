import "server-only";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import { expireLeases, grantLease } from "@rollgate/db/queries/leases";
import { findRollout, type RolloutKeys } from "@rollgate/db/queries/rollouts";
import type { ApiToken } from "../api/with-api-token";
import { AppError } from "../errors";
import { evaluateRolloutGate, gateJson } from "./evaluate-rollout-gate";

/**
 * Grants the single contract lease while the gate passes. The rollout row is locked for the
 * whole decision, so of many concurrent callers exactly one sees "no active lease" and wins;
 * the partial unique index on leases is the backstop.
 */
export async function takeLease(options: { db: Db; token: ApiToken; keys: RolloutKeys; now: Date; holder: string }) {
  const { token, keys, now } = options;
  return options.db.transaction(async (tx) => {
    const locked = await findRollout(tx, keys, { forUpdate: true });
    if (!locked) throw new AppError("not_found", `No release ${keys.release} of ${keys.service} in ${keys.environment}.`);
    await expireLeases(tx, locked.rollout.id, now);
    const gate = await evaluateRolloutGate(tx, keys, now);
    if (!gate.verdict.allowed) {
      const failing = gate.verdict.checks.filter((c) => c.status !== "pass" && !c.overridden);
      throw new AppError("conflict", `The gate is closed: ${failing.map((c) => c.message).join(" ")}`, gateJson(keys, gate));
    }
    const lease = await grantLease(tx, { rolloutId: gate.row.rollout.id, tokenId: token.id, holder: options.holder, now, ttlSeconds: gate.policy.leaseTtlSeconds });
    await appendAudit(tx, { at: now, actorType: "token", actorId: token.id, action: "lease.granted", subjectType: "rollout", subjectId: gate.row.rollout.id, rolloutId: gate.row.rollout.id, data: { leaseId: lease.id, holder: options.holder, expiresAt: lease.expiresAt, checks: gate.verdict.checks.map((c) => ({ id: c.id, status: c.status, overridden: c.overridden ?? false, message: c.message })) } });
    return lease;
  });
}
