import { formatKeyedFrom } from "@rollgate/core/access/audit-chain";
import { readKeyRecord, verifyAuditChain } from "@rollgate/db/queries/audit";
import { loadEvidence } from "@rollgate/db/queries/evidence";
import type { RolloutKeys } from "@rollgate/db/queries/rollouts";
import type { Db } from "@rollgate/db/client";
import { gateJson } from "../gate/evaluate-rollout-gate";
import { getRolloutView } from "./get-rollout-view";

/** Identifiers that act as credentials or handles (a live lease, a CI token): never exported. */
const SECRET_IDS = new Set(["leaseId", "lease_id", "tokenId", "token_id"]);
const withoutIds = (data: unknown) =>
  Object.fromEntries(Object.entries((data ?? {}) as Record<string, unknown>).filter(([k]) => !SECRET_IDS.has(k)));

/**
 * The evidence bundle of a rollout: what happened, who decided, what the gate said at each
 * lease and now, with the audit entries' hashes as the chain links them. Lease and token ids
 * are left out (the server verifies the chain itself: `audit.chain`). The key record
 * (`audit.keyRecord`: where keyed hashing began, MACed with the audit key) travels with every
 * bundle, a copy the database's owner cannot change. `authorize` sees the rollout's service
 * first and throws to refuse.
 */
export async function exportEvidence(
  deps: { db: Db; now: Date },
  keys: RolloutKeys,
  authorize: (serviceId: string) => Promise<unknown>,
) {
  const { db, now: at } = deps;
  const view = await getRolloutView(deps, keys);
  await authorize(view.row.serviceId);
  const record = await loadEvidence(db, view.row.rollout.id);
  const chain = await verifyAuditChain(db);
  const keyRecord = await readKeyRecord(db);
  return {
    kind: "rollgate.rollout-evidence",
    schemaVersion: 1,
    exportedAt: at.toISOString(),
    rollout: {
      ...keys,
      state: view.row.rollout.state,
      releaseTitle: view.row.release.title,
      author: view.row.rollout.author ?? view.row.release.author,
      version: view.row.rollout.releaseVersion,
      expandChecksum: view.row.rollout.expandChecksum,
      contractChecksum: view.row.rollout.contractChecksum,
    },
    gateNow: gateJson(keys, view),
    gateAtEachLease: record.audit
      .filter((a) => a.action === "lease.granted")
      .map((a) => ({ at: a.at, ...withoutIds(a.data) })),
    events: record.events.map(({ deliveryId: _delivery, ...event }) => event),
    migrationRuns: record.runs,
    leases: record.leases.map((l) => ({
      holder: l.holder,
      acquiredAt: l.acquiredAt,
      expiresAt: l.expiresAt,
      releasedAt: l.releasedAt,
      outcome: l.outcome,
    })),
    approvals: view.approvals,
    overrides: view.overrides,
    // Each backfill as its events left it, and what the dashboard last asked of it (by whom).
    backfills: view.backfills.map(({ controlRequestedBy: _user, ...backfill }) => backfill),
    audit: {
      chain,
      keyRecord: keyRecord && {
        keyedFrom: formatKeyedFrom(keyRecord),
        mac: keyRecord.mac,
        verifies: keyRecord.macValid,
      },
      entries: record.audit.map((a) => ({
        seq: a.seq,
        at: a.at,
        actorType: a.actorType,
        actorId: a.actorType === "token" ? null : a.actorId,
        action: a.action,
        subjectType: a.subjectType,
        data: withoutIds(a.data),
        prevHash: a.prevHash,
        hash: a.hash,
      })),
    },
  };
}

export type Evidence = Awaited<ReturnType<typeof exportEvidence>>;
