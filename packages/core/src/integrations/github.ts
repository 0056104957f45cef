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
  /** The deployment and workflow run the rule belongs to; null when the payload names neither (never approved). */
  run: GithubRun | null;
  /** The deployment's commit sha as GitHub sent it; null when it carries none. */
  sha: string | null;
  /** Every release of the linked environment that recorded that sha (`releasesOfCommit`). */
  matched: readonly string[];
  /** The gate of the one matched release; null when none or several matched. */
  rollout: { release: string; gate: GateView } | null;
  repository: string;
  githubEnvironment: string;
  receivedAt: Date;
  now: Date;
}

/** A deployment in a workflow run: what a protection rule is de-duplicated on. */
export interface GithubRun {
  deploymentId: number;
  runId: number;
}

const clip = (text: string) => (text.length <= MAX_COMMENT ? text : `${text.slice(0, MAX_COMMENT - 1)}…`);
const line = (c: GateView["checks"][number]) => `- ${c.status === "fail" ? "FAIL" : "waiting"} ${c.id}: ${c.message}`;
const rejected = (comment: string): GithubDecision => ({ decision: "rejected", comment: clip(comment) });

/**
 * A deployment is tied to a release only by the commit sha the release's pipeline recorded,
 * never by its branch or tag name (anyone who can push chooses those). A deployment whose sha
 * no release recorded is rejected at once, as before: GitHub's answers are final and a
 * `pending` would hold the run for 30 days on a commit Rollgate has no release for; a
 * pipeline registers its release (`release.created`) before the protected job starts.
 */
export function decideGithubRule(f: GithubRuleFacts): GithubDecision {
  if (!f.link)
    return rejected(
      `Rollgate: ${f.repository} environment "${f.githubEnvironment}" is not linked to a Rollgate service (admin → integrations).`,
    );
  const where = `${f.link.service}/${f.link.environment}`;
  if (!f.run)
    return rejected(
      "Rollgate: the protection rule names no deployment id or workflow run, so it cannot be tied to one deployment.",
    );
  if (!f.sha)
    return rejected(`Rollgate: the deployment carries no commit sha; a release of ${where} is matched by it.`);
  if (f.matched.length > 1)
    return rejected(
      `Rollgate: commit "${f.sha}" was recorded by several releases of ${where} (${f.matched.map((r) => `"${r}"`).join(", ")}); Rollgate cannot tell which gate guards it.`,
    );
  if (!f.rollout || f.matched.length === 0 || f.rollout.release !== f.matched[0])
    return rejected(
      `Rollgate: no release of ${where} recorded commit "${f.sha}". The pipeline records it in release.created (data.commit_sha, or a release keyed by the full sha); a branch or tag name never counts.`,
    );
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

/** A full git object id (SHA-1 or SHA-256), lower-case: what a commit sha is when it is recorded. */
export const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The commit a release recorded in the linked environment: its rollout's `release.created`
 * data.commit_sha (per environment, none while provisional: `access/release-binding`
 * `rolloutCommit`), else its key when the key itself is a full commit sha (pipelines that name
 * releases by `github.sha`). Never a prefix: a short sha can be ground out by whoever pushes.
 */
export function recordedCommit(release: { key: string; commitSha: string | null }): string | null {
  if (release.commitSha) return release.commitSha;
  return COMMIT_SHA.test(release.key) ? release.key : null;
}

/** The releases (keys) whose recorded commit is exactly the deployment's sha; the ref is never read. */
export function releasesOfCommit(
  sha: string | null | undefined,
  releases: ReadonlyArray<{ key: string; commitSha: string | null }>,
): string[] {
  const wanted = sha?.toLowerCase();
  if (!wanted || !COMMIT_SHA.test(wanted)) return [];
  return releases.filter((r) => recordedCommit(r) === wanted).map((r) => r.key);
}

/** The deployment and workflow run of a `deployment_protection_rule`: the id GitHub gave the
 * deployment and the run id of its callback URL (`…/actions/runs/<id>/deployment_protection_rule`). */
export function githubRunOf(payload: {
  deploymentId: number | null | undefined;
  callbackUrl: string;
}): GithubRun | null {
  const runId = /\/actions\/runs\/(\d{1,18})\/deployment_protection_rule$/.exec(safePath(payload.callbackUrl))?.[1];
  if (!runId || payload.deploymentId === null || payload.deploymentId === undefined) return null;
  return { deploymentId: payload.deploymentId, runId: Number(runId) };
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}
