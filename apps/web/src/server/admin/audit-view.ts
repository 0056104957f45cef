import "server-only";
import { auditEntriesPage } from "@rollgate/db/queries/admin";
import { readKeyRecord, verifyAuditChain } from "@rollgate/db/queries/audit";
import { database } from "@rollgate/db/runtime";
import { auditKeyWarningNow } from "./audit-key";

export const AUDIT_PAGE_SIZE = 100;

/**
 * The chain's verdict, the key record, a warning when the audit key is public, and one page of
 * entries, newest first (`before`: a sequence number from the previous page).
 */
export async function getAuditView(before?: string) {
  const { db } = await database();
  const beforeSeq = /^\d{1,15}$/.test(before ?? "") ? Number(before) : null;
  const [verdict, keyRecord, page] = await Promise.all([
    verifyAuditChain(db),
    readKeyRecord(db),
    auditEntriesPage(db, { beforeSeq, limit: AUDIT_PAGE_SIZE }),
  ]);
  return { verdict, keyRecord, keyWarning: auditKeyWarningNow(), ...page, firstPage: beforeSeq === null };
}
