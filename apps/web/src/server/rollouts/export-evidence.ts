import "server-only";
import { formatKeyedFrom } from "@rollgate/core/access/audit-chain";
import { readKeyRecord, verifyAuditChain } from "@rollgate/db/queries/audit";
import { loadEvidence } from "@rollgate/db/queries/evidence";
import type { RolloutKeys } from "@rollgate/db/queries/rollouts";
import { database } from "@rollgate/db/runtime";
import { now } from "../clock";
import { gateJson } from "@rollgate/app/gate/evaluate-rollout-gate";
import { getRolloutView } from "./get-rollout-view";
import { auditVerdictText } from "@/lib/audit-verdict";
import { utc } from "@/lib/format";

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
export async function exportEvidence(keys: RolloutKeys, authorize: (serviceId: string) => Promise<unknown>) {
  const { db } = await database();
  const at = now();
  const view = await getRolloutView(keys);
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

/** The printable half: Markdown a person reads or files with a change record. */
export function evidenceMarkdown(e: Evidence): string {
  const t = (d: Date | string) => utc(d, true);
  const lines = [
    `# Evidence: ${e.rollout.service} ${e.rollout.release} in ${e.rollout.environment}`,
    "",
    `${e.rollout.releaseTitle} (version ${e.rollout.version}, by ${e.rollout.author}). State: **${e.rollout.state.replaceAll("_", " ")}**. Exported ${t(e.exportedAt)} UTC.`,
    "",
    `Audit chain: ${e.audit.chain.intact ? `intact (${e.audit.chain.entries} entries verified with the server's key; head ${e.audit.chain.head ?? "none"}).` : `NOT INTACT. ${auditVerdictText(e.audit.chain)}`} Keep this head: a later export whose chain no longer contains it shows a rewrite.`,
    "",
    `Audit key record: ${e.audit.keyRecord ? `keyed hashing began at \`${e.audit.keyRecord.keyedFrom}\` (MAC ${e.audit.keyRecord.mac}${e.audit.keyRecord.verifies ? "" : ", which does NOT verify under the server's key"})` : "none in the database"}. Unkeyed entries verify only before it (ROLLGATE_AUDIT_KEYED_FROM pins it).`,
    "",
    "## Gate now",
    "",
    ...e.gateNow.checks.map(
      (c) => `- ${c.status.toUpperCase()}${c.overridden ? " (overridden)" : ""} — ${c.title}: ${c.message}`,
    ),
    "",
    "## Timeline (UTC)",
    "",
    "| received | event | state |",
    "| --- | --- | --- |",
    ...e.events.map(
      (ev) =>
        `| ${t(ev.receivedAt)} | ${ev.type}${ev.clockSkewSeconds === null ? "" : ` (the pipeline's clock said ${t(ev.occurredAt)})`} | ${ev.stateBefore} → ${ev.stateAfter} |`,
    ),
    "",
    "## Decisions",
    "",
    ...e.approvals.map(
      (a) =>
        `- ${t(a.decidedAt)} ${a.approverEmail} ${a.withdrawnAt ? "withdrew" : a.decision === "approve" ? "approved" : "rejected"} script ${a.contractChecksum.slice(0, 12)}…${a.comment ? `: “${a.comment}”` : ""}`,
    ),
    ...e.overrides.map(
      (o) =>
        `- ${t(o.createdAt)} BREAK-GLASS by ${o.actorEmail} on ${o.checks.join(", ")}: “${o.justification}” — ${o.reviewedAt ? `reviewed by ${o.reviewerEmail}` : "NOT YET REVIEWED"}`,
    ),
    "",
    "## Audit entries",
    "",
    "| # | time | action | hash |",
    "| --- | --- | --- | --- |",
    ...e.audit.entries.map((a) => `| ${a.seq} | ${t(a.at)} | ${a.action} | \`${a.hash.slice(0, 16)}…\` |`),
    "",
  ];
  return lines.join("\n");
}
