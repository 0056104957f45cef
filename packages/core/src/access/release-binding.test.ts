import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { registerAttributes, rolloutAuthor, rolloutCommit, type EnvironmentBinding } from "./release-binding.ts";

const ENVS = ["staging", "production", "prod-eu"];
const unbound = (...names: string[]): EnvironmentBinding[] =>
  names.map((environment) => ({ environment, bound: null }));

describe("finding 12 (issue 26): what a token for one environment registers does not bind another", () => {
  it("a staging-only token binds staging only; production's pipeline then binds production with its own author", () => {
    const first = registerAttributes({
      release: "r1",
      environment: "staging",
      mayActOn: ["staging"],
      incoming: { author: "decoy@example.com", appVersion: "9.9.9", commitSha: null },
      environments: unbound("staging", "production"),
    });
    expect(first).toEqual({ ok: true, bind: ["staging"], recordCommit: [] });
    const second = registerAttributes({
      release: "r1",
      environment: "production",
      mayActOn: ["production"],
      incoming: { author: "rita@example.com", appVersion: "2.0.0", commitSha: null },
      environments: [
        { environment: "staging", bound: { author: "decoy@example.com", appVersion: "9.9.9", commitSha: null } },
        { environment: "production", bound: null },
      ],
    });
    expect(second).toEqual({ ok: true, bind: ["production"], recordCommit: [] });
  });

  it("the first registration by a token that may act on an environment wins there; a later one that differs is a conflict", () => {
    const bound = [
      { environment: "production", bound: { author: "rita@example.com", appVersion: "2.0.0", commitSha: null } },
    ];
    const again = (author: string, appVersion: string) =>
      registerAttributes({
        release: "r1",
        environment: "production",
        mayActOn: ["production"],
        incoming: { author, appVersion, commitSha: null },
        environments: bound,
      });
    expect(again("rita@example.com", "2.0.0")).toEqual({ ok: true, bind: [], recordCommit: [] });
    expect(again("mallory@example.com", "2.0.0")).toMatchObject({ ok: false, field: "data.author" });
    expect(again("rita@example.com", "2.0.1")).toMatchObject({ ok: false, field: "data.app_version" });
  });

  it("whatever a token sends, it binds only environments it may act on, and conflicts only over its own", () => {
    const bindingArb = fc.record({
      environment: fc.constantFrom(...ENVS),
      bound: fc.option(
        fc.record({
          author: fc.constantFrom("a", "b"),
          appVersion: fc.constantFrom("1", "2"),
          commitSha: fc.constant(null),
        }),
        { nil: null },
      ),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(bindingArb, { selector: (b) => b.environment, minLength: 1 }),
        fc.subarray(ENVS),
        fc.record({
          author: fc.constantFrom("a", "b"),
          appVersion: fc.constantFrom("1", "2"),
          commitSha: fc.constant(null),
        }),
        (environments, mayActOn, incoming) => {
          const environment = environments[0]!.environment;
          const outcome = registerAttributes({ release: "r", environment, mayActOn, incoming, environments });
          const own = environments[0]!.bound;
          const conflicts = own !== null && (own.author !== incoming.author || own.appVersion !== incoming.appVersion);
          expect(outcome.ok).toBe(!conflicts);
          if (!outcome.ok) return;
          for (const name of outcome.bind) {
            expect(name === environment || mayActOn.includes(name)).toBe(true);
            expect(environments.find((e) => e.environment === name)?.bound).toBeNull();
          }
        },
      ),
    );
  });

  it("a provisional rollout's author counts as nobody known; rows from before keep the release's author", () => {
    expect(rolloutAuthor({ provisional: true, author: null }, "decoy@example.com")).toBeNull();
    expect(rolloutAuthor({ provisional: false, author: "rita@example.com" }, "decoy@example.com")).toBe(
      "rita@example.com",
    );
    expect(rolloutAuthor({ provisional: false, author: null }, "dev@example.com")).toBe("dev@example.com");
  });
});

