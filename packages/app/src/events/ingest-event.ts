import { rolloutNotFoundMessage } from "@rollgate/core/contract/rollout-key";
import { randomUUID } from "node:crypto";
import type { EventBody } from "@rollgate/core/contract/events";
import {
  applyEvent,
  clockSkewSeconds,
  eventEffects,
  implausibleEventTimes,
  leaseVoidedByNewScript,
  mapEvent,
  type Rejection,
  type RolloutEventBody,
} from "@rollgate/core/lifecycle";
import { parsePolicy, type Policy } from "@rollgate/core/policy";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import { claimDelivery, findDelivery, LEASE_REQUEST, settleDelivery } from "@rollgate/db/queries/deliveries";
import { activeLease, endLeases } from "@rollgate/db/queries/leases";
import { liveRecovery } from "@rollgate/db/queries/overrides";
import {
  findEnvironment,
  findRollout,
  projectionOf,
  registerRelease,
  saveProjection,
  setRolloutScript,
  type RolloutRow,
} from "@rollgate/db/queries/rollouts";
import { eventInserts, recordEvent, type EventRecord } from "@rollgate/db/queries/signals";
import { sha256Hex } from "@rollgate/db/secrets";
import { commitWith, transaction } from "@rollgate/db/transaction";
import type { ApiToken } from "../access/api-token";
import { AppError } from "../errors";
import { ingestIncidentEvent } from "./ingest-incident-event";
import { withServerFacts } from "./server-facts";
import { learnObservedManifest } from "./learn-observed-manifest";
import { notifyRollout } from "../notifications/notify-rollout";
import { declaredDataChecks, refuseUnsafeDataChecks, saveDeclaredDataChecks } from "./declare-data-checks";

/** Once the contract has started, the data checks it was allowed under stay as they are. */
const CONTRACT_STARTED = ["contracting", "contracted", "contract_failed"];

export type IngestResult =
  | { outcome: "accepted"; eventId: string; duplicate: boolean }
  | { outcome: "rejected"; rejection: Rejection; duplicate: boolean };

/**
 * Records one CI event exactly once: the delivery, the event, the rollout's next state and
 * the audit entry commit together, or not at all. A refused event changes no state but is
 * itself recorded, so the pipeline and the dashboard both see why.
 */
export async function ingestEvent(options: {
  db: Db;
  token: ApiToken;
  now: Date;
  webhookId: string;
  body: EventBody;
}): Promise<IngestResult> {
  const { token, now, webhookId } = options;
  // A time no pipeline could mean (2100, 1970) is bad input, refused before anything is recorded.
  const implausible = implausibleEventTimes(options.body, now);
  if (implausible.length)
    throw new AppError(
      "invalid_request",
      `The event carries an implausible time (${implausible.map((d) => d.path).join(", ")}); see details.`,
      implausible,
    );
  // A data check that is not one read-only SELECT is refused before anything is recorded.
  const declared = declaredDataChecks(options.body);
  await refuseUnsafeDataChecks(declared);
  const mapped = mapEvent(options.body, now);
  // Incidents belong to an environment, not a rollout.
  if (mapped.scope === "environment") return ingestIncidentEvent({ ...options, body: mapped.body });
  const { body } = mapped;
  return transaction(options.db, async (tx) => {
    const eventId = randomUUID();
    // The claim and the rollout's lock go out together, in that order (postgres.js pipelines
    // them on the transaction's connection), so a duplicate still waits on the claim first.
    // release.created registers the release before it can lock the rollout.
    const claim = claimDelivery(tx, token.id, webhookId, body.type, eventId);
    const locked = body.type === "release.created" ? null : findRollout(tx, body, { forUpdate: true });
    const [deliveryId, found] = await Promise.all([claim, locked]);
    if (!deliveryId) return replay(tx, token.id, webhookId);

    const rollout = body.type === "release.created" ? await registerRollout(tx, token, body, now) : found;
    if (!rollout) throw new AppError("not_found", `${rolloutNotFoundMessage(body)} Send release.created first.`);
    const policy = policyOf(rollout.policy);
    const event = await withServerFacts(tx, token, mapped, rollout, now);
    const before = projectionOf(rollout.rollout);
    const result = applyEvent(before, event, policy);
    const skew = clockSkewSeconds(body.occurred_at, now);
    const effects = eventEffects({ mapped, event, before, result, clockSkewSeconds: skew });
    const audit = {
      at: now,
      actorType: "token" as const,
      actorId: token.id,
      subjectType: "rollout",
      subjectId: rollout.rollout.id,
      rolloutId: rollout.rollout.id,
    };

    if (!effects.accepted) {
      if (effects.voidLeases) await endLeases(tx, rollout.rollout.id, now, effects.voidLeases);
      await settleDelivery(tx, deliveryId, {
        status: "rejected",
        httpStatus: 409,
        rolloutId: rollout.rollout.id,
        error: effects.rejection,
      });
      await appendAudit(tx, {
        ...audit,
        action: "delivery.rejected",
        data: { type: body.type, webhookId, code: effects.rejection.code, message: effects.rejection.message },
      });
      return { outcome: "rejected", rejection: effects.rejection, duplicate: false };
    }
    if (declared)
      await saveDeclaredDataChecks(tx, {
        rolloutId: rollout.rollout.id,
        contractStarted: CONTRACT_STARTED.includes(before.state),
        declared,
        now,
      });
    if (effects.changed) await saveProjection(tx, rollout.rollout.id, effects.rollout, now);
    if (effects.adoptFix) await adoptFixScript(tx, rollout.rollout.id, effects.adoptFix, now);
    else if (effects.keepExpandText !== null) await keepExpandText(tx, rollout, effects.keepExpandText);
    const record: EventRecord = {
      eventId,
      rolloutId: rollout.rollout.id,
      environmentId: rollout.rollout.environmentId,
      occurredAt: new Date(body.occurred_at),
      receivedAt: now,
      clockSkewSeconds: skew,
      deliveryId,
      stateBefore: before.state,
      stateAfter: effects.rollout.state,
      data: mapped.data,
    };
    const accepted: IngestResult = { outcome: "accepted", eventId, duplicate: false };
    // The audit trail records every change and decision; observations that change nothing
    // (an SLO snapshot, a backup report) stay in the rollout's events. Appending last keeps
    // the chain's lock for the shortest time.
    const { audited, contractEnded } = effects;
    // The commonest event (an SLO snapshot that changes nothing) ends with plain inserts: they go out with COMMIT.
    const inserts = audited || contractEnded || declared ? null : eventInserts(body.type, mapped.fact, record);
    if (inserts) return commitWith(accepted, ...inserts);
    await recordEvent(tx, body.type, mapped.fact, record);
    if (mapped.fact?.kind === "inspection")
      await learnObservedManifest(tx, {
        environmentId: record.environmentId,
        receivedAt: now,
        inspection: mapped.fact.inspection,
      });
    if (effects.endLeases) await endLeases(tx, rollout.rollout.id, now, effects.endLeases);
    if (audited)
      await appendAudit(tx, {
        ...audit,
        action: `rollout.${body.type}`,
        data: {
          webhookId,
          eventId,
          from: before.state,
          to: effects.rollout.state,
          ...(skew !== null ? { clockSkewSeconds: skew, flagged: "occurred_at is far from the time of receipt" } : {}),
        },
      });
    if (contractEnded && (event.type === "migration.succeeded" || event.type === "migration.failed"))
      await notifyRollout(tx, {
        row: rollout,
        keys: body,
        type: contractEnded,
        key: eventId,
        now,
        summary: `The contract script ${event.name} ${contractEnded === "contract.succeeded" ? "succeeded" : "failed"}.`,
      });
    return accepted;
  });
}

