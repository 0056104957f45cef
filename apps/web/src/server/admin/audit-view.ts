import "server-only";
import { latestAuditEntries } from "@rollgate/db/queries/admin";
import { verifyAuditChain } from "@rollgate/db/queries/audit";
import { database } from "@rollgate/db/runtime";

/** The chain's verdict and the latest entries. */
export async function getAuditView() {
  const { db } = await database();
  const [verdict, entries] = await Promise.all([verifyAuditChain(db), latestAuditEntries(db, 100)]);
  return { verdict, entries };
}
