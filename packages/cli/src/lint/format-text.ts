import type { LintedFile } from "./linted-file.ts";

/** `path:line:column severity rule message`, the suggestion indented below, then a summary. */
export function formatText(files: LintedFile[], phase: string): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const file of files) {
    for (const f of file.findings) {
      if (f.severity === "error") errors += 1;
      if (f.severity === "warning") warnings += 1;
      lines.push(`${file.path}:${f.line}:${f.column} ${f.severity} ${f.rule} ${f.message}`, `    fix: ${f.suggestion}`);
    }
  }
  const clean = files.filter((f) => f.findings.length === 0).length;
  lines.push(
    `${files.length} file(s) linted as ${phase}: ${errors} error(s), ${warnings} warning(s)${clean ? `, ${clean} clean` : ""}.`,
  );
  return lines.join("\n");
}
