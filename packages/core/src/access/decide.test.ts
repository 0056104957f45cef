import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateGate, GATE_CHECK_IDS, type GateCheckId, type OverrideFact } from "../gate/index.ts";
import { defaultPolicy } from "../policy/index.ts";
import { at, CONTRACT_SUM, isAuthor, passingFacts, stagingPolicy } from "../../test/builders.ts";
import { ROLES, type Role } from "../types.ts";
import { BACKFILL_CONTROLS, BACKFILL_STATES } from "../contract/backfill.ts";
import {
  mayBreakGlass,
  BACKFILL_ACTIONS,
  controlAfter,
  mayConfirmOverride,
  mayControlBackfill,
  mayDecideApproval,
  mayReviewOverride,
  mayStartRecovery,
  OVERRIDABLE_CHECKS,
  overrideDurationAllowed,
  overrideMaxMinutes,
  rolesOn,
  type Person,
  type RolloutContext,
} from "./decide.ts";
import { mayRead } from "./reading.ts";
import { ACTIONS, ACTOR_GRANTS, ACTORS, MATRIX, matrixMarkdown, type Action, type Actor } from "./matrix.ts";
import { authorIdentities, emailIdentity, loginIdentity } from "./identity.ts";

const SERVICES = ["svc-a", "svc-b"];
const grantArb = fc.record({
  role: fc.constantFrom(...ROLES),
  serviceId: fc.constantFrom<string | null>(null, ...SERVICES),
});
const personArb: fc.Arbitrary<Person> = fc.record({
  id: fc.constantFrom("p1", "p2", "author"),
  roles: fc.array(grantArb, { maxLength: 4 }),
});
const ctx = (patch: Partial<RolloutContext> = {}): RolloutContext => ({
  serviceId: "svc-a",
  environment: "production",
  state: "verifying",
  policy: defaultPolicy("production"),
  authorIds: ["author"],
  contractChecksum: CONTRACT_SUM,
  ...patch,
});
const override = (checks: GateCheckId[], patch: Partial<OverrideFact> = {}): OverrideFact => ({
  kind: "break_glass",
  checks,
  actor: "rm@example.com",
  createdAt: at(1),
  expiresAt: at(5),
  confirmedAt: at(1),
  ...patch,
});

