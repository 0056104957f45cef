import type { Finding } from "@rollgate/core/sql";

/** One linted script and what the analyser found in it, as every output format receives it. */
export interface LintedFile {
  path: string;
  source: string;
  /** The phase the file was linted as: `--phase`, or with `from-file` its own marker. */
  phase: "expand" | "contract";
  findings: Finding[];
}
