import "server-only";
import { auditEntriesPage } from "@rollgate/db/queries/admin";
import { verifyAuditChain } from "@rollgate/db/queries/audit";
import { database } from "@rollgate/db/runtime";

export const AUDIT_PAGE_SIZE = 100;

/** The chain's verdict and one page of entries, newest first (`before`: a sequence number from the previous page). */
export async function getAuditView(before?: string) {
  const { db } = await database();
  const beforeSeq = /^\d{1,15}$/.test(before ?? "") ? Number(before) : null;
  const [verdict, page] = await Promise.all([
    verifyAuditChain(db),
    auditEntriesPage(db, { beforeSeq, limit: AUDIT_PAGE_SIZE }),
  ]);
  return { verdict, ...page, firstPage: beforeSeq === null };
}