describe("who may decide (property tests)", () => {
  it("finding 6: a role on another service never grants anything on this one", () => {
    fc.assert(
      fc.property(personArb, (person) => {
        const onA = rolesOn(person, "svc-a");
        const onlyB = person.roles.every((r) => r.serviceId === "svc-b");
        if (onlyB) expect(onA).toEqual([]);
        for (const decision of [
          mayDecideApproval(person, ctx(), CONTRACT_SUM),
          mayBreakGlass(person, ctx(), ["slo"]),
          mayReviewOverride(person, "svc-a", { actorId: "x" }, ["author"]),
          mayConfirmOverride(person, ctx(), { actorId: "x", confirmedAt: null }),
        ])
          if (decision.ok) expect(onA).toContain(decision.role);
      }),
      { numRuns: 500 },
    );
  });

  it("finding 3: break-glass is refused on approvals, the lease and expand safety, and to the release's author", () => {
    const manager: Person = { id: "p1", roles: [{ role: "release_manager", serviceId: null }] };
    fc.assert(
      fc.property(fc.subarray([...GATE_CHECK_IDS], { minLength: 1 }), (checks) => {
        const decision = mayBreakGlass(manager, ctx(), checks);
        const protectedOne = checks.some((c) => !(OVERRIDABLE_CHECKS as readonly string[]).includes(c));
        expect(decision.ok).toBe(!protectedOne);
        expect(mayBreakGlass({ ...manager, id: "author" }, ctx(), checks).ok).toBe(false);
      }),
    );
  });

  it("finding 3: no override, however broad, opens a gate whose approvals, lease or expand check fails", () => {
    const policy = stagingPolicy();
    fc.assert(
      fc.property(
        fc.subarray([...GATE_CHECK_IDS]),
        fc.constantFrom("approvals", "lease", "expand"),
        (checks, broken) => {
          const facts = passingFacts({ overrides: [override(checks)] });
          if (broken === "approvals") facts.approvals = [];
          if (broken === "lease") facts.activeLease = { holder: "other job", expiresAt: at(9) };
          if (broken === "expand") facts.expandDestructiveFindings = 1;
          expect(evaluateGate(facts, policy, at(2)).allowed).toBe(false);
        },
      ),
    );
  });

  it("finding 3: in production an override takes effect only after a second person confirms it", () => {
    const policy = {
      ...defaultPolicy("production"),
      rollbackWindowSeconds: 3600,
      approvals: { ...defaultPolicy("production").approvals, required: 1 },
      slo: stagingPolicy().slo,
    };
    const base = passingFacts({ environment: "production", productionLike: true, latestTestedBackup: null });
    expect(
      evaluateGate({ ...base, overrides: [override(["backup"], { confirmedAt: null })] }, policy, at(2)).allowed,
    ).toBe(false);
    expect(evaluateGate({ ...base, overrides: [override(["backup"])] }, policy, at(2)).allowed).toBe(true);
    const lead: Person = { id: "p1", roles: [{ role: "release_manager", serviceId: null }] };
    expect(mayConfirmOverride(lead, ctx(), { actorId: "p1", confirmedAt: null })).toMatchObject({
      ok: false,
      code: "forbidden",
    });
    expect(mayConfirmOverride(lead, ctx(), { actorId: "p2", confirmedAt: null })).toMatchObject({ ok: true });
  });

  it("finding 5: an approval stops counting when its approver no longer holds an approving role", () => {
    fc.assert(
      fc.property(fc.subarray([...ROLES] as Role[]), (roles) => {
        const facts = passingFacts({
          approvals: [
            {
              approverId: "u1",
              approverEmail: "amir@example.com",
              role: "approver",
              currentRoles: roles,
              decision: "approve",
              contractChecksum: CONTRACT_SUM,
              decidedAt: at(1),
              withdrawnAt: null,
            },
          ],
        });
        const policy = stagingPolicy();
        const mayApprove = roles.some((r) => policy.approvals.allowedRoles.includes(r));
        expect(evaluateGate(facts, policy, at(2)).approvals.have).toBe(mayApprove ? 1 : 0);
      }),
    );
  });

  it("finding 7: the author is matched through every identity the CI text can stand for", () => {
    expect(authorIdentities("octocat@users.noreply.github.com")).toEqual([
      emailIdentity("octocat@users.noreply.github.com"),
      loginIdentity("octocat"),
    ]);
    expect(authorIdentities("12345+OctoCat@users.noreply.github.com")).toContain(loginIdentity("octocat"));
    expect(
      isAuthor([emailIdentity("dev@example.com"), loginIdentity("octocat")], "12345+octocat@users.noreply.github.com"),
    ).toBe(true);
    expect(isAuthor([emailIdentity("dev@example.com")], " Dev@Example.com ")).toBe(true);
    expect(isAuthor([emailIdentity("dev@example.com")], "someone-else")).toBe(false);
    fc.assert(fc.property(fc.string(), (text) => authorIdentities(text).every((i) => i === i.toLowerCase())));
  });

  it("finding 7: an author nobody knows costs one more approval, or refuses where the policy says so", () => {
    const policy = stagingPolicy();
    const unknown = passingFacts({ authorIds: [], releaseAuthor: "octocat@users.noreply.github.com" });
    const verdict = evaluateGate(unknown, policy, at(2));
    expect(verdict.approvals).toEqual({ have: 1, need: 2 });
    expect(verdict.checks.find((c) => c.id === "approvals")?.message).toContain("nobody Rollgate knows");
    const strict = { ...policy, approvals: { ...policy.approvals, unknownAuthor: "refuse" as const } };
    expect(evaluateGate(unknown, strict, at(2)).checks.find((c) => c.id === "approvals")?.status).toBe("fail");
    // The author's own approval never counts, whichever identity it came through.
    const own = passingFacts({ authorIds: ["u1"] });
    expect(evaluateGate(own, policy, at(2)).approvals.have).toBe(0);
  });

  it("finding 15: a decision on a script other than the one the approver saw is refused", () => {
    const approver: Person = { id: "p2", roles: [{ role: "approver", serviceId: "svc-a" }] };
    fc.assert(
      fc.property(fc.constantFrom(CONTRACT_SUM, "d".repeat(64), "0".repeat(64)), (seen) => {
        const decision = mayDecideApproval(approver, ctx(), seen);
        expect(decision.ok).toBe(seen === CONTRACT_SUM);
        if (!decision.ok) expect(decision.reason).toContain("changed while you were reading");
      }),
    );
  });
});

