import { createHash } from "node:crypto";
import { defaultPolicy } from "@rollgate/core/policy";
import type { LintedFile } from "./linted-file.ts";

// A pull-request comment: the findings, the risk, and what the contract will need before it
// may run. The approvals come from Rollgate's default policy for `environment`; an admin may
// have set another (admin → policies), which the gate, not this comment, enforces.

export type Risk = "high" | "medium" | "low";

/** high: something would break an app rollback or is an error; medium: locks or reruns; low: nothing to fix. */
export function riskOf(files: LintedFile[]): Risk {
  const all = files.flatMap((f) => f.findings);
  if (
    all.some((f) => f.severity === "error") ||
    files.some((file) => file.phase === "contract" && file.findings.some((f) => f.category === "contract"))
  )
    return "high";
  return all.some((f) => f.severity === "warning") ? "medium" : "low";
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

export function formatMarkdown(files: LintedFile[], phase: string, environment: string): string {
  const risk = riskOf(files);
  const findings = files.flatMap((file) => file.findings.map((f) => ({ file, f })));
  const out = [`### Rollgate lint: ${phase} — risk **${risk}**`, ""];
  if (findings.length === 0) out.push(`No findings in ${files.length} file(s).`);
  else {
    out.push("| | where | rule | finding | fix |", "| --- | --- | --- | --- | --- |");
    for (const { file, f } of findings)
      out.push(
        `| ${f.severity} | \`${cell(file.path)}:${f.line}\` | \`${f.rule}\` | ${cell(f.message)} | ${cell(f.suggestion)} |`,
      );
  }
  const destructive = findings.some(({ f }) => f.category === "contract");
  if (files.some((f) => f.phase === "contract") || destructive) {
    const policy = defaultPolicy(environment);
    const hours = Math.round(policy.rollbackWindowSeconds / 3600);
    out.push(
      "",
      `**Before this contract runs in ${environment}** (Rollgate's default ${environment} policy): ${policy.approvals.required} approval(s) from ${policy.approvals.allowedRoles.map((r) => r.replaceAll("_", " ")).join(", ")} of the service, never the release's author, pinned to the script's checksum — a change to the script needs new approvals; one more when the author is unknown to Rollgate. Also: the expand succeeded, the app at 100 % for the ${hours} h rollback window with the SLOs held, a restore-tested backup, and the contract lease.`,
      "",
      ...files.map((f) => `- \`${cell(f.path)}\` sha256 \`${createHash("sha256").update(f.source).digest("hex")}\``),
    );
  }
  out.push(
    "",
    `<sub>rollgate lint --phase ${phase} · ${files.length} file(s) · ${findings.filter(({ f }) => f.severity === "error").length} error(s), ${findings.filter(({ f }) => f.severity === "warning").length} warning(s)</sub>`,
  );
  return out.join("\n");
}
