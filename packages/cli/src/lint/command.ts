import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { analyseSql, type Finding } from "@rollgate/core/sql";
import { reportEnvironment } from "../env.ts";
import { UsageError, type Io } from "../io.ts";
import { toCodeQuality } from "./format-codequality.ts";
import { formatGithub } from "./format-github.ts";
import { formatMarkdown } from "./format-markdown.ts";
import { formatText } from "./format-text.ts";
import { toSarif } from "./sarif.ts";

const FORMATS = ["text", "json", "sarif", "github", "markdown", "codequality"] as const;

export interface LintedFile {
  path: string;
  source: string;
  findings: Finding[];
}

/** `rollgate lint FILE… --phase expand|contract [--format text|json|sarif|github|markdown|codequality] [--environment E]` */
export async function lintCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOrExplain(args);
  const phase = values.phase;
  if (phase !== "expand" && phase !== "contract") throw new UsageError("--phase must be expand or contract.");
  const format = values.format ?? "text";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}.`);
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
    const analysis = await analyseSql(source, { phase, lockingIsError: values["locking-is-error"] });
    files.push({ path, source, findings: analysis.findings });
  }

  if (format === "json") io.out(JSON.stringify({ files: files.map(({ path, findings }) => ({ path, findings: findings.map(jsonFinding) })) }, null, 2));
  else if (format === "sarif") io.out(JSON.stringify(toSarif(files), null, 2));
  else if (format === "codequality") io.out(JSON.stringify(toCodeQuality(files), null, 2));
  else if (format === "github") io.out(formatGithub(files, phase));
  else if (format === "markdown") io.out(formatMarkdown(files, phase, reportEnvironment(values.environment)));
  else io.out(formatText(files, phase));
  return files.some((f) => f.findings.some((x) => x.severity === "error")) ? 1 : 0;
}

function jsonFinding(f: Finding) {
  return { rule: f.rule, category: f.category, severity: f.severity, statement: f.statement, line: f.line, column: f.column, message: f.message, suggestion: f.suggestion };
}

function parseOrExplain(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { phase: { type: "string" }, format: { type: "string" }, environment: { type: "string" }, "locking-is-error": { type: "boolean", default: false } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
