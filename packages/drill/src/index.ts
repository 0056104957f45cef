import { randomUUID } from "node:crypto";
import type { Eligibility } from "@rollgate/core/eligibility";
import { safeScenario } from "./safe.ts";
import type { TemplateOptions } from "./template.ts";
import { lateWritesScenario, type DrillRehearsal } from "./late-writes.ts";
import type { Step } from "./timeline.ts";
import { unsafeScenario } from "./unsafe.ts";

export type { Step } from "./timeline.ts";
export type { DrillRehearsal } from "./late-writes.ts";
export { CONTRACT_SQL, EXPAND_SQL } from "./safe.ts";

/** `both`: the incident and its safe release; `late-writes`: the second incident variant (the old
 * version kept writing after the backfill, caught by the data check); `all`: the three. */
export type Scenario = "unsafe" | "safe" | "both" | "late-writes" | "all";
export const SCENARIOS: readonly Scenario[] = ["unsafe", "safe", "both", "late-writes", "all"];

/** The evidence bundle of one drill run; its JSON schema is `evidence.schema.json`. */
export interface DrillEvidence {
  kind: "rollgate.drill";
  schemaVersion: 1;
  id: string;
  scenario: Scenario;
  startedAt: string;
  finishedAt: string;
  passed: boolean;
  steps: Step[];
  unsafe: { lostWrites: number; rollbackError: string | null } | null;
  safe: {
    finalState: string;
    eligibility: { verdict: Eligibility["verdict"]; targetVersion: string; reasons: string[] };
  } | null;
  /** The second variant: how many emails were not carried over, the data check that caught them, the gate's sentence. */
  lateWrites?: { notCarriedOver: number; check: string; gateMessage: string } | null;
  /** `rollgate rehearse` of the forgotten v1 worker's statements against that variant's contract (bundles before it lack it). */
  rehearsal?: DrillRehearsal | null;
}

/** Runs the incident drill on embedded PGlite: nothing to install, nothing left behind. */
export async function runDrill(
  options: { scenario?: Scenario; windowMs?: number; onStep?: (step: Step) => void } & TemplateOptions = {},
): Promise<DrillEvidence> {
  const scenario = options.scenario ?? "both";
  const startedAt = new Date().toISOString();
  const steps: Step[] = [];
  let unsafe: DrillEvidence["unsafe"] = null;
  let safe: DrillEvidence["safe"] = null;
  let lateWrites: DrillEvidence["lateWrites"] = null;
  let rehearsal: DrillEvidence["rehearsal"] = null;
  const runs = (part: "unsafe" | "safe" | "late-writes") =>
    scenario === part || scenario === "all" || (scenario === "both" && part !== "late-writes");
  if (runs("unsafe")) {
    const run = await unsafeScenario(options.onStep, { cacheDir: options.cacheDir });
    steps.push(...run.steps);
    const rollback = run.steps.find((s) => s.title.startsWith("v1 cannot read"));
    unsafe = { lostWrites: run.lostWrites, rollbackError: rollback?.error ?? null };
  }
  if (runs("safe")) {
    const run = await safeScenario({ windowMs: options.windowMs, onStep: options.onStep, cacheDir: options.cacheDir });
    steps.push(...run.steps);
    safe = {
      finalState: run.finalState,
      eligibility: {
        verdict: run.eligibility.verdict,
        targetVersion: run.eligibility.targetVersion,
        reasons: run.eligibility.reasons.map((r) => r.message),
      },
    };
  }
  if (runs("late-writes")) {
    const run = await lateWritesScenario({ onStep: options.onStep, cacheDir: options.cacheDir });
    steps.push(...run.steps);
    lateWrites = { notCarriedOver: run.notCarriedOver, check: run.check, gateMessage: run.gateMessage };
    rehearsal = run.rehearsal;
  }
  return {
    kind: "rollgate.drill",
    schemaVersion: 1,
    id: randomUUID(),
    scenario,
    startedAt,
    finishedAt: new Date().toISOString(),
    passed: steps.every((s) => s.ok),
    steps,
    unsafe,
    safe,
    lateWrites,
    rehearsal,
  };
}

/** The human half of the evidence: a Markdown report of the timeline. */
export function drillMarkdown(evidence: DrillEvidence): string {
  const lines = [
    `# Rollgate incident drill`,
    "",
    `Run ${evidence.id}, ${evidence.startedAt} → ${evidence.finishedAt}: **${evidence.passed ? "every step went as expected" : "SOME STEPS DID NOT GO AS EXPECTED"}**.`,
    "",
  ];
  const headings = {
    unsafe: "## Unsafe: app and column drop in one release",
    safe: "## Safe: expand, flag, window, gate, contract",
    "late-writes": "## The old version kept writing after the backfill: the data check catches it",
  };
  for (const scenario of ["unsafe", "safe", "late-writes"] as const) {
    const steps = evidence.steps.filter((s) => s.scenario === scenario);
    if (!steps.length) continue;
    lines.push(
      headings[scenario],
      "",
      "| # | step | outcome | as expected | ms | detail |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    for (const s of steps)
      lines.push(
        `| ${s.index} | ${s.title} | ${s.outcome} | ${s.ok ? "yes" : "**no**"} | ${s.durationMs} | ${s.detail.replaceAll("|", "\\|").replaceAll("\n", " ")} |`,
      );
    lines.push("");
  }
  if (evidence.unsafe)
    lines.push(
      `App rollback is not data rollback: after the image rollback v1 failed with \`${evidence.unsafe.rollbackError}\`; restoring the backup lost ${evidence.unsafe.lostWrites} writes.`,
      "",
    );
  if (evidence.safe)
    lines.push(
      `After the contract, rolling back to ${evidence.safe.eligibility.targetVersion} is ${evidence.safe.eligibility.verdict}: ${evidence.safe.eligibility.reasons.join(" ")}`,
      "",
    );
  if (evidence.lateWrites)
    lines.push(
      `After the backfill the old version wrote ${evidence.lateWrites.notCarriedOver} email(s) that a contract would have dropped; the data check "${evidence.lateWrites.check}" caught them: ${evidence.lateWrites.gateMessage}`,
      "",
    );
  if (evidence.rehearsal) {
    const r = evidence.rehearsal;
    lines.push(
      `Rehearsal of ${r.version}'s ${r.statements} observed statement(s) against the contract (${r.durationMs} ms): ${r.proofs.length} proof(s), ${r.passed} passed, ${r.noise} noise, ${r.unverifiable} unverifiable.`,
      "",
      ...r.proofs.map((p) => `- \`${p.statement}\` (${p.calls ?? "?"} call(s)) fails at ${p.step}: \`${p.error}\``),
      ...(r.proofs.length ? [""] : []),
    );
  }
  return lines.join("\n");
}
