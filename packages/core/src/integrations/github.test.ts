import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decideGithubRule,
  githubRunOf,
  GITHUB_ANSWER_BY_MS,
  recordedCommit,
  releasesOfCommit,
  type GithubRuleFacts,
} from "./github.ts";
import type { GateView } from "./progressive-delivery.ts";

const at = new Date("2026-11-20T10:00:00Z");
const gate = (statuses: Record<string, "pass" | "fail" | "pending">, allowed = false): GateView => ({
  allowed,
  state: "verifying",
  checks: ["expand", "rollback_window", "slo", "approvals"].map((id) => ({
    id: id as never,
    status: statuses[id] ?? "pass",
    message: `${id} message`,
  })),
});
const facts = (over: Partial<GithubRuleFacts> = {}): GithubRuleFacts => ({
  link: { service: "billing", environment: "production" },
  run: { deploymentId: 7, runId: 42 },
  sha: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
  matched: ["abc123"],
  rollout: { release: "abc123", gate: gate({}, true) },
  repository: "acme/billing",
  githubEnvironment: "production-contract",
  receivedAt: at,
  now: at,
  ...over,
});

describe("GitHub deployment protection rule decisions", () => {
  it("approves only an open gate", () => {
    expect(decideGithubRule(facts())).toMatchObject({ decision: "approved" });
  });

  it("rejects a closed gate with the failing checks, and waits while checks are only pending", () => {
    const rejected = decideGithubRule(
      facts({ rollout: { release: "abc123", gate: gate({ slo: "fail", approvals: "pending" }) } }),
    );
    expect(rejected.decision).toBe("rejected");
    expect(rejected.comment).toContain("- FAIL slo: slo message");
    expect(rejected.comment).not.toContain("approvals");
    expect(
      decideGithubRule(facts({ rollout: { release: "abc123", gate: gate({ approvals: "pending" }) } })),
    ).toMatchObject({ decision: "pending", comment: expect.stringContaining("waiting approvals") });
  });

  it("rejects before GitHub stops waiting, saying what it still waits on", () => {
    const late = decideGithubRule(
      facts({
        rollout: { release: "abc123", gate: gate({ rollback_window: "pending" }) },
        now: new Date(at.getTime() + GITHUB_ANSWER_BY_MS),
      }),
    );
    expect(late).toMatchObject({ decision: "rejected", comment: expect.stringContaining("rollback_window") });
  });

  it("rejects an unlinked environment and an unknown release with what to do", () => {
    expect(decideGithubRule(facts({ link: null }))).toMatchObject({
      decision: "rejected",
      comment: expect.stringContaining("admin → integrations"),
    });
    expect(decideGithubRule(facts({ rollout: null, matched: [] }))).toMatchObject({
      decision: "rejected",
      comment: expect.stringContaining('recorded commit "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"'),
    });
  });

  it("finding 1: a branch or tag named like an open release does not approve a GitHub deployment", () => {
    const open = [{ key: "rgh", commitSha: null }];
    // The ref is not even an input: only the deployment's sha is compared.
    expect(releasesOfCommit("9".repeat(40), open)).toEqual([]);
    // A release keyed by a commit sha: a branch named after it changes nothing, a short sha never matches.
    const keyed = [{ key: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", commitSha: null }];
    expect(releasesOfCommit("9".repeat(40), keyed)).toEqual([]);
    expect(releasesOfCommit("f95f852", [{ key: "f95f852", commitSha: null }])).toEqual([]);
    expect(releasesOfCommit("f95f852bd8fca8fcc58a9a2d6c842781e32a215e", keyed)).toEqual([keyed[0]!.key]);
    // Nothing matched: rejected, never approved, whatever the gates are.
    expect(decideGithubRule(facts({ matched: [], rollout: { release: "rgh", gate: gate({}, true) } }))).toMatchObject({
      decision: "rejected",
    });
  });

  it("finding 1: a deployment is tied to the commit sha release.created recorded, before the key", () => {
    const sha = "2".repeat(40);
    expect(recordedCommit({ key: "v5.0.0", commitSha: sha })).toBe(sha);
    expect(recordedCommit({ key: "v5.0.0", commitSha: null })).toBeNull();
    expect(recordedCommit({ key: "3".repeat(40), commitSha: sha })).toBe(sha);
    expect(recordedCommit({ key: "a".repeat(64), commitSha: null })).toBe("a".repeat(64));
    expect(releasesOfCommit(sha.toUpperCase(), [{ key: "v5.0.0", commitSha: sha }])).toEqual(["v5.0.0"]);
    expect(releasesOfCommit(null, [{ key: "v5.0.0", commitSha: sha }])).toEqual([]);
  });

  it("finding 1: a sha no release recorded, several releases of one sha, or no sha at all is rejected", () => {
    expect(decideGithubRule(facts({ matched: [], rollout: null })).decision).toBe("rejected");
    expect(decideGithubRule(facts({ matched: ["a", "b"], rollout: null }))).toMatchObject({
      decision: "rejected",
      comment: expect.stringContaining("several releases"),
    });
    expect(decideGithubRule(facts({ sha: null })).decision).toBe("rejected");
    // The gate handed over must be the matched release's.
    expect(decideGithubRule(facts({ matched: ["other"] })).decision).toBe("rejected");
  });

  it("approves only a gate whose release recorded the deployment's sha (property)", () => {
    const hex = fc.stringMatching(/^[0-9a-f]{40}$/);
    fc.assert(
      fc.property(
        hex,
        fc.array(fc.record({ key: fc.string({ minLength: 1, maxLength: 45 }), commitSha: fc.option(hex) })),
        fc.string(),
        (sha, releases, ref) => {
          const matched = releasesOfCommit(sha, releases);
          const decision = decideGithubRule(
            facts({ sha, matched, rollout: { release: matched[0] ?? ref, gate: gate({}, true) } }),
          ).decision;
          if (decision === "approved") {
            expect(matched).toHaveLength(1);
            expect(recordedCommit(releases.find((r) => r.key === matched[0])!)).toBe(sha);
          }
        },
      ),
    );
  });

  it("finding 8: a protection rule is one deployment in one workflow run", () => {
    const url = "https://api.github.com/repos/acme/billing/actions/runs/1234/deployment_protection_rule";
    expect(githubRunOf({ deploymentId: 7, callbackUrl: url })).toEqual({ deploymentId: 7, runId: 1234 });
    expect(githubRunOf({ deploymentId: null, callbackUrl: url })).toBeNull();
    expect(githubRunOf({ deploymentId: 7, callbackUrl: "https://api.github.com/repos/acme/billing" })).toBeNull();
    expect(githubRunOf({ deploymentId: 7, callbackUrl: "not a url" })).toBeNull();
    expect(decideGithubRule(facts({ run: null })).decision).toBe("rejected");
  });
});
