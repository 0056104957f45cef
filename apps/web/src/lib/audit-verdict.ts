import type { AuditChainVerdict } from "@rollgate/core/access/audit-chain";

/** The audit chain's verdict in one sentence, as /admin/audit and evidence bundles print it. */
export function auditVerdictText(verdict: AuditChainVerdict): string {
  if (verdict.intact)
    return `Intact: all ${verdict.entries} entries verify against the keyed hash chain (head ${verdict.head?.slice(0, 16) ?? "none"}…).${verdict.legacy ? ` The first ${verdict.legacy} predate keyed hashing and only prove what the database says.` : ""}`;
  const where = verdict.brokenAt === null ? "" : ` at entry ${verdict.brokenAt}`;
  return `${verdict.state === "downgraded" ? "Downgraded" : "Broken"}${where}: ${verdict.reason}.`;
}
