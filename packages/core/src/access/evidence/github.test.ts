import { describe, expect, it } from "vitest";
import { evaluateGate } from "../../gate/index.ts";
import { decideGithubRule, githubRunOf, releasesOfCommit, type GithubRuleFacts } from "../../integrations/github.ts";
import type { GateView } from "../../integrations/progressive-delivery.ts";
import { registerAttributes, rolloutCommit } from "../release-binding.ts";
import { at, CONTRACT_SUM, passingFacts, stagingPolicy } from "../../../test/builders.ts";
import type { GITHUB_ROWS } from "./github.ts";

const open: GateView = { allowed: true, state: "contract_ready", checks: [] };
const released = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const pushed = "9".repeat(40);
const url = (run: number) => `https://api.github.com/repos/acme/billing/actions/runs/${run}/deployment_protection_rule`;

/** What the server hands the rule for a deployment of `sha`, given the releases of the environment. */
function rule(sha: string, releases: Array<{ key: string; commitSha: string | null }>): GithubRuleFacts {
  const matched = releasesOfCommit(sha, releases);
  return {
    link: { service: "billing", environment: "production" },
    run: githubRunOf({ deploymentId: 7, callbackUrl: url(42) }),
    sha,
    matched,
    rollout: matched.length === 1 ? { release: matched[0]!, gate: open } : null,
    repository: "acme/billing",
    githubEnvironment: "production",
    receivedAt: at(0),
    now: at(0),
  };
}

const WALKS: Record<keyof typeof GITHUB_ROWS, () => void> = {
  refNamedLikeRelease: () => {
    // Open releases named "rgh", after a commit sha, and after a short sha: the pusher's commit matches none.
    const releases = [
      { key: "rgh", commitSha: released },
      { key: released, commitSha: null },
      { key: pushed.slice(0, 7), commitSha: null },
    ];
    expect(decideGithubRule(rule(pushed, releases))).toMatchObject({ decision: "rejected" });
  },
  otherEnvironmentSha: () => {
    const decoy = "5".repeat(40);
    const attributes = (author: string, commitSha: string | null) => ({ author, appVersion: "1.0.0", commitSha });
    const first = registerAttributes({
      release: "r",
      environment: "staging",
      mayActOn: ["staging"],
      incoming: attributes("decoy", decoy),
      environments: [
        { environment: "staging", bound: null },
        { environment: "production", bound: null },
      ],
    });
    expect(first).toMatchObject({ ok: true, bind: ["staging"], recordCommit: [] });
    // Production's rollout is provisional: staging's commit is not its, so nothing matches.
    const provisional = { key: "r", commitSha: rolloutCommit({ provisional: true, commitSha: null }) };
    expect(decideGithubRule(rule(decoy, [provisional]))).toMatchObject({ decision: "rejected" });
    const second = registerAttributes({
      release: "r",
      environment: "production",
      mayActOn: ["production"],
      incoming: attributes("dev", released),
      environments: [
        { environment: "staging", bound: attributes("decoy", decoy) },
        { environment: "production", bound: null },
      ],
    });
    expect(second).toMatchObject({ ok: true, bind: ["production"] });
    const production = [{ key: "r", commitSha: rolloutCommit({ provisional: false, commitSha: released }) }];
    expect(decideGithubRule(rule(decoy, production))).toMatchObject({ decision: "rejected" });
    expect(decideGithubRule(rule(released, production))).toMatchObject({ decision: "approved" });
  },
  unrecordedSha: () => {
    expect(decideGithubRule(rule(pushed, []))).toMatchObject({
      decision: "rejected",
      comment: expect.stringContaining(`recorded commit "${pushed}"`),
    });
    const twice = [
      { key: "v1", commitSha: released },
      { key: "v1-again", commitSha: released },
    ];
    expect(decideGithubRule(rule(released, twice))).toMatchObject({ decision: "rejected" });
  },
  redelivery: () => {
    // The dedupe key is read from the signed body alone, so a new delivery id leaves it the same.
    const body = { deploymentId: 7, callbackUrl: url(42) };
    expect(githubRunOf(structuredClone(body))).toEqual(githubRunOf(body));
    expect(githubRunOf({ deploymentId: 8, callbackUrl: url(42) })).not.toEqual(githubRunOf(body));
    expect(decideGithubRule({ ...rule(released, [{ key: "v1", commitSha: released }]), run: null })).toMatchObject({
      decision: "rejected",
    });
  },
  promotionOtherScript: () => {
    const check = (contractChecksum: string) =>
      evaluateGate(
        passingFacts({ earlierEnvironments: [{ name: "staging", state: "contracted", contractChecksum }] }),
        stagingPolicy(),
        at(2),
      ).checks.find((c) => c.id === "promotion")!;
    expect(check("d".repeat(64)).status).toBe("fail");
    expect(check(CONTRACT_SUM).status).toBe("pass");
  },
};

describe("evidence: GitHub", () => {
  for (const id of Object.keys(WALKS) as Array<keyof typeof WALKS>) it(id, WALKS[id]);
});
