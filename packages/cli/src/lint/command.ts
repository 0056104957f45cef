import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { analyseSql, declaredPhase, type Finding } from "@rollgate/core/sql";
import { reportEnvironment } from "../env.ts";
import { UsageError, type Io } from "../io.ts";
import { toCodeQuality } from "./format-codequality.ts";
import { formatGithub } from "./format-github.ts";
import { formatMarkdown } from "./format-markdown.ts";
import { formatText } from "./format-text.ts";
import type { LintedFile } from "./linted-file.ts";
import { toSarif } from "./sarif.ts";

const FORMATS = ["text", "json", "sarif", "github", "markdown", "codequality"] as const;

/**
 * `rollgate lint FILE… --phase expand|contract|from-file [--format text|json|sarif|github|markdown|codequality] [--environment E]`.
 * `from-file`: each file's `-- rollgate: contract` marker decides, expand without one (a folder of migrations).
 */
export async function lintCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOrExplain(args);
  const phase = values.phase;
  if (phase !== "expand" && phase !== "contract" && phase !== "from-file")
    throw new UsageError("--phase must be expand, contract or from-file.");
  const format = values.format ?? "text";
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}.`);
  if (positionals.length === 0) throw new UsageError("name at least one SQL file to lint.");

  const files: LintedFile[] = [];
  for (const path of positionals) {
    let source: string;
    try {
      source = await readFile(path, "utf8");
    } catch (error) {
      io.err(`rollgate lint: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "unknown error"}).`);
      return 2;
    }
    const filePhase = phase === "from-file" ? (declaredPhase(source) ?? "expand") : phase;
    const analysis = await analyseSql(source, { phase: filePhase, lockingIsError: values["locking-is-error"] });
    files.push({ path, source, phase: filePhase, findings: analysis.findings });
  }
  const label =
    phase === "from-file"
      ? `marked (${files.filter((f) => f.phase === "contract").length} contract, ${files.filter((f) => f.phase === "expand").length} expand)`
      : phase;

  if (format === "json")
    io.out(
      JSON.stringify(
        { files: files.map(({ path, phase, findings }) => ({ path, phase, findings: findings.map(jsonFinding) })) },
        null,
        2,
      ),
    );
  else if (format === "sarif") io.out(JSON.stringify(toSarif(files), null, 2));
  else if (format === "codequality") io.out(JSON.stringify(toCodeQuality(files), null, 2));
  else if (format === "github") io.out(formatGithub(files, label));
  else if (format === "markdown") io.out(formatMarkdown(files, label, reportEnvironment(values.environment)));
  else io.out(formatText(files, label));
  return files.some((f) => f.findings.some((x) => x.severity === "error")) ? 1 : 0;
}

function jsonFinding(f: Finding) {
  return {
    rule: f.rule,
    category: f.category,
    severity: f.severity,
    statement: f.statement,
    line: f.line,
    column: f.column,
    message: f.message,
    suggestion: f.suggestion,
  };
}

function parseOrExplain(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        phase: { type: "string" },
        format: { type: "string" },
        environment: { type: "string" },
        "locking-is-error": { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
