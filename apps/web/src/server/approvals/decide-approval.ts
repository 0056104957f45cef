import "server-only";
import { parsePolicy } from "@rollgate/core/policy";
import type { Role } from "@rollgate/core/types";
import { recordDecision, withdrawDecision } from "@rollgate/db/queries/approvals";
import { appendAudit } from "@rollgate/db/queries/audit";
import { findRollout, type RolloutKeys } from "@rollgate/db/queries/rollouts";
import { database } from "@rollgate/db/runtime";
import { rolesFor, type CurrentUser } from "../auth/current-user";
import { now } from "../clock";
import { AppError } from "../errors";

const STARTED = ["contracting", "contracted", "contract_failed"];

/**
 * An approver's decision on a rollout's contract step, enforced here whatever the browser
 * sent: an allowed role, never the release's author, pinned to the current script's SHA-256,
 * only before the contract starts. The gate then counts it (or not) by the policy.
 */
export async function decideApproval(options: { user: CurrentUser; keys: RolloutKeys; decision: "approve" | "reject" | "withdraw"; comment: string }) {
  const { user, keys, decision } = options;
  const { db } = await database();
  return db.transaction(async (tx) => {
    const row = await findRollout(tx, keys, { forUpdate: true });
    if (!row) throw new AppError("not_found", `There is no release ${keys.release} of ${keys.service} in ${keys.environment}.`);
    const checksum = row.rollout.contractChecksum;
    if (!checksum) throw new AppError("conflict", "This release has no contract script yet, so there is nothing to approve.");
    if (STARTED.includes(row.rollout.state)) throw new AppError("conflict", "The contract has already started; decisions can no longer change.");
    const at = now();
    const audit = { at, actorType: "user" as const, actorId: user.id, subjectType: "rollout", subjectId: row.rollout.id, rolloutId: row.rollout.id };

    if (decision === "withdraw") {
      if (!(await withdrawDecision(tx, { rolloutId: row.rollout.id, approverId: user.id, contractChecksum: checksum, at })))
        throw new AppError("conflict", "You have no decision on this version of the contract script to withdraw.");
      await appendAudit(tx, { ...audit, action: "approval.withdrawn", data: { email: user.email, contractChecksum: checksum } });
      return;
    }
    const policy = parsePolicy(row.policy);
    if (!policy.ok) throw new Error("stored policy is invalid");
    const allowed = policy.policy.approvals.allowedRoles;
    const role = rolesFor(user, row.serviceId).find((r) => allowed.includes(r));
    if (!role) throw new AppError("forbidden", `Your role may not approve contracts in ${keys.environment}; allowed: ${allowed.join(", ").replaceAll("_", " ")}. Ask an admin.`);
    if (row.release.author.trim().toLowerCase() === user.email) throw new AppError("forbidden", "You are the author of this release; someone else must approve its contract.");
    await recordDecision(tx, { rolloutId: row.rollout.id, approverId: user.id, role: role as Role, decision, comment: options.comment, contractChecksum: checksum, at });
    await appendAudit(tx, { ...audit, action: decision === "approve" ? "approval.granted" : "approval.rejected", data: { email: user.email, role, contractChecksum: checksum, comment: options.comment } });
  });
}
