import type { Policy } from "../policy/index.ts";
import type { GateCheck, GateFacts } from "./facts.ts";

/** How many approvals this rollout needs: one more when its author is nobody Rollgate knows
 * (so nobody can be excluded as the author) and the policy asks for approvals at all. */
export function approvalsNeeded(facts: GateFacts, policy: Policy): number {
  const { required, unknownAuthor = "extra_approval" } = policy.approvals;
  return required + (required > 0 && facts.authorIds.length === 0 && unknownAuthor === "extra_approval" ? 1 : 0);
}

/** Which approvals count, and a sentence for each reason one does not. */
export function countApprovals(facts: GateFacts, policy: Policy, now: Date) {
  const checksum = facts.rollout.contractChecksum;
  const authors = new Set(facts.authorIds);
  const allowed: readonly string[] = policy.approvals.allowedRoles;
  const counted = new Set<string>();
  const rejectedBy: string[] = [];
  const ignored = { author: 0, otherScript: 0, expired: 0, role: 0 };
  for (const a of facts.approvals) {
    if (a.withdrawnAt) continue;
    if (authors.has(a.approverId)) ignored.author += 1;
    else if (!a.currentRoles.some((r) => allowed.includes(r))) ignored.role += 1;
    else if (!checksum || a.contractChecksum !== checksum) ignored.otherScript += 1;
    else if (now.getTime() - a.decidedAt.getTime() > policy.approvals.expirySeconds * 1000) ignored.expired += 1;
    else if (a.decision === "reject") rejectedBy.push(a.approverEmail);
    else counted.add(a.approverId);
  }
  return { have: counted.size, need: approvalsNeeded(facts, policy), rejectedBy, ignored };
}

export function approvalsCheck(facts: GateFacts, policy: Policy, now: Date): GateCheck {
  const title = "Approvals";
  const { have, need, rejectedBy, ignored } = countApprovals(facts, policy, now);
  if (!facts.rollout.contractChecksum)
    return {
      id: "approvals",
      title,
      status: "pending",
      message: "No contract script has been registered yet, so there is nothing to approve.",
    };
  const unknownAuthor = facts.authorIds.length === 0;
  if (unknownAuthor && policy.approvals.unknownAuthor === "refuse")
    return {
      id: "approvals",
      title,
      status: "fail",
      message: `The release's author "${facts.releaseAuthor}" is nobody Rollgate knows, and this environment's policy refuses such a contract: link that identity to a person (admin, users) or send the author as a known e-mail or login.`,
    };
  const notes = [
    unknownAuthor &&
      need > policy.approvals.required &&
      `the author "${facts.releaseAuthor}" is nobody Rollgate knows, so one more approval is needed`,
    ignored.otherScript && `${ignored.otherScript} approval(s) were for an earlier version of the contract script`,
    ignored.author && "the release's author cannot approve it",
    ignored.expired && `${ignored.expired} approval(s) expired`,
    ignored.role && `${ignored.role} approval(s) came from people who no longer hold a role that may approve here`,
  ].filter(Boolean);
  const suffix = notes.length ? ` (${notes.join("; ")})` : "";
  if (rejectedBy.length)
    return {
      id: "approvals",
      title,
      status: "fail",
      message: `Rejected by ${rejectedBy.join(", ")}; a rejection must be withdrawn before the contract can run${suffix}.`,
    };
  if (have >= need)
    return {
      id: "approvals",
      title,
      status: "pass",
      message: `${have} of ${need} required approval(s) for this exact contract script${suffix}.`,
    };
  return {
    id: "approvals",
    title,
    status: "pending",
    message: `${have} of ${need} required approval(s); waiting for ${need - have} more${suffix}.`,
  };
}
