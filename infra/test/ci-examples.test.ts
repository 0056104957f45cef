import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { infra, type Manifest } from "./render.ts";

// The pipeline examples (docs/ci) and the composite action (actions/rollgate), exercised:
// parsed, checked against the action's declared inputs, and their lint steps run with the
// packed CLI tarball in a scratch repository, the way a runner would run them.

const root = path.join(infra, "..");
const action = parse(readFileSync(path.join(root, "actions", "rollgate", "action.yml"), "utf8")) as Manifest;
const github = parse(readFileSync(path.join(root, "docs", "ci", "github-actions.yml"), "utf8")) as Manifest;
const gitlab = parse(readFileSync(path.join(root, "docs", "ci", "gitlab-ci.yml"), "utf8")) as Manifest;
const USES = /^rollgate\/rollgate\/actions\/rollgate@v\d+\.\d+\.\d+$/;
let tarball = "";

/** A scratch repository with the two migrations the examples name. */
function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "rollgate-ci-"));
  mkdirSync(path.join(dir, "migrations"));
  writeFileSync(
    path.join(dir, "migrations", "expand.sql"),
    "SET lock_timeout = '3s';\nALTER TABLE invoices ADD COLUMN IF NOT EXISTS billing_email text;\nALTER TABLE invoices DROP COLUMN email;\n",
  );
  writeFileSync(
    path.join(dir, "migrations", "contract.sql"),
    "SET lock_timeout = '3s';\nALTER TABLE invoices DROP COLUMN IF EXISTS email;\n",
  );
  return dir;
}

