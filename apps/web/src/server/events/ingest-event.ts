import "server-only";
import { randomUUID } from "node:crypto";
import type { EventBody } from "@rollgate/core/contract/events";
import { applyEvent, type DomainEvent, type Rejection } from "@rollgate/core/lifecycle";
import { parsePolicy, type Policy } from "@rollgate/core/policy";
import type { RolloutProjection } from "@rollgate/core/types";
import { analyseSql } from "@rollgate/core/sql";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import { claimDelivery, findDelivery, settleDelivery } from "@rollgate/db/queries/deliveries";
import { activeLease } from "@rollgate/db/queries/leases";
import { findEnvironment, findRollout, projectionOf, saveProjection, upsertRelease, type RolloutRow } from "@rollgate/db/queries/rollouts";
import { recordEvent, type Signal } from "@rollgate/db/queries/signals";
import { sha256Hex } from "@rollgate/db/secrets";
import type { ApiToken } from "../api/with-api-token";
import { AppError } from "../errors";

export type IngestResult =
  | { outcome: "accepted"; eventId: string; duplicate: boolean }
  | { outcome: "rejected"; rejection: Rejection; duplicate: boolean };

/**
 * Records one CI event exactly once: the delivery, the event, the rollout's next state and
 * the audit entry commit together, or not at all. A refused event changes no state but is
 * itself recorded, so the pipeline and the dashboard both see why.
 */
export async function ingestEvent(options: { db: Db; token: ApiToken; now: Date; webhookId: string; body: EventBody }): Promise<IngestResult> {
  const { token, now, webhookId, body } = options;
  return options.db.transaction(async (tx) => {
    const eventId = randomUUID();
    const deliveryId = await claimDelivery(tx, token.id, webhookId, body.type, eventId);
    if (!deliveryId) return replay(tx, token.id, webhookId);

    const rollout = await resolveRollout(tx, token, body);
    const policy = policyOf(rollout.policy);
    const event = await toDomainEvent(tx, body, rollout, now);
    const before = projectionOf(rollout.rollout);
    const result = applyEvent(before, event, policy);
    const audit = { at: now, actorType: "token" as const, actorId: token.id, subjectType: "rollout", subjectId: rollout.rollout.id, rolloutId: rollout.rollout.id };

    if (!result.ok) {
      await settleDelivery(tx, deliveryId, { status: "rejected", httpStatus: 409, rolloutId: rollout.rollout.id, error: result.rejection });
      await appendAudit(tx, { ...audit, action: "delivery.rejected", data: { type: body.type, webhookId, code: result.rejection.code, message: result.rejection.message } });
      return { outcome: "rejected", rejection: result.rejection, duplicate: false };
    }
    const changed = !sameProjection(before, result.rollout);
    if (changed) await saveProjection(tx, rollout.rollout.id, result.rollout, now);
    await recordEvent(tx, toSignal(body), {
      eventId,
      rolloutId: rollout.rollout.id,
      environmentId: rollout.rollout.environmentId,
      occurredAt: new Date(body.occurred_at),
      deliveryId,
      stateBefore: before.state,
      stateAfter: result.rollout.state,
      data: body.data,
    });
    // The audit trail records every change and decision; observations that change nothing
    // (an SLO snapshot, a backup report) stay in the rollout's events. Appending last keeps
    // the chain's lock for the shortest time.
    if (changed || body.type === "release.created") await appendAudit(tx, { ...audit, action: `rollout.${body.type}`, data: { webhookId, eventId, from: before.state, to: result.rollout.state } });
    return { outcome: "accepted", eventId, duplicate: false };
  });
}

/** A webhook-id seen before answers as it did the first time, marked as a duplicate. */
async function replay(db: Db, tokenId: string, webhookId: string): Promise<IngestResult> {
  const first = await findDelivery(db, tokenId, webhookId);
  if (first?.status === "accepted" && first.eventId) return { outcome: "accepted", eventId: first.eventId, duplicate: true };
  if (first?.status === "rejected") return { outcome: "rejected", rejection: first.error as Rejection, duplicate: true };
  throw new AppError("conflict", `Delivery ${webhookId} is still being processed; retry shortly.`);
}

