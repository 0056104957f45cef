// Benchmark: `rollgate drill --scenario both` wall time from an installed checkout (target < 10 s).
// Run: pnpm exec tsx packages/drill/bench/drill.bench.ts [--write]
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchmarkSection } from "../../../scripts/benchmark-doc.ts";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = path.join(root, "packages", "cli", "bin", "rollgate.js");
const runs: number[] = [];
for (let i = 0; i < 3; i += 1) {
  const out = mkdtempSync(path.join(os.tmpdir(), "rollgate-drill-"));
  const t0 = performance.now();
  execFileSync(process.execPath, [bin, "drill", "--scenario", "both", "--out", out], { stdio: "ignore" });
  runs.push((performance.now() - t0) / 1000);
}
const sorted = [...runs].sort((a, b) => a - b);
const median = sorted[1]!;
const line = `| \`rollgate drill --scenario both\` (whole process: start, both scenarios, evidence written) | ${median.toFixed(1)} s median of 3 (${runs.map((r) => r.toFixed(1)).join(", ")}) | < 10 s | ${median < 10 ? "met" : "missed"} |`;
console.log(line);
if (process.argv.includes("--write")) {
  writeBenchmarkSection("Incident drill", ["`pnpm exec tsx packages/drill/bench/drill.bench.ts --write`", "", `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores, Node ${process.version}, embedded PGlite (no server).`, "", "| measure | result | target | |", "| --- | --- | --- | --- |", line]);
}
process.exitCode = median < 10 ? 0 : 1;