/** Runs the composite action's steps as a runner does: inputs substituted, bash -eo pipefail, GITHUB_OUTPUT/PATH files. */
function runAction(cwd: string, with_: Record<string, string>, env: Record<string, string> = {}) {
  const inputs = Object.fromEntries(
    Object.entries(action.inputs as Manifest).map(([k, v]) => [k, with_[k] ?? (v as Manifest).default ?? ""]),
  );
  const temp = mkdtempSync(path.join(tmpdir(), "runner-"));
  const files = {
    GITHUB_OUTPUT: path.join(temp, "output"),
    GITHUB_PATH: path.join(temp, "path"),
    GITHUB_STEP_SUMMARY: path.join(temp, "summary"),
  };
  for (const f of Object.values(files)) writeFileSync(f, "");
  const expr = (text: string) =>
    String(text).replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, k: string) => inputs[k] ?? "");
  let pathVar = process.env.PATH!;
  let last = { status: 0 as number | null, stdout: "", stderr: "" };
  for (const step of action.runs.steps as Manifest[]) {
    const stepEnv = Object.fromEntries(
      Object.entries((step.env ?? {}) as Record<string, string>).map(([k, v]) => [k, expr(v)]),
    );
    const script = path.join(temp, "step.sh");
    writeFileSync(script, expr(step.run));
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
      cwd,
      encoding: "utf8",
      env: { PATH: pathVar, HOME: temp, RUNNER_TEMP: temp, ...files, ...env, ...stepEnv },
    });
    last = result;
    pathVar = [
      ...readFileSync(files.GITHUB_PATH, "utf8").split("\n").filter(Boolean).reverse(),
      process.env.PATH!,
    ].join(":");
    if (result.status !== 0) break;
  }
  const outputs = Object.fromEntries(
    readFileSync(files.GITHUB_OUTPUT, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return { ...last, outputs, summary: readFileSync(files.GITHUB_STEP_SUMMARY, "utf8") };
}

const steps = (workflow: Manifest) =>
  Object.values(workflow.jobs as Manifest).flatMap((job) => (job as Manifest).steps as Manifest[]);

// Each test runs the packed CLI in child processes (an action's steps, npm installing the tarball): seconds on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

beforeAll(() => {
  tarball = execFileSync(process.execPath, [path.join(root, "packages", "cli", "scripts", "pack.mjs")], {
    encoding: "utf8",
  }).trim();
}, 120_000);

describe("the composite action", () => {
  it("installs the tarball and annotates findings with --format github, failing the step", () => {
    const result = runAction(scratch(), {
      command: "lint",
      cli: tarball,
      args: "migrations/expand.sql --phase expand --format github",
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      "::error file=migrations/expand.sql,line=3,col=1,title=rollgate drop-column (expand)::",
    );
    expect(result.outputs["exit-code"]).toBe("1");
  });

  it("refuses a command other than lint, send, run, gate or inspect", () => {
    expect(runAction(scratch(), { command: "token", cli: tarball, args: "create" }).status).toBe(2);
  });
});

describe("docs/ci/github-actions.yml", () => {
  it("uses the action with declared inputs and a known command, never npx", () => {
    const ours = steps(github).filter((s) => String(s.uses ?? "").includes("actions/rollgate"));
    expect(ours.length).toBeGreaterThanOrEqual(5);
    for (const step of ours) {
      expect(step.uses).toMatch(USES);
      expect(Object.keys(step.with).filter((k) => !(k in action.inputs))).toEqual([]);
      expect(["lint", "send", "run", "gate", "inspect"]).toContain(step.with.command);
    }
    expect(readFileSync(path.join(root, "docs", "ci", "github-actions.yml"), "utf8")).not.toMatch(/npx rollgate/);
  });

  it("runs the pull request's lint job: annotations, then the review comment with risk and approvals", () => {
    const dir = scratch();
    const [annotate, comment] = (github.jobs.lint.steps as Manifest[]).filter((s) =>
      String(s.uses ?? "").includes("actions/rollgate"),
    );
    const annotated = runAction(dir, { ...annotate!.with, cli: tarball });
    expect(annotated.stdout).toMatch(/^::error file=migrations\/expand\.sql,line=3/m);
    const report = runAction(dir, { ...comment!.with, cli: tarball });
    expect(report.status).toBe(0);
    const body = readFileSync(report.outputs.output!, "utf8");
    expect(body).toContain("risk **high**");
    expect(body).toContain("2 approval(s)");
    expect(report.summary).toBe(body);
  });
});

describe("docs/ci/gitlab-ci.yml", () => {
  it("installs the packed CLI and its lint job writes Code Quality reports, failing on findings", () => {
    expect(gitlab.default.before_script.join("\n")).toContain(
      'npm install --global --no-audit --no-fund --silent "$ROLLGATE_CLI"',
    );
    expect(gitlab.lint.artifacts).toMatchObject({
      when: "always",
      reports: { codequality: ["gl-code-quality-expand.json", "gl-code-quality-contract.json"] },
    });
    const dir = scratch();
    const prefix = mkdtempSync(path.join(tmpdir(), "npm-prefix-"));
    const lines = [...gitlab.default.before_script, ...gitlab.lint.script].filter(
      (l: string) => !l.startsWith("apt-get"),
    );
    const result = spawnSync("bash", ["-e", "-c", lines.join("\n")], {
      cwd: dir,
      encoding: "utf8",
      env: {
        PATH: `${prefix}/bin:${process.env.PATH}`,
        HOME: prefix,
        npm_config_prefix: prefix,
        ROLLGATE_CLI: tarball,
      },
    });
    expect(result.status, result.stderr).toBe(1);
    const expand = JSON.parse(readFileSync(path.join(dir, "gl-code-quality-expand.json"), "utf8"));
    expect(expand[0]).toMatchObject({
      check_name: "drop-column",
      severity: "critical",
      location: { path: "migrations/expand.sql", lines: { begin: 3 } },
    });
    expect(
      JSON.parse(readFileSync(path.join(dir, "gl-code-quality-contract.json"), "utf8")).every(
        (i: Manifest) => i.severity !== "critical",
      ),
    ).toBe(true);
    expect(readFileSync(path.join(root, "docs", "ci", "gitlab-ci.yml"), "utf8")).not.toMatch(/npx rollgate/);
  });
});
