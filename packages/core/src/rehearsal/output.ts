import type { RehearsalOutcome } from "../contract/rehearsal.ts";
import type { RehearsalReport, StatementRehearsal } from "./types.ts";
import { rehearsalCounts, rehearsalExitCode, rehearsalVerdict, type RehearsalVerdict } from "./verdict.ts";

// The three outputs of `rollgate rehearse`: a text table for a terminal, JSON for machines (its
// shape documented in docs/rehearse-cli.md and kept stable: fields are only ever added) and Markdown for a
// pull-request comment (verdict first, then the proofs, the counts, the unverifiable statements
// with their reasons and the noise folded away).

export interface RehearsalContext {
  /** The version whose statements were rehearsed, when known (`--version`). */
  version?: string;
  /** Where the statements came from. */
  source: "observed" | "file";
}

/** `--format json`, version 1. */
export interface RehearsalJson {
  format: "rollgate.rehearsal/1";
  verdict: RehearsalVerdict;
  exit_code: 0 | 1 | 3;
  version: string | null;
  source: "observed" | "file";
  counts: { statements: number; passed: number; proof: number; noise: number; unverifiable: number };
  missing_extensions: string[];
  duration_ms: number;
  /** Every statement in the order rehearsed: proofs, noise and unverifiable ones with why. */
  statements: Array<{
    statement: string;
    calls: number | null;
    role: string | null;
    write: boolean;
    outcome: RehearsalOutcome;
    /** PostgreSQL's error after expand (noise), null when it worked. */
    after_expand: StepJson | null;
    /** PostgreSQL's error after the contract (a proof), null when it worked or was not tried. */
    after_contract: StepJson | null;
    /** Why it could not be rehearsed (unverifiable), else null. */
    reason: string | null;
  }>;
}
interface StepJson {
  step: "prepare" | "execute";
  message: string;
  sqlstate: string | null;
}

export function rehearsalJson(report: RehearsalReport, context: RehearsalContext): RehearsalJson {
  const step = (e: StatementRehearsal["afterExpand"]): StepJson | null =>
    e ? { step: e.step, message: e.message, sqlstate: e.sqlstate ?? null } : null;
  return {
    format: "rollgate.rehearsal/1",
    verdict: rehearsalVerdict(report),
    exit_code: rehearsalExitCode(report),
    version: context.version ?? null,
    source: context.source,
    counts: rehearsalCounts(report),
    missing_extensions: [...report.missingExtensions],
    duration_ms: Math.round(report.durationMs),
    statements: report.statements.map((s) => ({
      statement: s.statement.text,
      calls: s.statement.calls ?? null,
      role: s.statement.role ?? null,
      write: s.write,
      outcome: s.outcome,
      after_expand: step(s.afterExpand),
      after_contract: step(s.afterContract),
      reason: s.outcome === "unverifiable" ? (s.unverifiable ?? "the embedded engine cannot run it") : null,
    })),
  };
}

const HEADLINE: Record<RehearsalVerdict, string> = {
  safe: "SAFE: every statement that works after expand still works after the contract",
  unsafe: "UNSAFE: statements of the old version fail after the contract",
  unverifiable: "UNVERIFIED: no proof of unsafety, but some statements could not be rehearsed",
};

