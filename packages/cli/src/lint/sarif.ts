import type { Finding } from "@rollgate/core/sql";
import type { LintedFile } from "./linted-file.ts";

// SARIF 2.1.0, the format code-scanning services ingest.

const LEVEL = { error: "error", warning: "warning", info: "note" } as const;

export function toSarif(files: LintedFile[]) {
  const rules = new Map<string, Finding>();
  for (const file of files) for (const f of file.findings) if (!rules.has(f.rule)) rules.set(f.rule, f);
  const ruleIds = [...rules.keys()].sort();
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "rollgate",
            informationUri: "https://github.com/rollgate/rollgate",
            rules: ruleIds.map((id) => ({
              id,
              name: id,
              shortDescription: { text: `${rules.get(id)!.category} rule ${id}` },
              help: { text: rules.get(id)!.suggestion },
              properties: { category: rules.get(id)!.category },
            })),
          },
        },
        results: files.flatMap((file) =>
          file.findings.map((f) => ({
            ruleId: f.rule,
            ruleIndex: ruleIds.indexOf(f.rule),
            level: LEVEL[f.severity],
            message: { text: `${f.message} Fix: ${f.suggestion}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: file.path },
                  region: { startLine: f.line, startColumn: f.column },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
}
