// Sums every runner's report into the one closing line CI reads: `N passed, N failed`.
// Tests count one each. A check that is not a test runner (type-check, lint, build) adds
// one failure when it fails, and so does a runner that failed without reporting a failed
// test (a crash, a missing report), so a broken step can never look green.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const dir = process.argv[2];
const stepsFile = path.join(dir, "steps");
const steps = existsSync(stepsFile) ? readFileSync(stepsFile, "utf8").trim().split("\n").filter(Boolean) : [];
let passed = 0;
let failed = 0;
let skipped = 0;

console.log("Summary");
for (const step of steps) {
  const [status, report, ...words] = step.split(" ");
  const name = words.join(" ");
  const counts = report === "-" ? null : readCounts(path.join(dir, `${report}.json`));
  if (counts) {
    passed += counts.passed;
    failed += counts.failed;
    skipped += counts.skipped;
  }
  const unexplained = status === "failed" && (!counts || counts.failed === 0);
  if (unexplained) failed += 1;
  const detail = counts ? `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped` : status;
  console.log(`  ${name}: ${detail}${unexplained ? " (step failed)" : ""}`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;

function readCounts(file) {
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, "utf8"));
  if ("numPassedTests" in r) {
    return {
      passed: r.numPassedTests,
      failed: r.numFailedTests + (r.numFailedTestSuites ?? 0),
      skipped: r.numPendingTests + r.numTodoTests,
    };
  }
  // Playwright: a test that passed only on retry is flaky and counts as failed.
  const { expected, unexpected, flaky, skipped: s } = r.stats;
  return { passed: expected, failed: unexpected + flaky, skipped: s };
}
