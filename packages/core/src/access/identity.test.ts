import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateGate } from "../gate/index.ts";
import { defaultPolicy } from "../policy/index.ts";
import { at, CONTRACT_SUM, isAuthor, passingFacts, stagingPolicy } from "../../test/builders.ts";
import {
  mayBreakGlass,
  mayConfirmOverride,
  mayDecideApproval,
  mayReviewOverride,
  mayStartRecovery,
  type Person,
  type RolloutContext,
} from "./decide.ts";
import { authorIdentities, emailIdentity, loginIdentity } from "./identity.ts";

// A known person: an e-mail address and a forge login, spelled as CI might.
const localArb = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,15}$/);
const domainArb = fc.stringMatching(/^[a-z0-9-]{1,12}\.(?:com|org|io|example)$/);
const loginArb = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);
const INVISIBLE = [
  "\u200b",
  "\u200c",
  "\u200d",
  "\u2060",
  "\ufeff",
  "\u200e",
  "\u200f",
  "\u202a",
  "\u202c",
  "\u2066",
  "\u2069",
];

/** Random upper/lower case per character, invisible characters slipped in, whitespace around. */
const disguise = (text: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length }),
      fc.array(fc.tuple(fc.nat(text.length), fc.constantFrom(...INVISIBLE)), { maxLength: 3 }),
      fc.constantFrom("", " ", "  ", "\t", "\n"),
      fc.constantFrom("", " ", "\n", "\r\n"),
    )
    .map(([upper, invisible, before, after]) => {
      const chars = [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c));
      for (const [position, mark] of invisible.sort((a, b) => b[0] - a[0])) chars.splice(position, 0, mark);
      return `${before}${chars.join("")}${after}`;
    });

const spellingArb = fc
  .record({ local: localArb, domain: domainArb, login: loginArb, tag: fc.stringMatching(/^[a-z0-9-]{1,8}$/) })
  .chain(({ local, domain, login, tag }) =>
    fc
      .constantFrom(
        `${local}@${domain}`,
        `${local}+${tag}@${domain}`,
        `Rita Release <${local}@${domain}>`,
        `"Release, Rita" <${local}+${tag}@${domain}>`,
        `<${local}@${domain}>`,
        `@${login}`,
        login,
      )
      .chain(disguise)
      .map((spelling) => ({ identities: [emailIdentity(`${local}@${domain}`), loginIdentity(login)], spelling })),
  );

