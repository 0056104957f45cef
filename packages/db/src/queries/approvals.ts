import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../client.ts";
import { approvals, users } from "../schema/index.ts";

export async function listApprovals(db: Db, rolloutId: string) {
  return db
    .select({
      id: approvals.id,
      approverId: approvals.approverId,
      approverEmail: users.email,
      approverName: users.name,
      role: approvals.role,
      decision: approvals.decision,
      comment: approvals.comment,
      contractChecksum: approvals.contractChecksum,
      decidedAt: approvals.decidedAt,
      withdrawnAt: approvals.withdrawnAt,
    })
    .from(approvals)
    .innerJoin(users, eq(users.id, approvals.approverId))
    .where(eq(approvals.rolloutId, rolloutId))
    .orderBy(asc(approvals.decidedAt));
}

/** Records (or replaces) one approver's decision on one version of the contract script. */
export async function recordDecision(
  db: Db,
  params: {
    rolloutId: string;
    approverId: string;
    role: string;
    decision: "approve" | "reject";
    comment: string;
    contractChecksum: string;
    at: Date;
  },
) {
  const [row] = await db
    .insert(approvals)
    .values({
      rolloutId: params.rolloutId,
      approverId: params.approverId,
      role: params.role,
      decision: params.decision,
      comment: params.comment,
      contractChecksum: params.contractChecksum,
      decidedAt: params.at,
    })
    .onConflictDoUpdate({
      target: [approvals.rolloutId, approvals.approverId, approvals.contractChecksum],
      set: {
        role: params.role,
        decision: params.decision,
        comment: params.comment,
        decidedAt: params.at,
        withdrawnAt: null,
      },
    })
    .returning({ id: approvals.id });
  return row!;
}

/** Withdraws an approver's live decision on the current script; false when there was none. */
export async function withdrawDecision(
  db: Db,
  params: { rolloutId: string; approverId: string; contractChecksum: string; at: Date },
): Promise<boolean> {
  const rows = await db
    .update(approvals)
    .set({ withdrawnAt: params.at })
    .where(
      and(
        eq(approvals.rolloutId, params.rolloutId),
        eq(approvals.approverId, params.approverId),
        eq(approvals.contractChecksum, params.contractChecksum),
        isNull(approvals.withdrawnAt),
      ),
    )
    .returning({ id: approvals.id });
  return rows.length > 0;
}
