import { describe, expect, it } from "vitest";
import { decideGithubRule, GITHUB_ANSWER_BY_MS, releaseCandidates, type GithubRuleFacts } from "./github.ts";
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
  rollout: { release: "abc123", gate: gate({}, true) },
  candidates: ["abc123"],
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
    expect(decideGithubRule(facts({ rollout: null, candidates: ["f95f852", "main"] }))).toMatchObject({
      decision: "rejected",
      comment: expect.stringContaining('"f95f852" or "main"'),
    });
  });

  it("matches a deployment by full sha, short sha and ref", () => {
    expect(releaseCandidates({ sha: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", ref: "refs/tags/v1.2.0" })).toEqual([
      "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
      "f95f852",
      "v1.2.0",
    ]);
    expect(releaseCandidates({ sha: null, ref: "main" })).toEqual(["main"]);
  });
});
