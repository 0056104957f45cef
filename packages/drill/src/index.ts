import { randomUUID } from "node:crypto";
import type { Eligibility } from "@rollgate/core/eligibility";
import { safeScenario } from "./safe.ts";
import type { TemplateOptions } from "./template.ts";
import type { Step } from "./timeline.ts";
import { unsafeScenario } from "./unsafe.ts";

export type { Step } from "./timeline.ts";
export { CONTRACT_SQL, EXPAND_SQL } from "./safe.ts";

export type Scenario = "unsafe" | "safe" | "both";

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
  if (scenario !== "safe") {
    const run = await unsafeScenario(options.onStep, { cacheDir: options.cacheDir });
    steps.push(...run.steps);
    const rollback = run.steps.find((s) => s.title.startsWith("v1 cannot read"));
    unsafe = { lostWrites: run.lostWrites, rollbackError: rollback?.error ?? null };
  }
  if (scenario !== "unsafe") {
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
  for (const scenario of ["unsafe", "safe"] as const) {
    const steps = evidence.steps.filter((s) => s.scenario === scenario);
    if (!steps.length) continue;
    lines.push(
      scenario === "unsafe"
        ? "## Unsafe: app and column drop in one release"
        : "## Safe: expand, flag, window, gate, contract",
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
  return lines.join("\n");
}
