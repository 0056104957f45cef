import "server-only";
import { randomUUID } from "node:crypto";
import type { EventBody, IncidentEventBody } from "@rollgate/core/contract/events";
import { openChecks } from "@rollgate/core/gate";
import { applyEvent, type ContractLease, type DomainEvent, type Rejection } from "@rollgate/core/lifecycle";
import { parsePolicy, type Policy } from "@rollgate/core/policy";
import type { RolloutProjection } from "@rollgate/core/types";
import { analyseSql } from "@rollgate/core/sql";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import { claimDelivery, findDelivery, settleDelivery } from "@rollgate/db/queries/deliveries";
import { activeLease, voidLeases } from "@rollgate/db/queries/leases";
import { liveRecovery } from "@rollgate/db/queries/overrides";
import { findEnvironment, findRollout, projectionOf, registerRelease, saveProjection, setRolloutScript, type RolloutRow } from "@rollgate/db/queries/rollouts";
import { recordEvent, type Signal } from "@rollgate/db/queries/signals";
import { recordInspection } from "@rollgate/db/queries/inspections";
import { sha256Hex } from "@rollgate/db/secrets";
import type { ApiToken } from "../api/with-api-token";
import { AppError } from "../errors";
import { evaluateRolloutGate } from "../gate/evaluate-rollout-gate";
import { ingestIncidentEvent } from "../integrations/ingest-incident-event";
import { notifyRollout } from "../notifications/notify-rollout";

