import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import type { Scenario, Step } from "@rollgate/drill";
import { UsageError, type Io } from "../io.ts";

/**
 * `rollgate drill [--scenario unsafe|safe|both|late-writes|all] [--json] [--out DIR]`: the incident on an
 * embedded PostgreSQL, step by step, with an evidence bundle (JSON + Markdown) in DIR. `late-writes` is
 * the second variant: the old version kept writing after the backfill, caught by the data check.
 */
export async function drillCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args);
  const scenario = values.scenario ?? "both";
  if (!isScenario(scenario)) throw new UsageError("--scenario must be unsafe, safe, both, late-writes or all.");
  // A drill lives seconds: V8's optimising tier would spend more CPU and ~100 MB recompiling
  // PGlite's 9 MB of WebAssembly in the background than it saves (docs/BENCHMARKS.md). Set
  // before the first module is compiled, so the drill is imported only now.
  v8.setFlagsFromString("--liftoff-only");
  const { drillMarkdown, runDrill } = await import("@rollgate/drill");
  const line = (s: Step) =>
    `${s.ok ? "✓" : "✗"} ${s.scenario.padEnd(6)} ${String(s.index).padStart(2)}. ${s.title} — ${s.outcome}${s.error ? `: ${s.error}` : s.detail ? `: ${s.detail}` : ""} (${s.durationMs} ms)`;
  const evidence = await runDrill({ scenario, onStep: values.json ? undefined : (s) => io.err(line(s)) });
  const dir = values.out ?? path.join(".rollgate", "drills", evidence.id);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "evidence.json"), `${JSON.stringify(evidence, null, 2)}\n`);
  await writeFile(path.join(dir, "evidence.md"), drillMarkdown(evidence));
  if (values.json) io.out(JSON.stringify(evidence));
  else
    io.out(
      `${evidence.passed ? "Drill complete: every step went as expected." : "Drill FAILED: some steps did not go as expected."} Evidence: ${path.join(dir, "evidence.json")} and evidence.md`,
    );
  return evidence.passed ? 0 : 1;
}

function isScenario(value: string): value is Scenario {
  return ["unsafe", "safe", "both", "late-writes", "all"].includes(value);
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      options: { scenario: { type: "string" }, json: { type: "boolean", default: false }, out: { type: "string" } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