describe("finding 3 (issue 26): the author is one person however CI spells them", () => {
  it("the spellings the review used resolve to Rita", () => {
    const rita = [emailIdentity("rita.release@example.com"), loginIdentity("rita-r")];
    for (const spelling of [
      "Rita Release <rita.release@example.com>",
      "@rita-r",
      "rita.release+ci@example.com",
      "rita.release@example.com\u200b",
      "\ufeffRITA.Release@Example.COM ",
    ])
      expect(isAuthor(rita, spelling), spelling).toBe(true);
    expect(authorIdentities("@rita-r")).toEqual([loginIdentity("rita-r")]);
    expect(authorIdentities("Rita Release <rita.release@example.com>")).toEqual([
      emailIdentity("rita.release@example.com"),
    ]);
  });

  it("any spelling of a known person's identity (case, whitespace, invisible characters, Name <email>, plus tag, @login) resolves to that person", () => {
    fc.assert(
      fc.property(spellingArb, ({ identities, spelling }) => {
        expect(isAuthor(identities, spelling)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("plus-addressing is a setting: off, a tagged address is another mailbox", () => {
    const rita = [emailIdentity("rita@example.com")];
    expect(isAuthor(rita, "rita+ci@example.com", { plusAddressing: false })).toBe(false);
    expect(isAuthor([emailIdentity("rita+ci@example.com")], "rita+ci@example.com", { plusAddressing: false })).toBe(
      true,
    );
    // Either side may carry the tag: it is the same mailbox.
    expect(isAuthor([emailIdentity("rita+work@example.com")], "rita@example.com")).toBe(true);
    // GitHub's privacy address keeps its id: the part before "+" is not a mailbox.
    expect(authorIdentities("12345+octocat@users.noreply.github.com")).toContain(loginIdentity("octocat"));
    expect(authorIdentities("12345+octocat@users.noreply.github.com")).not.toContain(
      emailIdentity("12345@users.noreply.github.com"),
    );
  });
});

describe("finding 3 (issue 26): an author nobody can resolve could be anyone", () => {
  const ROLES = ["viewer", "on_call", "approver", "release_manager", "admin"] as const;
  const personArb: fc.Arbitrary<Person> = fc.record({
    id: fc.constantFrom("p1", "p2", "p3"),
    roles: fc.array(
      fc.record({ role: fc.constantFrom(...ROLES), serviceId: fc.constantFrom<string | null>(null, "svc-a") }),
      { maxLength: 3 },
    ),
  });
  const unresolved = (environment: string, state: RolloutContext["state"] = "verifying"): RolloutContext => ({
    serviceId: "svc-a",
    environment,
    state,
    policy: defaultPolicy(environment),
    authorIds: [],
    contractChecksum: CONTRACT_SUM,
  });

  it("break glass, recovery, confirming and reviewing an override are refused to everyone, with what to do", () => {
    fc.assert(
      fc.property(personArb, fc.constantFrom("staging", "production"), (person, environment) => {
        const ctx = unresolved(environment);
        const failed = unresolved(environment, "contract_failed");
        for (const decision of [
          mayBreakGlass(person, ctx, ["rollback_window", "slo"]),
          mayStartRecovery(person, failed),
          mayConfirmOverride(person, ctx, { actorId: "someone-else", confirmedAt: null }),
          mayReviewOverride(person, "svc-a", { actorId: "someone-else" }, []),
        ])
          expect(decision.ok).toBe(false);
      }),
    );
    const manager: Person = { id: "p1", roles: [{ role: "release_manager", serviceId: null }] };
    const refused = mayBreakGlass(manager, unresolved("staging"), ["slo"]);
    expect(refused).toMatchObject({ ok: false, code: "forbidden" });
    if (!refused.ok) expect(refused.reason).toMatch(/nobody Rollgate knows.*link/i);
  });

  it("an approval may be given, but the approvals pass only if they still pass with any one approver taken as the author", () => {
    const approverArb = fc.record({
      approverId: fc.constantFrom("p1", "p2", "p3", "p4"),
      decision: fc.constantFrom<"approve" | "reject">("approve", "approve", "reject"),
    });
    fc.assert(
      fc.property(
        fc.array(approverArb, { maxLength: 5 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom<"extra_approval" | "refuse">("extra_approval", "refuse"),
        (given, required, unknownAuthor) => {
          const policy = stagingPolicy({
            approvals: { ...stagingPolicy().approvals, required, unknownAuthor },
          });
          const approvals = given.map((a, i) => ({
            ...passingFacts().approvals[0]!,
            approverId: a.approverId,
            approverEmail: `${a.approverId}@example.com`,
            decision: a.decision,
            decidedAt: new Date(at(1).getTime() + i),
          }));
          const status = (authorIds: string[]) =>
            evaluateGate(passingFacts({ authorIds, approvals }), policy, at(2)).checks.find((c) => c.id === "approvals")
              ?.status;
          if (status([]) !== "pass") return;
          for (const a of given) expect(status([a.approverId]), `author could be ${a.approverId}`).toBe("pass");
        },
      ),
      { numRuns: 500 },
    );
    const approver: Person = { id: "p2", roles: [{ role: "approver", serviceId: "svc-a" }] };
    expect(mayDecideApproval(approver, unresolved("staging"), CONTRACT_SUM).ok).toBe(true);
  });
});
