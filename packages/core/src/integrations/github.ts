import type { GateView } from "./progressive-delivery.ts";

// A GitHub deployment protection rule answered by Rollgate's contract gate: GitHub waits
// until the App posts `approved` or `rejected` to the event's callback URL, for at most
// 30 days. Approved only when the gate is open; rejected with the failing checks when a
// check fails (or nothing matches); otherwise the answer waits.

export const GITHUB_WAIT_LIMIT_MS = 30 * 24 * 3_600_000;
/** Rollgate answers before GitHub gives up, so the run says why. */
export const GITHUB_ANSWER_BY_MS = GITHUB_WAIT_LIMIT_MS - 3_600_000;
const MAX_COMMENT = 1000;

export type GithubDecision =
  { decision: "approved" | "rejected"; comment: string } | { decision: "pending"; comment: string };

export interface GithubRuleFacts {
  /** The linked Rollgate service and environment; null when the GitHub environment is not linked. */
  link: { service: string; environment: string } | null;
  /** The release the deployment matched, and its gate; null when no release matched. */
  rollout: { release: string; gate: GateView } | null;
  /** What the deployment was matched by, for the sentence that says nothing matched. */
  candidates: string[];
  repository: string;
  githubEnvironment: string;
  receivedAt: Date;
  now: Date;
}

const clip = (text: string) => (text.length <= MAX_COMMENT ? text : `${text.slice(0, MAX_COMMENT - 1)}…`);
const line = (c: GateView["checks"][number]) => `- ${c.status === "fail" ? "FAIL" : "waiting"} ${c.id}: ${c.message}`;

export function decideGithubRule(f: GithubRuleFacts): GithubDecision {
  if (!f.link)
    return {
      decision: "rejected",
      comment: clip(
        `Rollgate: ${f.repository} environment "${f.githubEnvironment}" is not linked to a Rollgate service (admin → integrations).`,
      ),
    };
  const where = `${f.link.service}/${f.link.environment}`;
  if (!f.rollout)
    return {
      decision: "rejected",
      comment: clip(
        `Rollgate: no release of ${where} is named ${f.candidates.map((c) => `"${c}"`).join(" or ")}. Register it first (rollgate send release.created --release <sha>).`,
      ),
    };
  const { gate, release } = f.rollout;
  const open = gate.checks.filter((c) => c.status !== "pass" && !c.overridden);
  if (gate.allowed)
    return {
      decision: "approved",
      comment: clip(`Rollgate: the contract gate of ${where}/${release} is open; every check passes.`),
    };
  const failing = open.filter((c) => c.status === "fail");
  if (failing.length)
    return {
      decision: "rejected",
      comment: clip(`Rollgate: the contract gate of ${where}/${release} is closed.\n${failing.map(line).join("\n")}`),
    };
  if (f.now.getTime() - f.receivedAt.getTime() >= GITHUB_ANSWER_BY_MS)
    return {
      decision: "rejected",
      comment: clip(
        `Rollgate: the gate of ${where}/${release} did not open before GitHub stops waiting.\n${open.map(line).join("\n")}`,
      ),
    };
  return {
    decision: "pending",
    comment: clip(`Rollgate: waiting for the gate of ${where}/${release}.\n${open.map(line).join("\n")}`),
  };
}

/** The names a deployment may carry its release under: the full sha, the short sha, the ref without its prefix. */
export function releaseCandidates(deployment: { sha?: string | null; ref?: string | null }): string[] {
  const names = [deployment.sha, deployment.sha?.slice(0, 7), deployment.ref?.replace(/^refs\/(heads|tags)\//, "")];
  return [...new Set(names.filter((n): n is string => Boolean(n)))];
}
