import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { registerAttributes, rolloutAuthor, type EnvironmentBinding } from "./release-binding.ts";

const ENVS = ["staging", "production", "prod-eu"];
const unbound = (...names: string[]): EnvironmentBinding[] =>
  names.map((environment) => ({ environment, bound: null }));

describe("finding 12 (issue 26): what a token for one environment registers does not bind another", () => {
  it("a staging-only token binds staging only; production's pipeline then binds production with its own author", () => {
    const first = registerAttributes({
      release: "r1",
      environment: "staging",
      mayActOn: ["staging"],
      incoming: { author: "decoy@example.com", appVersion: "9.9.9" },
      environments: unbound("staging", "production"),
    });
    expect(first).toEqual({ ok: true, bind: ["staging"] });
    const second = registerAttributes({
      release: "r1",
      environment: "production",
      mayActOn: ["production"],
      incoming: { author: "rita@example.com", appVersion: "2.0.0" },
      environments: [
        { environment: "staging", bound: { author: "decoy@example.com", appVersion: "9.9.9" } },
        { environment: "production", bound: null },
      ],
    });
    expect(second).toEqual({ ok: true, bind: ["production"] });
  });

  it("the first registration by a token that may act on an environment wins there; a later one that differs is a conflict", () => {
    const bound = [{ environment: "production", bound: { author: "rita@example.com", appVersion: "2.0.0" } }];
    const again = (author: string, appVersion: string) =>
      registerAttributes({
        release: "r1",
        environment: "production",
        mayActOn: ["production"],
        incoming: { author, appVersion },
        environments: bound,
      });
    expect(again("rita@example.com", "2.0.0")).toEqual({ ok: true, bind: [] });
    expect(again("mallory@example.com", "2.0.0")).toMatchObject({ ok: false, field: "data.author" });
    expect(again("rita@example.com", "2.0.1")).toMatchObject({ ok: false, field: "data.app_version" });
  });

  it("whatever a token sends, it binds only environments it may act on, and conflicts only over its own", () => {
    const bindingArb = fc.record({
      environment: fc.constantFrom(...ENVS),
      bound: fc.option(fc.record({ author: fc.constantFrom("a", "b"), appVersion: fc.constantFrom("1", "2") }), {
        nil: null,
      }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(bindingArb, { selector: (b) => b.environment, minLength: 1 }),
        fc.subarray(ENVS),
        fc.record({ author: fc.constantFrom("a", "b"), appVersion: fc.constantFrom("1", "2") }),
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