/** A webhook-id seen before answers as it did the first time, marked as a duplicate. */
async function replay(db: Db, tokenId: string, webhookId: string): Promise<IngestResult> {
  const first = await findDelivery(db, tokenId, webhookId);
  if (first?.eventType === LEASE_REQUEST)
    throw new AppError("conflict", `webhook-id ${webhookId} was used by a lease request; an event needs its own.`, {
      reason: "replayed",
    });
  if (first?.status === "accepted" && first.eventId)
    return { outcome: "accepted", eventId: first.eventId, duplicate: true };
  if (first?.status === "rejected")
    return { outcome: "rejected", rejection: first.error as Rejection, duplicate: true };
  throw new AppError("conflict", `Delivery ${webhookId} is still being processed; retry shortly.`);
}

/** `release.created`: registers the release and this environment's scripts, then locks the rollout. */
async function registerRollout(
  db: Db,
  token: ApiToken,
  body: Extract<RolloutEventBody, { type: "release.created" }>,
  now: Date,
): Promise<RolloutRow | null> {
  const env = await findEnvironment(db, body.service, body.environment);
  if (!env) throw new AppError("not_found", `Service ${body.service} has no environment ${body.environment}.`);
  const expand = body.data.expand_sql ?? null;
  const contract = body.data.contract_sql ?? null;
  const registered = await registerRelease(db, {
    serviceId: token.serviceId,
    environmentId: env.environmentId,
    mayActOn: token.environments,
    key: body.release,
    title: body.data.title,
    author: body.data.author,
    appVersion: body.data.app_version,
    commitSha: body.data.commit_sha ?? null,
    expandSql: expand,
    expandChecksum: expand === null ? null : sha256Hex(expand),
    contractSql: contract,
    contractChecksum: contract === null ? null : sha256Hex(contract),
  });
  if (!registered.ok)
    throw new AppError("conflict", registered.message, { reason: registered.code, field: registered.field });
  const row = await findRollout(db, body, { forUpdate: true });
  // A new contract script is a new thing to approve, and no lease granted for the old one may run it.
  if (row && contract !== null) {
    const reason = leaseVoidedByNewScript(await activeLease(db, row.rollout.id, now), row.rollout.contractChecksum);
    if (reason) await endLeases(db, row.rollout.id, now, reason);
  }
  return row;
}

/** A recovery run makes its fix the rollout's script, so the page, the evidence and rollback
 * eligibility show what actually ran. */
async function adoptFixScript(db: Db, rolloutId: string, phase: "expand" | "contract", now: Date): Promise<void> {
  const recovery = await liveRecovery(db, rolloutId, now);
  if (recovery?.fixSql) await setRolloutScript(db, rolloutId, phase, recovery.fixSql);
}

/** The expand text a `migration.started` carried (its checksum verified), kept where the rollout has none,
 * so the gate judges the script it saw rather than one it never read. */
async function keepExpandText(db: Db, row: RolloutRow, sql: string): Promise<void> {
  if (row.rollout.expandSql === null) await setRolloutScript(db, row.rollout.id, "expand", sql);
}

function policyOf(raw: unknown): Policy {
  const parsed = parsePolicy(raw);
  if (!parsed.ok)
    throw new Error(`stored policy is invalid: ${parsed.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`);
  return parsed.policy;
}
