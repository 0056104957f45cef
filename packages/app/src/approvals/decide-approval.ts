import { rolloutNotFoundMessage } from "@rollgate/core/contract/rollout-key";
import { mayDecideApproval } from "@rollgate/core/access/decide";
import { recordDecision, withdrawDecision } from "@rollgate/db/queries/approvals";
import { appendAudit } from "@rollgate/db/queries/audit";
import { findRollout, type RolloutKeys } from "@rollgate/db/queries/rollouts";
import type { Db } from "@rollgate/db/client";
import { personOf, rolloutContext, type SignedInUser } from "../access/rollout-context";
import { AppError } from "../errors";

/**
 * An approver's decision on a rollout's contract step, decided by `mayDecideApproval` in
 * core whatever the browser sent: an approving role on this service now, never the
 * release's author (through any identity), pinned to the script the approver was shown.
 */
export async function decideApproval(options: {
  db: Db;
  now: Date;
  user: SignedInUser;
  keys: RolloutKeys;
  decision: "approve" | "reject" | "withdraw";
  comment: string;
  seenChecksum: string | null;
}) {
  const { user, keys, decision } = options;
  return options.db.transaction(async (tx) => {
    const row = await findRollout(tx, keys, { forUpdate: true });
    if (!row) throw new AppError("not_found", rolloutNotFoundMessage(keys));
    const ctx = await rolloutContext(tx, row);
    const checksum = row.rollout.contractChecksum;
    const at = options.now;
    const audit = {
      at,
      actorType: "user" as const,
      actorId: user.id,
      subjectType: "rollout",
      subjectId: row.rollout.id,
      rolloutId: row.rollout.id,
    };

    if (decision === "withdraw") {
      if (["contracting", "contracted", "contract_failed"].includes(ctx.state))
        throw new AppError("conflict", "The contract has already started; decisions can no longer change.");
      if (
        !checksum ||
        !(await withdrawDecision(tx, {
          rolloutId: row.rollout.id,
          approverId: user.id,
          contractChecksum: checksum,
          at,
        }))
      )
        throw new AppError("conflict", "You have no decision on this version of the contract script to withdraw.");
      await appendAudit(tx, {
        ...audit,
        action: "approval.withdrawn",
        data: { email: user.email, contractChecksum: checksum },
      });
      return;
    }
    const allowed = mayDecideApproval(personOf(user), ctx, options.seenChecksum);
    if (!allowed.ok) throw new AppError(allowed.code, allowed.reason);
    await recordDecision(tx, {
      rolloutId: row.rollout.id,
      approverId: user.id,
      role: allowed.role,
      decision,
      comment: options.comment,
      contractChecksum: checksum!,
      at,
    });
    await appendAudit(tx, {
      ...audit,
      action: decision === "approve" ? "approval.granted" : "approval.rejected",
      data: { email: user.email, role: allowed.role, contractChecksum: checksum, comment: options.comment },
    });
  });
}
