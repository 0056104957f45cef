import type { EvidenceRows } from "./rows.ts";

// GitHub deployment protection rules and promotion between environments (issue 26, findings 1,
// 8 and 19). Walked by `github.test.ts` through `integrations/github.ts` and the gate.
export const GITHUB_ROWS = {
  refNamedLikeRelease: {
    who: "anyone who can push a branch or tag",
    attempt:
      "a validly signed `deployment_protection_rule` for a commit of theirs on a branch or tag named like an open release (or after a release's commit sha, or its short sha)",
    answer:
      "`rejected`, never approved: a deployment is tied to a release only by the full commit sha the linked environment's own pipeline recorded (`release.created` `data.commit_sha`, or a key that is the full sha); the ref is never read",
  },
  otherEnvironmentSha: {
    who: "a CI token scoped to another environment (e.g. staging)",
    attempt:
      "register the release first with a commit sha of its choosing, so that production approves a deployment of that commit (or production's own pipeline gets a 409)",
    answer:
      "the commit is bound per environment like the author: it fixes only the environments the token may act on; production's pipeline records its own (202), and a production deployment of the other commit is `rejected` (a provisional rollout's commit counts for nothing)",
  },
  unrecordedSha: {
    who: "anyone who can push a branch or tag",
    attempt: "a deployment of a commit that no release of the linked environment recorded (or that several did)",
    answer:
      "`rejected` at once, saying so: GitHub's answer is final and `pending` would hold the run for 30 days on a commit Rollgate has no release for",
  },
  redelivery: {
    who: "anyone who captured a delivered webhook",
    attempt: "the same body and signature again under a new `X-GitHub-Delivery`",
    answer:
      "202 `duplicate: true` naming the first callback: one callback per deployment id and workflow run (from the payload), answered once; a rule that names neither is never approved",
  },
  promotionOtherScript: {
    who: "a CI token for a later environment",
    attempt:
      "promote a release whose contract script differs from the one that succeeded in an earlier environment under the same release key",
    answer: "the promotion check fails: the same contract checksum must have succeeded in every earlier environment",
  },
} satisfies EvidenceRows;
