import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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

/** A scratch repository for a rehearsal: the schema before (a dump), expand and a contract that drops a column. */
function rehearsalScratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "rollgate-rehearse-"));
  mkdirSync(path.join(dir, "migrations"));
  mkdirSync(path.join(dir, "db"));
  writeFileSync(
    path.join(dir, "db", "schema.sql"),
    "CREATE TABLE public.invoices (id bigint NOT NULL PRIMARY KEY, email text, amount numeric(12,2));\n",
  );
  writeFileSync(path.join(dir, "migrations", "expand.sql"), "ALTER TABLE invoices ADD COLUMN billing_email text;\n");
  writeFileSync(path.join(dir, "migrations", "contract.sql"), "ALTER TABLE invoices DROP COLUMN email;\n");
  return dir;
}

// Rollgate (the observed statements of a version) and GitLab (a merge request's notes), standing
// in for both in a process of its own: the examples' steps run synchronously, as a runner runs them.
const STAND_IN = `
const { createServer } = require("node:http");
const { appendFileSync } = require("node:fs");
const log = process.argv[1];
createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    appendFileSync(log, JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }) + "\\n");
    const seen = req.url.match(/\\/versions\\/([^/]+)\\/statements$/);
    if (req.method === "GET" && seen && seen[1] === "0a1b2c3d") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({
        service: "billing-api", environment: "production", version: "0a1b2c3d",
        from: "2026-12-01T10:00:00Z", to: "2026-12-01T12:00:00Z", complete: true,
        statements: [
          { id: "1", text: "SELECT email FROM invoices WHERE id = $1", calls: 1200 },
          { id: "2", text: "SELECT id, amount FROM invoices WHERE id = $1", calls: 300 },
        ],
      }));
    } else if (req.method === "GET") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "not_found", message: "never observed" } }));
    } else res.writeHead(201, { "content-type": "application/json" }).end("{}");
  });
}).listen(0, "127.0.0.1", function () { process.stdout.write(String(this.address().port) + "\\n"); });
`;
let standIn: ChildProcess | undefined;
let standInUrl = "";
let standInLog = "";
const standInRequests = () =>
  readFileSync(standInLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { method: string; url: string; headers: Record<string, string>; body: string });
afterAll(() => void standIn?.kill());
async function startStandIn() {
  if (standIn) return;
  standInLog = path.join(mkdtempSync(path.join(tmpdir(), "stand-in-")), "requests.jsonl");
  writeFileSync(standInLog, "");
  standIn = spawn(process.execPath, ["-e", STAND_IN, standInLog], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) => standIn!.stdout!.once("data", (d) => resolve(String(d).trim())));
  standInUrl = `http://127.0.0.1:${port}`;
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
      expect(["lint", "send", "run", "gate", "inspect", "rehearse"]).toContain(step.with.command);
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

describe("docs/ci/github-actions.yml's rehearse job", () => {
  const job = () => github.jobs.rehearse.steps as Manifest[];

  it("runs only when the pull request adds or changes the contract", () => {
    const changed = job().find((s) => s.id === "changed")!;
    const check = (touchContract: boolean) => {
      const dir = rehearsalScratch();
      const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "pipe" });
      git("init", "-q");
      git("add", "-A");
      git(
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "-q",
        "-m",
        "base: a contract already there",
      );
      const base = git("rev-parse", "HEAD").toString().trim();
      writeFileSync(path.join(dir, touchContract ? "migrations/contract.sql" : "README.md"), "-- changed\n");
      git("add", "-A");
      git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "change");
      const output = path.join(dir, "github-output");
      writeFileSync(output, "");
      const result = spawnSync("bash", ["-eo", "pipefail", "-c", changed.run], {
        cwd: dir,
        encoding: "utf8",
        env: { PATH: process.env.PATH!, BASE: base, GITHUB_OUTPUT: output },
      });
      expect(result.status, result.stderr).toBe(0);
      return readFileSync(output, "utf8");
    };
    expect(check(true)).toBe("contract=true\n");
    expect(check(false)).toBe("");
  });

  it("rehearses the deployed version's observed statements with the packed CLI: the proof in the comment, exit 1", async () => {
    await startStandIn();
    const step = job().find((s) => s.id === "rehearsal")!;
    expect(step.if).toBe("steps.changed.outputs.contract == 'true'");
    const args = String(step.with.args).replace("${{ github.event.pull_request.base.sha }}", "0a1b2c3d");
    const result = runAction(rehearsalScratch(), {
      ...step.with,
      args,
      cli: tarball,
      url: standInUrl,
      token: "rg_read_only",
    });
    expect(result.status, result.stderr).toBe(1);
    expect(result.outputs["exit-code"]).toBe("1");
    const body = readFileSync(result.outputs.output!, "utf8");
    expect(body).toMatch(/^### ❌ Rollback rehearsal of `0a1b2c3d`: UNSAFE/);
    expect(body).toContain("SELECT email FROM invoices WHERE id = $1");
    expect(body).toContain("1,200 calls");
    expect(body).toMatch(/column "?email"? does not exist/);
    expect(result.summary).toBe(body);
    const get = standInRequests().find((r) => r.url.endsWith("/versions/0a1b2c3d/statements"))!;
    expect(get).toMatchObject({
      method: "GET",
      url: "/api/v1/services/billing-api/environments/production/versions/0a1b2c3d/statements",
    });
    expect(get.headers.authorization).toBe("Bearer rg_read_only");
    // No secret and no release from a pull request: nothing is sent.
    expect(standInRequests().filter((r) => r.method === "POST")).toEqual([]);
  });
});

describe("docs/ci/gitlab-ci.yml", () => {
  it("rehearse: on a merge request changing the contract, posts the markdown as a note and fails on the proof", async () => {
    expect(gitlab.rehearse.rules).toEqual([
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"', changes: ["migrations/contract.sql"] },
    ]);
    await startStandIn();
    const dir = rehearsalScratch();
    const prefix = mkdtempSync(path.join(tmpdir(), "npm-prefix-"));
    const lines = [...gitlab.default.before_script, ...gitlab.rehearse.script].filter(
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
        ROLLGATE_SERVICE: gitlab.variables.ROLLGATE_SERVICE,
        ...gitlab.rehearse.variables,
        ROLLGATE_URL: standInUrl,
        ROLLGATE_TOKEN: "rg_ci",
        ROLLGATE_SECRET: `whsec_${Buffer.from("a-test-secret-of-32-bytes-length").toString("base64")}`,
        CI_MERGE_REQUEST_DIFF_BASE_SHA: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
        ROLLGATE_NOTES_TOKEN: "glpat-test",
        CI_API_V4_URL: `${standInUrl}/api/v4`,
        CI_PROJECT_ID: "42",
        CI_MERGE_REQUEST_IID: "7",
      },
    });
    expect(result.status, result.stderr).toBe(1);
    const report = readFileSync(path.join(dir, "rehearsal.md"), "utf8");
    expect(report).toMatch(/^### ❌ Rollback rehearsal of `0a1b2c3d`: UNSAFE/);
    const note = standInRequests().find((r) => r.url === "/api/v4/projects/42/merge_requests/7/notes")!;
    expect(note.headers["private-token"]).toBe("glpat-test");
    expect(JSON.parse(note.body)).toEqual({ body: report });
    // The merge request's release is not registered yet: no event is sent.
    expect(standInRequests().filter((r) => r.url === "/api/v1/events")).toEqual([]);
    expect(result.stderr).toMatch(/not sending the report/);
  });

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
