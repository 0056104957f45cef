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
const failures = [];

console.log("Summary");
for (const step of steps) {
  const [status, report, ...words] = step.split(" ");
  const name = words.join(" ");
  const counts = report === "-" ? null : readCounts(path.join(dir, `${report}.json`));
  if (report !== "-") failures.push(...failedTests(path.join(dir, `${report}.json`)).map((t) => `  ${name}: ${t}`));
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
// Only the end of a long log may be kept: the failed tests are named here, just above the closing line.
if (failures.length) console.log(["Failed", ...failures].join("\n"));
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

/** `file › title` of every test that failed (or, in Playwright, passed only on retry). */
function failedTests(file) {
  if (!existsSync(file)) return [];
  const r = JSON.parse(readFileSync(file, "utf8"));
  if ("numPassedTests" in r) {
    return r.testResults.flatMap((f) => {
      const where = path.relative(process.cwd(), f.name);
      const tests = f.assertionResults.filter((t) => t.status === "failed").map((t) => `${where} › ${t.fullName}`);
      return tests.length || f.status !== "failed" ? tests : [`${where} › (the file failed: ${firstLine(f.message)})`];
    });
  }
  const out = [];
  const walk = (suite, file) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        if (t.status === "unexpected" || t.status === "flaky")
          out.push(`${file ?? suite.file} › ${spec.title}${t.status === "flaky" ? " (passed on retry)" : ""}`);
    for (const child of suite.suites ?? []) walk(child, file ?? suite.file);
  };
  for (const suite of r.suites ?? []) walk(suite);
  return out;
}

function firstLine(text) {
  return String(text ?? "")
    .split("\n")[0]
    .slice(0, 200);
}