async function resolveRollout(db: Db, token: ApiToken, body: EventBody): Promise<RolloutRow> {
  const keys = { service: body.service, environment: body.environment, release: body.release };
  if (body.type === "release.created") {
    const env = await findEnvironment(db, body.service, body.environment);
    if (!env) throw new AppError("not_found", `Service ${body.service} has no environment ${body.environment}.`);
    const expand = body.data.expand_sql ?? null;
    const contract = body.data.contract_sql ?? null;
    await upsertRelease(db, {
      serviceId: token.serviceId,
      key: body.release,
      title: body.data.title,
      author: body.data.author,
      appVersion: body.data.app_version,
      expandSql: expand,
      expandChecksum: expand === null ? null : sha256Hex(expand),
      contractSql: contract,
      contractChecksum: contract === null ? null : sha256Hex(contract),
    });
  }
  const row = await findRollout(db, keys, { forUpdate: true });
  if (!row) throw new AppError("not_found", `No release ${body.release} of ${body.service} in ${body.environment}; send release.created first.`);
  return row;
}

function policyOf(raw: unknown): Policy {
  const parsed = parsePolicy(raw);
  if (!parsed.ok) throw new Error(`stored policy is invalid: ${parsed.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`);
  return parsed.policy;
}

async function toDomainEvent(db: Db, body: EventBody, row: RolloutRow, now: Date): Promise<DomainEvent> {
  const occurredAt = new Date(body.occurred_at);
  switch (body.type) {
    case "migration.started": {
      const { phase, name, checksum, sql } = body.data;
      if (sql !== undefined && sha256Hex(sql) !== checksum) throw new AppError("invalid_request", "data.checksum is not the SHA-256 of data.sql.", [{ path: "data.checksum", message: "does not match data.sql" }]);
      if (phase === "expand") {
        const script = sql ?? row.release.expandSql ?? "";
        const analysis = await analyseSql(script, { phase: "expand" });
        return { type: body.type, occurredAt, phase, name, checksum, destructiveFindings: analysis.findings.filter((f) => f.category === "contract").length };
      }
      const lease = await activeLease(db, row.rollout.id, now);
      return { type: body.type, occurredAt, phase, name, checksum, leaseValid: lease !== null && lease.id === body.data.lease_id };
    }
    case "migration.succeeded":
    case "migration.failed":
      return { type: body.type, occurredAt, phase: body.data.phase, name: body.data.name, checksum: body.data.checksum };
    case "app.deployed":
    case "app.rolled_back":
      return { type: body.type, occurredAt, version: body.data.version, manifest: body.data.manifest ?? null };
    case "flag.changed":
      return { type: body.type, occurredAt, percent: body.data.percent };
    default:
      return { type: body.type, occurredAt };
  }
}

function toSignal(body: EventBody): Signal {
  switch (body.type) {
    case "migration.started":
      return { type: body.type, phase: body.data.phase, name: body.data.name, checksum: body.data.checksum, leaseId: body.data.lease_id };
    case "migration.succeeded":
    case "migration.failed": {
      const d = body.data;
      return { type: body.type, phase: d.phase, name: d.name, checksum: d.checksum, durationMs: d.duration_ms, exitCode: d.exit_code, logTail: d.log_tail, logUrl: d.log_url, leaseId: d.lease_id };
    }
    case "app.deployed":
    case "app.rolled_back":
      return { type: body.type, version: body.data.version, manifest: body.data.manifest ?? null };
    case "flag.changed":
      return { type: body.type, flag: body.data.flag, percent: body.data.percent };
    case "slo.snapshot":
      return { type: body.type, availability: body.data.availability, errorBudgetRemaining: body.data.error_budget_remaining, burnRate: body.data.burn_rate, latencyP99Ms: body.data.latency_p99_ms };
    case "backup.verified":
      return { type: body.type, backupId: body.data.backup_id, restoreTested: body.data.restore_tested };
    case "release.created":
      return { type: body.type };
  }
}

function sameProjection(a: RolloutProjection, b: RolloutProjection): boolean {
  return (Object.keys(a) as Array<keyof RolloutProjection>).every((k) => {
    const x = a[k];
    const y = b[k];
    return x instanceof Date && y instanceof Date ? x.getTime() === y.getTime() : x === y;
  });
}
