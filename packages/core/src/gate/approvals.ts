import type { Policy } from "../policy/index.ts";
import type { GateCheck, GateFacts } from "./facts.ts";

/** Which approvals count, and a sentence for each reason one does not. */
export function countApprovals(facts: GateFacts, policy: Policy, now: Date) {
  const checksum = facts.rollout.contractChecksum;
  const author = facts.releaseAuthor.trim().toLowerCase();
  const counted = new Set<string>();
  const rejectedBy: string[] = [];
  const ignored = { author: 0, otherScript: 0, expired: 0, role: 0 };
  for (const a of facts.approvals) {
    if (a.withdrawnAt) continue;
    if (a.approverEmail.trim().toLowerCase() === author) ignored.author += 1;
    else if (!policy.approvals.allowedRoles.includes(a.role as never)) ignored.role += 1;
    else if (!checksum || a.contractChecksum !== checksum) ignored.otherScript += 1;
    else if (now.getTime() - a.decidedAt.getTime() > policy.approvals.expirySeconds * 1000) ignored.expired += 1;
    else if (a.decision === "reject") rejectedBy.push(a.approverEmail);
    else counted.add(a.approverId);
  }
  return { have: counted.size, need: policy.approvals.required, rejectedBy, ignored };
}

export function approvalsCheck(facts: GateFacts, policy: Policy, now: Date): GateCheck {
  const title = "Approvals";
  const { have, need, rejectedBy, ignored } = countApprovals(facts, policy, now);
  if (!facts.rollout.contractChecksum) return { id: "approvals", title, status: "pending", message: "No contract script has been registered yet, so there is nothing to approve." };
  const notes = [
    ignored.otherScript && `${ignored.otherScript} approval(s) were for an earlier version of the contract script`,
    ignored.author && "the release's author cannot approve it",
    ignored.expired && `${ignored.expired} approval(s) expired`,
    ignored.role && `${ignored.role} approval(s) came from people whose role may not approve here`,
  ].filter(Boolean);
  const suffix = notes.length ? ` (${notes.join("; ")})` : "";
  if (rejectedBy.length) return { id: "approvals", title, status: "fail", message: `Rejected by ${rejectedBy.join(", ")}; a rejection must be withdrawn before the contract can run${suffix}.` };
  if (have >= need) return { id: "approvals", title, status: "pass", message: `${have} of ${need} required approval(s) for this exact contract script${suffix}.` };
  return { id: "approvals", title, status: "pending", message: `${have} of ${need} required approval(s); waiting for ${need - have} more${suffix}.` };
}
