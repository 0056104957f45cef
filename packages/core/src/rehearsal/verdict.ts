import type { RehearsalOutcome } from "../contract/rehearsal.ts";
import type { RehearsalReport } from "./types.ts";

// What a rehearsal concludes, and the exit code `rollgate rehearse` answers with. A proof wins
// over unverifiable statements: one statement that fails after the contract is enough to know.

export type RehearsalVerdict = "safe" | "unsafe" | "unverifiable";

/** 0: safe; 1: proof of unsafety; 3: unverifiable statements and no proof. (2, bad input, is the command's.) */
export const EXIT_CODES = { safe: 0, unsafe: 1, unverifiable: 3 } as const satisfies Record<RehearsalVerdict, number>;

export type RehearsalCounts = Record<RehearsalOutcome, number> & { statements: number };

export function rehearsalCounts(report: RehearsalReport): RehearsalCounts {
  const counts: RehearsalCounts = { statements: 0, passed: 0, proof: 0, noise: 0, unverifiable: 0 };
  for (const s of report.statements) {
    counts.statements += 1;
    counts[s.outcome] += 1;
  }
  return counts;
}

export function rehearsalVerdict(report: RehearsalReport): RehearsalVerdict {
  const counts = rehearsalCounts(report);
  if (counts.proof > 0) return "unsafe";
  if (counts.unverifiable > 0) return "unverifiable";
  return "safe";
}

export function rehearsalExitCode(report: RehearsalReport): 0 | 1 | 3 {
  return EXIT_CODES[rehearsalVerdict(report)];
}
