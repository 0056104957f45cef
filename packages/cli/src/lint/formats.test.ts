import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { main } from "../main.ts";

const dir = mkdtempSync(path.join(tmpdir(), "rollgate-formats-"));
const file = (name: string, sql: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, sql);
  return p;
};
const clean = file(
  "clean.sql",
  "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text;\n",
);
const contractSql = "SET lock_timeout = '3s';\n\nALTER TABLE users DROP COLUMN IF EXISTS email;\n";
const destructive = file("drop, 100%.sql", contractSql);

async function lint(...argv: string[]) {
  const out: string[] = [];
  const code = await main(["lint", ...argv], { out: (t) => out.push(t), err: (t) => out.push(t), interactive: false });
  return { code, out: out.join("\n") };
}

/** Reads a workflow command back the way the runner does: properties unescaped, data unescaped. */
function parseCommand(line: string) {
  const match = /^::(\w+) (.*?)::(.*)$/.exec(line);
  if (!match) return null;
  const unescape = (s: string) =>
    s
      .replaceAll("%0D", "\r")
      .replaceAll("%0A", "\n")
      .replaceAll("%3A", ":")
      .replaceAll("%2C", ",")
      .replaceAll("%25", "%");
  const props = Object.fromEntries(
    match[2]!.split(",").map((kv) => [kv.slice(0, kv.indexOf("=")), unescape(kv.slice(kv.indexOf("=") + 1))]),
  );
  return { command: match[1], props, message: unescape(match[3]!) };
}

// GitLab's documented required fields of a Code Quality issue.
const codeQualityIssue = z.object({
  description: z.string().min(1),
  check_name: z.string().min(1),
  fingerprint: z.string().min(1),
  severity: z.enum(["info", "minor", "major", "critical", "blocker"]),
  location: z.object({ path: z.string().min(1), lines: z.object({ begin: z.number().int().positive() }) }),
});

describe("rollgate lint for reviewers", () => {
  it("--format github annotates the finding's own line, with file names escaped as the runner expects", async () => {
    const result = await lint(destructive, clean, "--phase", "expand", "--format", "github");
    expect(result.code).toBe(1);
    const commands = result.out.split("\n").map(parseCommand).filter(Boolean);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({
      command: "error",
      props: { file: destructive, line: "3", col: "1", title: "rollgate drop-column (expand)" },
    });
    expect(commands[0]!.message).toContain("\nFix: ");
    expect(result.out).toContain("%2C 100%25.sql");
  });

  it("--format github prints no annotation for clean files", async () => {
    const result = await lint(clean, "--phase", "expand", "--format", "github");
    expect(result.code).toBe(0);
    expect(result.out).not.toMatch(/^::/m);
  });

  it("--format markdown gives the findings, the risk and the approvals the contract will need, pinned to the checksum", async () => {
    const sum = createHash("sha256").update(contractSql).digest("hex");
    const production = await lint(
      destructive,
      "--phase",
      "contract",
      "--format",
      "markdown",
      "--environment",
      "production",
    );
    expect(production.out).toContain("risk **high**");
    expect(production.out).toContain("| info | `");
    expect(production.out).toContain("2 approval(s) from approver, release manager, admin");
    expect(production.out).toContain("72 h rollback window");
    expect(production.out).toContain(sum);
    const staging = await lint(destructive, "--phase", "contract", "--format", "markdown", "--environment", "staging");
    expect(staging.out).toContain("1 approval(s)");
    const expand = await lint(clean, "--phase", "expand", "--format", "markdown");
    expect(expand.out).toContain("risk **low**");
    expect(expand.out).not.toContain("approval");
  });

  it("--format codequality writes GitLab's Code Quality report with stable fingerprints", async () => {
    const result = await lint(destructive, clean, "--phase", "expand", "--format", "codequality");
    const report = z.array(codeQualityIssue).parse(JSON.parse(result.out));
    expect(report[0]).toMatchObject({
      check_name: "drop-column",
      severity: "critical",
      location: { path: destructive, lines: { begin: 3 } },
    });
    // The same finding after a line is added above it keeps its fingerprint.
    const before = file("moved.sql", contractSql);
    const first = z
      .array(codeQualityIssue)
      .parse(JSON.parse((await lint(before, "--phase", "expand", "--format", "codequality")).out));
    file("moved.sql", `-- note\n${contractSql}`);
    const again = z
      .array(codeQualityIssue)
      .parse(JSON.parse((await lint(before, "--phase", "expand", "--format", "codequality")).out));
    expect(again[0]!.location.lines.begin).toBe(4);
    expect(again[0]!.fingerprint).toBe(first[0]!.fingerprint);
    expect(new Set(report.map((i) => i.fingerprint)).size).toBe(report.length);
    // The check can fail: a report without a fingerprint is refused.
    expect(codeQualityIssue.safeParse({ ...report[0], fingerprint: undefined }).success).toBe(false);
  });
});