/** Events about a rollout (every type but the incident ones). */
type RolloutEventBody = Exclude<EventBody, IncidentEventBody>;

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
  // Incidents belong to an environment, not a rollout.
  if (body.type === "incident.opened" || body.type === "incident.resolved") return ingestIncidentEvent({ ...options, body });
  return options.db.transaction(async (tx) => {
    const eventId = randomUUID();
    const deliveryId = await claimDelivery(tx, token.id, webhookId, body.type, eventId);
    if (!deliveryId) return replay(tx, token.id, webhookId);

    const rollout = await resolveRollout(tx, token, body, now);
    const policy = policyOf(rollout.policy);
    const event = await toDomainEvent(tx, token, body, rollout, now);
    const before = projectionOf(rollout.rollout);
    const result = applyEvent(before, event, policy);
    const audit = { at: now, actorType: "token" as const, actorId: token.id, subjectType: "rollout", subjectId: rollout.rollout.id, rolloutId: rollout.rollout.id };

    if (!result.ok) {
      // A lease presented with another script (or by another token) is void: it was granted for what was approved.
      if (result.rejection.code === "lease_script_mismatch" || result.rejection.code === "lease_other_token") await voidLeases(tx, rollout.rollout.id, now, `void: ${result.rejection.code}`);
      await settleDelivery(tx, deliveryId, { status: "rejected", httpStatus: 409, rolloutId: rollout.rollout.id, error: result.rejection });
      await appendAudit(tx, { ...audit, action: "delivery.rejected", data: { type: body.type, webhookId, code: result.rejection.code, message: result.rejection.message } });
      return { outcome: "rejected", rejection: result.rejection, duplicate: false };
    }
    const changed = !sameProjection(before, result.rollout);
    const skew = clockSkew(body.occurred_at, now);
    if (changed) await saveProjection(tx, rollout.rollout.id, result.rollout, now);
    if (event.type === "migration.started" && event.lease?.held?.kind === "recovery") await adoptFixScript(tx, rollout.rollout.id, event.phase, now);
    await recordEvent(tx, toSignal(body), {
      eventId,
      rolloutId: rollout.rollout.id,
      environmentId: rollout.rollout.environmentId,
      occurredAt: new Date(body.occurred_at),
      receivedAt: now,
      clockSkewSeconds: skew,
      deliveryId,
      stateBefore: before.state,
      stateAfter: result.rollout.state,
      data: body.type === "database.inspected" ? inspectionDigest(body.data) : body.data,
    });
    if (body.type === "database.inspected") await recordInspection(tx, { environmentId: rollout.rollout.environmentId, rolloutId: rollout.rollout.id, eventId, receivedAt: now, inspection: body.data });
    // The audit trail records every change and decision; observations that change nothing
    // (an SLO snapshot, a backup report) stay in the rollout's events. Appending last keeps
    // the chain's lock for the shortest time.
    if (changed || body.type === "release.created" || skew !== null)
      await appendAudit(tx, { ...audit, action: `rollout.${body.type}`, data: { webhookId, eventId, from: before.state, to: result.rollout.state, ...(skew !== null ? { clockSkewSeconds: skew, flagged: "occurred_at is far from the time of receipt" } : {}) } });
    if ((event.type === "migration.succeeded" || event.type === "migration.failed") && event.phase === "contract" && changed)
      await notifyRollout(tx, { row: rollout, keys: body, type: event.type === "migration.succeeded" ? "contract.succeeded" : "contract.failed", key: eventId, now, summary: `The contract script ${event.name} ${event.type === "migration.succeeded" ? "succeeded" : "failed"}.` });
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

async function resolveRollout(db: Db, token: ApiToken, body: RolloutEventBody, now: Date): Promise<RolloutRow> {
  const keys = { service: body.service, environment: body.environment, release: body.release };
  if (body.type === "release.created") {
    const env = await findEnvironment(db, body.service, body.environment);
    if (!env) throw new AppError("not_found", `Service ${body.service} has no environment ${body.environment}.`);
    const expand = body.data.expand_sql ?? null;
    const contract = body.data.contract_sql ?? null;
    const registered = await registerRelease(db, {
      serviceId: token.serviceId,
      environmentId: env.environmentId,
      key: body.release,
      title: body.data.title,
      author: body.data.author,
      appVersion: body.data.app_version,
      expandSql: expand,
      expandChecksum: expand === null ? null : sha256Hex(expand),
      contractSql: contract,
      contractChecksum: contract === null ? null : sha256Hex(contract),
    });
    if (!registered.ok) throw new AppError("conflict", registered.message, { reason: registered.code, field: registered.field });
  }
  const row = await findRollout(db, keys, { forUpdate: true });
  if (!row) throw new AppError("not_found", `No release ${body.release} of ${body.service} in ${body.environment}; send release.created first.`);
  // A new contract script is a new thing to approve, and no lease granted for the old one may run it.
  if (body.type === "release.created" && body.data.contract_sql !== undefined) {
    const live = await activeLease(db, row.rollout.id, now);
    if (live && live.checksum !== row.rollout.contractChecksum) await voidLeases(db, row.rollout.id, now, "void: script_changed");
  }
  return row;
}

/** A recovery run makes its fix the rollout's script, so the page, the evidence and rollback
 * eligibility show what actually ran. */
async function adoptFixScript(db: Db, rolloutId: string, phase: "expand" | "contract", now: Date): Promise<void> {
  const recovery = await liveRecovery(db, rolloutId, now);
  if (recovery?.fixSql) await setRolloutScript(db, rolloutId, phase, recovery.fixSql);
}

/** Seconds between the pipeline's claimed time and receipt, when it claims the future (over a
 * minute) or more than an hour ago; null otherwise. Such an event is flagged, never trusted for time. */
function clockSkew(occurredAt: string, receivedAt: Date): number | null {
  const seconds = Math.round((Date.parse(occurredAt) - receivedAt.getTime()) / 1000);
  return seconds > 60 || seconds < -3600 ? seconds : null;
}

function policyOf(raw: unknown): Policy {
  const parsed = parsePolicy(raw);
  if (!parsed.ok) throw new Error(`stored policy is invalid: ${parsed.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`);
  return parsed.policy;
}

/**
 * The lifecycle sees the server's clock: every duration that gates anything (the window, the
 * flag at 100 %, a rollback) is measured from when Rollgate received the event. `occurred_at`
 * is kept beside it as information.
 */
async function toDomainEvent(db: Db, token: ApiToken, body: RolloutEventBody, row: RolloutRow, now: Date): Promise<DomainEvent> {
  const occurredAt = now;
  switch (body.type) {
    case "migration.started": {
      const { phase, name, checksum, sql } = body.data;
      if (sql !== undefined && sha256Hex(sql) !== checksum) throw new AppError("invalid_request", "data.checksum is not the SHA-256 of data.sql.", [{ path: "data.checksum", message: "does not match data.sql" }]);
      const lease = await presentedLease(db, token, body, row, now);
      if (phase === "expand") {
        const script = sql ?? (checksum === row.rollout.expandChecksum ? row.rollout.expandSql : null);
        if (script === null && lease.held?.kind === "recovery") throw new AppError("invalid_request", "A recovery run of an expand fix must send the script in data.sql, so it is checked for destructive statements.", [{ path: "data.sql", message: "required for a recovery run" }]);
        const analysis = await analyseSql(script ?? "", { phase: "expand" });
        return { type: body.type, occurredAt, phase, name, checksum, destructiveFindings: analysis.findings.filter((f) => f.category === "contract").length, ...(lease.held ? { lease } : {}) };
      }
      return { type: body.type, occurredAt, phase, name, checksum, lease };
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

/**
 * The lease a `migration.started` names, and the gate re-evaluated in this very transaction
 * (the rollout row is locked), so nothing that changed since the lease was granted slips through.
 */
async function presentedLease(db: Db, token: ApiToken, body: Extract<EventBody, { type: "migration.started" }>, row: RolloutRow, now: Date): Promise<ContractLease> {
  const live = body.data.lease_id ? await activeLease(db, row.rollout.id, now) : null;
  const held = live && live.id === body.data.lease_id ? { kind: live.kind as "gate" | "recovery", tokenId: live.tokenId, checksum: live.checksum } : null;
  let gate = { allowed: false, failing: [] as string[] };
  if (held?.kind === "gate") {
    const { verdict } = await evaluateRolloutGate(db, row, now);
    const failing = openChecks(verdict.checks).filter((c) => c.id !== "lease");
    gate = { allowed: failing.length === 0, failing: failing.map((c) => c.message) };
  }
  return { held, senderTokenId: token.id, gate };
}

function toSignal(body: RolloutEventBody): Signal {
  switch (body.type) {
    case "migration.started":
      return { type: body.type, phase: body.data.phase, name: body.data.name, checksum: body.data.checksum, leaseId: body.data.lease_id };
    case "migration.succeeded":
    case "migration.failed": {
      const d = body.data;
      return { type: body.type, phase: d.phase, name: d.name, checksum: d.checksum, durationMs: d.duration_ms, exitCode: d.exit_code, logTail: d.log_tail, logUrl: d.log_url, leaseId: d.lease_id, statements: d.statements };
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
    case "database.inspected":
      return { type: body.type };
  }
}

/** The timeline keeps a digest of an inspection; the summary itself goes to `inspections`. */
function inspectionDigest(data: Extract<EventBody, { type: "database.inspected" }>["data"]) {
  return { window_start: data.window_start ?? false, statistics: data.statistics, statements: data.statements.length, expand_drift: data.expand.filter((o) => o.state !== "present").length, sessions: data.sessions.length, duration_ms: data.duration_ms };
}

function sameProjection(a: RolloutProjection, b: RolloutProjection): boolean {
  return (Object.keys(a) as Array<keyof RolloutProjection>).every((k) => {
    const x = a[k];
    const y = b[k];
    return x instanceof Date && y instanceof Date ? x.getTime() === y.getTime() : x === y;
  });
}