describe("who may pause, resume or cancel a backfill (property tests)", () => {
  const backfillArb = fc.record({
    serviceId: fc.constant("svc-a"),
    state: fc.constantFrom(...BACKFILL_STATES),
    control: fc.constantFrom(...BACKFILL_CONTROLS),
  });
  const actionArb = fc.constantFrom(...BACKFILL_ACTIONS);

  it("only a release manager, an on-call engineer or an admin of the service (or of every service) may, as that role", () => {
    fc.assert(
      fc.property(personArb, backfillArb, actionArb, (person, backfill, action) => {
        const decision = mayControlBackfill(person, backfill, action);
        const held = rolesOn(person, "svc-a").filter((r) => ["release_manager", "on_call", "admin"].includes(r));
        if (held.length === 0) expect(decision).toMatchObject({ ok: false, code: "forbidden" });
        if (decision.ok) expect(held).toContain(decision.role);
        // A role on another service alone never grants it.
        const elsewhere = { ...person, roles: person.roles.map((r) => ({ ...r, serviceId: "svc-b" })) };
        expect(mayControlBackfill(elsewhere, backfill, action).ok).toBe(false);
      }),
    );
  });

  it("a cancelled backfill is never resumed, and nothing moves a finished, failed or cancelled one", () => {
    fc.assert(
      fc.property(personArb, backfillArb, actionArb, (person, backfill, action) => {
        const decision = mayControlBackfill(person, backfill, action);
        const cancelled = backfill.state === "cancelled" || backfill.control === "cancel";
        if (cancelled && action === "resume") expect(decision.ok).toBe(false);
        if (["finished", "failed", "cancelled"].includes(backfill.state)) expect(decision.ok).toBe(false);
        if (decision.ok) expect(controlAfter(action)).not.toBe(backfill.control);
      }),
    );
  });

  it("pause asks it to wait, resume to run again, cancel to stop; each says why when refused", () => {
    const rm: Person = { id: "p1", roles: [{ role: "release_manager", serviceId: "svc-a" }] };
    const running = { serviceId: "svc-a", state: "running" as const, control: "run" as const };
    expect(mayControlBackfill(rm, running, "pause")).toEqual({ ok: true, role: "release_manager" });
    expect(controlAfter("pause")).toBe("pause");
    expect(controlAfter("resume")).toBe("run");
    expect(controlAfter("cancel")).toBe("cancel");
    expect(mayControlBackfill(rm, { ...running, control: "pause" }, "resume").ok).toBe(true);
    expect(mayControlBackfill(rm, { ...running, control: "cancel" }, "resume")).toMatchObject({
      ok: false,
      code: "conflict",
      reason: expect.stringContaining("cannot be resumed"),
    });
    expect(mayControlBackfill(rm, { ...running, state: "paused" }, "resume")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("goes on by itself"),
    });
    const viewer: Person = { id: "p2", roles: [{ role: "viewer", serviceId: null }] };
    expect(mayControlBackfill(viewer, running, "pause")).toMatchObject({ ok: false, code: "forbidden" });
  });
});

describe("how long an override lasts", () => {
  it("more than nothing and at most the policy's break-glass duration, for overrides and recovery runs alike", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 72 * 60 }),
        fc.integer({ min: -10, max: 80 * 60 }),
        (maxMinutes, minutes) => {
          const policy = stagingPolicy();
          policy.breakGlass = { ...policy.breakGlass, maxDurationSeconds: maxMinutes * 60 };
          expect(overrideMaxMinutes(policy)).toBe(maxMinutes);
          expect(overrideDurationAllowed(policy, minutes)).toBe(minutes >= 1 && minutes <= maxMinutes);
        },
      ),
    );
  });
});

describe("the permission matrix of docs/SECURITY.md", () => {
  const production = defaultPolicy("production");
  const personFor = (actor: Actor): Person => {
    const grant = ACTOR_GRANTS[actor];
    const serviceId = grant?.scope === "global" ? null : grant?.scope === "other_service" ? "svc-b" : "svc-a";
    return { id: actor, roles: grant ? [{ role: grant.role, serviceId }] : [] };
  };
  const context = (state: RolloutContext["state"] = "verifying") =>
    ctx({ state, policy: production, authorIds: ["author"] });
  const decide: Record<Action, (p: Person) => boolean> = {
    approve: (p) => mayDecideApproval(p, context(), CONTRACT_SUM).ok,
    break_glass: (p) => mayBreakGlass(p, context(), ["rollback_window"]).ok,
    confirm_override: (p) => mayConfirmOverride(p, context(), { actorId: "someone-else", confirmedAt: null }).ok,
    authorise_recovery: (p) => mayStartRecovery(p, context("contract_failed")).ok,
    review_override: (p) => mayReviewOverride(p, "svc-a", { actorId: "someone-else" }, ["author"]).ok,
    pause_backfill: (p) => mayControlBackfill(p, { serviceId: "svc-a", state: "running", control: "run" }, "pause").ok,
    resume_backfill: (p) =>
      mayControlBackfill(p, { serviceId: "svc-a", state: "paused", control: "pause" }, "resume").ok,
    cancel_backfill: (p) => mayControlBackfill(p, { serviceId: "svc-a", state: "paused", control: "run" }, "cancel").ok,
    // What the admin pages and actions ask (server/auth/reading.ts, requireAdmin).
    administer: (p) => mayRead({ kind: "admin" }, p, { publicWallboard: false }).allowed,
  };

  for (const action of ACTIONS)
    for (const actor of ACTORS)
      it(`${actor} ${MATRIX[action][actor] ? "may" : "may not"} ${action.replaceAll("_", " ")}`, () => {
        expect(decide[action](personFor(actor))).toBe(MATRIX[action][actor]);
      });
});

describe("docs/SECURITY.md", () => {
  it("prints the permission matrix exactly as the rules are tested", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(new URL("../../../../docs/SECURITY.md", import.meta.url), "utf8");
    expect(doc).toContain(matrixMarkdown());
  });
});