const X = "5".repeat(40);
const Y = "6".repeat(40);
const bound = (commitSha: string | null) => ({ author: "a", appVersion: "1", commitSha });

describe("the commit sha is bound per environment like the author (issue 26, findings 1 and 12)", () => {
  it("a staging-only token's commit binds staging only; production's pipeline records its own commit", () => {
    const first = registerAttributes({
      release: "r1",
      environment: "staging",
      mayActOn: ["staging"],
      incoming: { ...bound(X), author: "decoy" },
      environments: unbound("staging", "production"),
    });
    expect(first).toEqual({ ok: true, bind: ["staging"], recordCommit: [] });
    const second = registerAttributes({
      release: "r1",
      environment: "production",
      mayActOn: ["production"],
      incoming: bound(Y),
      environments: [
        { environment: "staging", bound: { ...bound(X), author: "decoy" } },
        { environment: "production", bound: null },
      ],
    });
    expect(second).toEqual({ ok: true, bind: ["production"], recordCommit: [] });
  });

  it("fixed once recorded in an environment: a different one there is a 409 naming data.commit_sha, none keeps it", () => {
    const again = (commitSha: string | null, environments: EnvironmentBinding[]) =>
      registerAttributes({
        release: "r1",
        environment: "production",
        mayActOn: ["production"],
        incoming: bound(commitSha),
        environments,
      });
    const recorded = [{ environment: "production", bound: bound(X) }];
    expect(again(Y, recorded)).toMatchObject({ ok: false, field: "data.commit_sha" });
    expect(again(X, recorded)).toEqual({ ok: true, bind: [], recordCommit: [] });
    expect(again(null, recorded)).toEqual({ ok: true, bind: [], recordCommit: [] });
    // Bound without a commit: the first one sent there is recorded.
    expect(again(Y, [{ environment: "production", bound: bound(null) }])).toEqual({
      ok: true,
      bind: [],
      recordCommit: ["production"],
    });
    // Another environment's commit is never a conflict here, nor changed.
    expect(
      again(Y, [
        { environment: "staging", bound: bound(X) },
        { environment: "production", bound: null },
      ]),
    ).toEqual({ ok: true, bind: ["production"], recordCommit: [] });
  });

  it("whatever commit a token sends, it records it only where it may act and none was recorded; it conflicts only over its own", () => {
    const sha = fc.constantFrom(null, X, Y);
    const bindingArb = fc.record({
      environment: fc.constantFrom(...ENVS),
      bound: fc.option(fc.record({ author: fc.constant("a"), appVersion: fc.constant("1"), commitSha: sha }), {
        nil: null,
      }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(bindingArb, { selector: (b) => b.environment, minLength: 1 }),
        fc.subarray(ENVS),
        sha,
        (environments, mayActOn, commitSha) => {
          const environment = environments[0]!.environment;
          const outcome = registerAttributes({
            release: "r",
            environment,
            mayActOn,
            incoming: bound(commitSha),
            environments,
          });
          const own = environments[0]!.bound?.commitSha ?? null;
          expect(outcome.ok).toBe(!(own !== null && commitSha !== null && own !== commitSha));
          if (!outcome.ok) return;
          if (commitSha === null) expect(outcome.recordCommit).toEqual([]);
          for (const name of outcome.recordCommit) {
            expect(name === environment || mayActOn.includes(name)).toBe(true);
            expect(environments.find((e) => e.environment === name)?.bound?.commitSha).toBeNull();
          }
        },
      ),
    );
  });

  it("a provisional rollout's commit counts for nothing", () => {
    expect(rolloutCommit({ provisional: true, commitSha: X })).toBeNull();
    expect(rolloutCommit({ provisional: false, commitSha: X })).toBe(X);
    expect(rolloutCommit({ provisional: false, commitSha: null })).toBeNull();
  });
});
