import type { LintedFile } from "./linted-file.ts";

// GitHub Actions workflow commands: each finding becomes an annotation on its statement's
// line, shown in the run and in the pull request's diff where that line changed.
// https://docs.github.com/actions/reference/workflow-commands-for-github-actions

const COMMAND = { error: "error", warning: "warning", info: "notice" } as const;

/** Data after `::` escapes %, CR and LF; property values also `:` and `,`. */
export const escapeData = (text: string) => text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
export const escapeProperty = (text: string) => escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");

export function formatGithub(files: LintedFile[], phase: string): string {
  const lines: string[] = [];
  let errors = 0;
  for (const file of files) {
    for (const f of file.findings) {
      if (f.severity === "error") errors += 1;
      const props = `file=${escapeProperty(file.path)},line=${f.line},col=${f.column},title=${escapeProperty(`rollgate ${f.rule} (${phase})`)}`;
      lines.push(`::${COMMAND[f.severity]} ${props}::${escapeData(`${f.message}\nFix: ${f.suggestion}`)}`);
    }
  }
  const total = files.reduce((n, f) => n + f.findings.length, 0);
  lines.push(`rollgate lint: ${files.length} file(s) as ${phase}, ${total} finding(s), ${errors} error(s).`);
  return lines.join("\n");
}
