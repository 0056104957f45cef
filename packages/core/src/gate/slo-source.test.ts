import { describe, expect, it } from "vitest";
import { parsePolicy, renderQuery, samplingSlot, type SloSource } from "../policy/index.ts";
import { at, passingFacts, stagingPolicy } from "../../test/builders.ts";
import { evaluateGate } from "./evaluate.ts";

const source: SloSource = {
  kind: "prometheus",
  url: "http://prometheus.example:9090",
  auth: "none",
  timeoutSeconds: 5,
  intervalSeconds: 60,
  maxGapSeconds: 180,
  queries: { availability: 'avail{service="{service}"}', errorBudgetRemaining: "vector(1)", burnRate: "vector(0)" },
};
const policy = stagingPolicy({ sloSource: source });
const slo = (at2: Date) =>
  evaluateGate(
    passingFacts({
      slo: {
        samples: 120,
        minAvailability: 99.95,
        minErrorBudgetRemaining: 0.8,
        maxBurnRate: 0.7,
        pulls: { lastOkAt: at2, lastAttempt: { at: at2, ok: true, error: null } },
      },
    }),
    policy,
    at(2),
  ).checks.find((c) => c.id === "slo")!;

describe("SLOs pulled from Prometheus", () => {
  it("passes after the window when the newest pull succeeded within the allowed gap", () => {
    expect(slo(new Date(at(2).getTime() - 60_000)).status).toBe("pass");
  });

  it("is pending with the query's error when the newest pull failed, never pass", () => {
    const facts = passingFacts({
      slo: {
        samples: 120,
        minAvailability: 99.95,
        minErrorBudgetRemaining: 0.8,
        maxBurnRate: 0.7,
        pulls: { lastOkAt: at(1.5), lastAttempt: { at: at(2), ok: false, error: "query returned no series" } },
      },
    });
    const check = evaluateGate(facts, policy, at(2)).checks.find((c) => c.id === "slo")!;
    expect(check.status).toBe("pending");
    expect(check.message).toBe("No SLO data from prometheus since 2026-11-02 10:30:00 UTC: query returned no series.");
  });

  it("is pending when no good sample arrived for longer than the policy allows (the worker stopped)", () => {
    // The window (1 h) ended at 10:00; the last sample was 10 minutes before it.
    const check = slo(at(0.8));
    expect(check.status).toBe("pending");
    expect(check.message).toMatch(/no good sample for 720 s \(the policy allows 180 s\)/);
  });

  it("still fails on a breach whatever the source says", () => {
    const facts = passingFacts({
      slo: {
        samples: 3,
        minAvailability: 90,
        minErrorBudgetRemaining: 0.8,
        maxBurnRate: 0.7,
        pulls: { lastOkAt: null, lastAttempt: { at: at(2), ok: false, error: "timeout" } },
      },
    });
    expect(evaluateGate(facts, policy, at(2)).checks.find((c) => c.id === "slo")!.status).toBe("fail");
  });

  it("ignores pulls when the policy names no source (pushed snapshots)", () => {
    const facts = passingFacts({
      slo: {
        samples: 12,
        minAvailability: 99.95,
        minErrorBudgetRemaining: 0.8,
        maxBurnRate: 0.7,
        pulls: { lastOkAt: null, lastAttempt: { at: at(2), ok: false, error: "x" } },
      },
    });
    expect(evaluateGate(facts, stagingPolicy(), at(2)).checks.find((c) => c.id === "slo")!.status).toBe("pass");
  });

  it("validates a source: intervals, the gap and basic auth's user", () => {
    expect(parsePolicy(policy).ok).toBe(true);
    const paths = (input: object) => {
      const result = parsePolicy({ ...policy, sloSource: { ...source, ...input } });
      return result.ok ? [] : result.errors.map((e) => e.path);
    };
    expect(paths({ intervalSeconds: 1 })).toEqual(["sloSource.intervalSeconds"]);
    expect(paths({ maxGapSeconds: 30 })).toEqual(["sloSource.maxGapSeconds"]);
    expect(paths({ auth: "basic" })).toEqual(["sloSource.username"]);
  });

  it("fills {service} and {environment} escaped as PromQL strings, and aligns slots to the epoch", () => {
    expect(renderQuery('up{service="{service}",env="{environment}"}', { service: "billing", environment: 'a"b' })).toBe(
      'up{service="billing",env="a\\"b"}',
    );
    expect(samplingSlot(new Date("2026-11-02T10:00:59.900Z"), 60).toISOString()).toBe("2026-11-02T10:00:00.000Z");
  });
});

describe("no-go from alerting", () => {
  it("names the alert and links to it", () => {
    const facts = passingFacts({
      openIncidents: [
        { title: "HighErrorRate", openedAt: at(1), source: "alertmanager", url: "http://prom/graph?g0.expr=x" },
      ],
    });
    const check = evaluateGate(facts, stagingPolicy(), at(2)).checks.find((c) => c.id === "no_go")!;
    expect(check.status).toBe("fail");
    expect(check.message).toContain('Alertmanager incident "HighErrorRate" is open since 2026-11-02 10:00:00 UTC');
    expect(check.links).toEqual([{ label: "HighErrorRate", href: "http://prom/graph?g0.expr=x" }]);
  });
});
