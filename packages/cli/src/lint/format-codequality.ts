import { createHash } from "node:crypto";
import type { LintedFile } from "./linted-file.ts";

// GitLab's Code Quality report (a subset of Code Climate's issue format), which merge
// requests show beside the diff: artifacts:reports:codequality.
// https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format

const SEVERITY = { error: "critical", warning: "minor", info: "info" } as const;

export function toCodeQuality(files: LintedFile[]) {
  return files.flatMap((file) =>
    file.findings.map((f) => ({
      description: `${f.message} Fix: ${f.suggestion}`,
      check_name: f.rule,
      // Stable while the statement stays (not its line): the same finding is not "new" after an edit above it.
      fingerprint: createHash("sha256").update(`${file.path}\0${f.rule}\0${f.statement}\0${f.message}`).digest("hex"),
      severity: SEVERITY[f.severity],
      categories: [f.category === "locking" ? "Performance" : f.category === "hygiene" ? "Style" : "Bug Risk"],
      location: { path: file.path, lines: { begin: f.line } },
    })),
  );
}
