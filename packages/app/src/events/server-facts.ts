import type { EventBody } from "@rollgate/core/contract/events";
import { openChecks } from "@rollgate/core/gate";
import {
  overriddenChecks,
  type ContractLease,
  type DomainEvent,
  type MappedRolloutEvent,
} from "@rollgate/core/lifecycle";
import type { Db } from "@rollgate/db/client";
import { heldInspections } from "@rollgate/db/queries/inspections";
import { activeLease } from "@rollgate/db/queries/leases";
import type { RolloutRow } from "@rollgate/db/queries/rollouts";
import { sha256Hex } from "@rollgate/db/secrets";
import type { ApiToken } from "../access/api-token";
import { AppError } from "../errors";
import { evaluateRolloutGate } from "../gate/evaluate-rollout-gate";
import { destructiveStatementCount } from "../gate/script-analysis";

/**
 * What only the server can add to a mapped event, inside the transaction that holds the
 * rollout's lock: for a `migration.started`, the analyser's verdict on an expand script and
 * the lease the event names (with the gate re-evaluated). Every other event is complete.
 */
export async function withServerFacts(
  db: Db,
  token: ApiToken,
  mapped: MappedRolloutEvent,
  row: RolloutRow,
  now: Date,
): Promise<DomainEvent> {
  const { body, event } = mapped;
  if (body.type === "database.inspected" && event.type === "database.inspected") {
    // Of one database Rollgate holds a line that only moves forward (core's admitInspection).
    const { now: takenAt, system_identifier: systemIdentifier } = body.data.server;
    if (!takenAt || !systemIdentifier) return event;
    const environmentId = row.rollout.environmentId;
    return {
      ...event,
      held: await heldInspections(db, { environmentId, systemIdentifier, takenAt: new Date(takenAt) }),
    };
  }
  if (body.type !== "migration.started" || event.type !== "migration.started") return event;
  const { phase, checksum, sql } = body.data;
  if (sql !== undefined && sha256Hex(sql) !== checksum)
    throw new AppError("invalid_request", "data.checksum is not the SHA-256 of data.sql.", [
      { path: "data.checksum", message: "does not match data.sql" },
    ]);
  const lease = await presentedLease(db, token, body, row, now);
  if (phase === "contract") return { ...event, lease };
  const script = sql ?? (checksum === row.rollout.expandChecksum ? row.rollout.expandSql : null);
  if (script === null && lease.held?.kind === "recovery")
    throw new AppError(
      "invalid_request",
      "A recovery run of an expand fix must send the script in data.sql, so it is checked for destructive statements.",
      [{ path: "data.sql", message: "required for a recovery run" }],
    );
  // Unseen is unknown, never additive: the lifecycle refuses to start it (`expand_unseen`).
  const destructiveFindings = script === null ? null : await destructiveStatementCount(script, checksum);
  return {
    ...event,
    destructiveFindings,
    ...(lease.held ? { lease } : {}),
  };
}

/**
 * The lease a `migration.started` names, and the gate re-evaluated in this very transaction
 * (the rollout row is locked), so nothing that changed since the lease was granted slips through.
 */
async function presentedLease(
  db: Db,
  token: ApiToken,
  body: Extract<EventBody, { type: "migration.started" }>,
  row: RolloutRow,
  now: Date,
): Promise<ContractLease> {
  const live = body.data.lease_id ? await activeLease(db, row.rollout.id, now) : null;
  const held =
    live && live.id === body.data.lease_id
      ? { kind: live.kind as "gate" | "recovery", tokenId: live.tokenId, checksum: live.checksum }
      : null;
  let gate: ContractLease["gate"] = { allowed: false, failing: [] };
  if (held?.kind === "gate") {
    const { verdict } = await evaluateRolloutGate(db, row, now);
    const failing = openChecks(verdict.checks).filter((c) => c.id !== "lease");
    gate = {
      allowed: failing.length === 0,
      failing: failing.map((c) => c.message),
      overridden: [...overriddenChecks(verdict.checks)],
    };
  }
  return { held, senderTokenId: token.id, gate };
}