/** Text for a terminal: a headline, a table of what did not pass, the counts. */
export function rehearsalText(report: RehearsalReport, context: RehearsalContext): string {
  const counts = rehearsalCounts(report);
  const verdict = rehearsalVerdict(report);
  const lines = [`Rehearsal${context.version ? ` of ${context.version}` : ""}: ${HEADLINE[verdict]}.`];
  const rows = ordered(report).filter((s) => s.outcome !== "passed");
  if (rows.length > 0) {
    const table = [
      ["OUTCOME", "CALLS", "STEP", "STATEMENT", "ERROR / REASON"],
      ...rows.map((s) => {
        const failure = s.outcome === "noise" ? s.afterExpand : s.afterContract;
        return [
          s.outcome.toUpperCase(),
          s.statement.calls === undefined ? "-" : String(s.statement.calls),
          failure?.step ?? "-",
          clip(oneLine(s.statement.text), 70),
          s.outcome === "unverifiable" ? (s.unverifiable ?? "-") : clip(oneLine(failure?.message ?? "-"), 80),
        ];
      }),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    lines.push("");
    for (const row of table)
      lines.push(
        row
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      );
  }
  lines.push("", countsLine(counts));
  if (report.missingExtensions.length > 0)
    lines.push(`Extensions the embedded engine lacks: ${report.missingExtensions.join(", ")}.`);
  return lines.join("\n");
}

const MAX_PROOFS_SHOWN = 50;
const MAX_OTHERS_SHOWN = 100;

/** Markdown for a pull-request comment: verdict, proofs, counts, unverifiable, then noise folded away. */
export function rehearsalMarkdown(report: RehearsalReport, context: RehearsalContext): string {
  const counts = rehearsalCounts(report);
  const verdict = rehearsalVerdict(report);
  const icon = { safe: "✅", unsafe: "❌", unverifiable: "⚠️" }[verdict];
  const of = context.version ? ` of \`${context.version}\`` : "";
  const out = [`### ${icon} Rollback rehearsal${of}: ${HEADLINE[verdict]}`, ""];
  const proofs = report.statements.filter((s) => s.outcome === "proof");
  if (proofs.length > 0) {
    out.push(`#### Proofs (${proofs.length})`, "");
    for (const s of proofs.slice(0, MAX_PROOFS_SHOWN)) {
      const failure = s.afterContract;
      const calls = s.statement.calls === undefined ? "" : ` · ${plural(s.statement.calls, "call")}`;
      const state = failure?.sqlstate ? ` (${failure.sqlstate})` : "";
      out.push(
        `- **${inlineCode(failure?.message ?? "failed")}**${state}, on ${failure?.step === "execute" ? "executing" : "preparing"}${calls}`,
        "",
        fenced(s.statement.text, "  "),
        "",
      );
    }
    if (proofs.length > MAX_PROOFS_SHOWN) out.push(`…and ${proofs.length - MAX_PROOFS_SHOWN} more proofs.`, "");
  }
  out.push(countsLine(counts), "");
  const unverifiable = report.statements.filter((s) => s.outcome === "unverifiable");
  if (report.missingExtensions.length > 0)
    out.push(
      `Extensions the embedded engine lacks: ${report.missingExtensions.map((e) => inlineCode(e)).join(", ")}.`,
      "",
    );
  if (unverifiable.length > 0) {
    out.push(`#### Unverifiable (${unverifiable.length})`, "");
    for (const s of unverifiable.slice(0, MAX_OTHERS_SHOWN))
      out.push(
        `- ${inlineCode(clip(oneLine(s.statement.text), 300))}: ${escape(s.unverifiable ?? "cannot be run here")}`,
      );
    if (unverifiable.length > MAX_OTHERS_SHOWN) out.push(`- …and ${unverifiable.length - MAX_OTHERS_SHOWN} more`);
    out.push("");
  }
  const noise = report.statements.filter((s) => s.outcome === "noise");
  if (noise.length > 0) {
    out.push(
      "<details>",
      `<summary>Noise: ${plural(noise.length, "statement")} already failing after expand (not the contract's doing)</summary>`,
      "",
    );
    for (const s of noise.slice(0, MAX_OTHERS_SHOWN))
      out.push(
        `- ${inlineCode(clip(oneLine(s.statement.text), 300))}: ${inlineCode(oneLine(s.afterExpand?.message ?? "failed"))}`,
      );
    if (noise.length > MAX_OTHERS_SHOWN) out.push(`- …and ${noise.length - MAX_OTHERS_SHOWN} more`);
    out.push("", "</details>", "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}

const ORDER: Record<RehearsalOutcome, number> = { proof: 0, unverifiable: 1, noise: 2, passed: 3 };
const ordered = (report: RehearsalReport) =>
  report.statements
    .map((s, i) => [s, i] as const)
    .sort(([a, i], [b, j]) => ORDER[a.outcome] - ORDER[b.outcome] || i - j)
    .map(([s]) => s);

function countsLine(c: ReturnType<typeof rehearsalCounts>): string {
  return `${plural(c.statements, "statement")}: ${c.proof} proof${c.proof === 1 ? "" : "s"}, ${c.passed} passed, ${c.noise} noise, ${c.unverifiable} unverifiable.`;
}

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** A code span that survives any backticks inside. */
function inlineCode(text: string): string {
  const t = oneLine(text);
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = "`".repeat(longest + 1);
  const pad = t.startsWith("`") || t.endsWith("`") ? " " : "";
  return `${ticks}${pad}${t}${pad}${ticks}`;
}

/** A fenced SQL block that survives any backtick run inside. */
function fenced(text: string, indent: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}sql`, ...text.split("\n"), fence].map((l) => `${indent}${l}`).join("\n");
}

const escape = (text: string) => oneLine(text).replace(/([\\`*_[\]<>|#])/g, "\\$1");
