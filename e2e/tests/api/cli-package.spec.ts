import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { EXPAND, makeService, query, sha } from "../../support/api";

// The CLI as another repository's pipeline gets it: the packed tarball installed with npm
// into an empty folder outside the workspace (no tsx, no workspace links, offline: nothing but
// the tarball), driven against the running server, and on its own embedded PostgreSQL.

const exec = promisify(execFile);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

test("the packed CLI tarball, installed outside the workspace, runs drill and token create on PGlite, lints, sends and waits on the gate", async () => {
  test.setTimeout(180_000);
  const tarball = execFileSync(process.execPath, [path.join(root, "packages", "cli", "scripts", "pack.mjs")], {
    encoding: "utf8",
  }).trim();
  const dir = mkdtempSync(path.join(tmpdir(), "rollgate-pipeline-"));
  execFileSync("npm", ["init", "-y"], { cwd: dir, stdio: "ignore" });
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], { cwd: dir, stdio: "pipe" });
  const bin = path.join(dir, "node_modules", ".bin", "rollgate");
  // Exactly one package and nothing else installed (the parser's WASM is inside, and so is the
  // embedded database, a bundled dependency of the package).
  expect(readdirSync(path.join(dir, "node_modules")).filter((n) => !n.startsWith("."))).toEqual(["@rollgate"]);
  expect(readdirSync(path.join(dir, "node_modules", "@rollgate"))).toEqual(["cli"]);
  expect(readdirSync(path.join(dir, "node_modules", "@rollgate", "cli", "dist"))).toContain("libpg-query.wasm");

  // drill and token create on the embedded PostgreSQL, from the tarball alone (no DATABASE_URL).
  const embedded = {
    PATH: process.env.PATH!,
    HOME: dir,
    ROLLGATE_DATA_DIR: path.join(dir, "pglite"),
    ROLLGATE_SECRET_KEY: "packed-cli-test-secret-key-0123456789",
  };
  const token = await exec(
    bin,
    ["token", "create", "--service", "billing", "--environments", "staging,production", "--json"],
    { env: embedded, cwd: dir },
  ).catch((e: { code: number; stderr: string }) => ({ stdout: "", stderr: `exit ${e.code}: ${e.stderr}` }));
  // Standard output is the token alone; standard error, on a fresh database, the audit key record
  // that the token's audit entry (token.created) starts, as one info line; nothing else.
  expect(
    token.stderr
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { level: string; msg: string }).msg.split(":")[0]),
  ).toEqual(["audit key record written"]);
  expect(JSON.parse(token.stdout)).toEqual({
    token: expect.stringMatching(/^rg_/),
    secret: expect.stringMatching(/^whsec_/),
  });
  const drill = await exec(bin, ["drill", "--scenario", "safe", "--json", "--out", path.join(dir, "drill")], {
    env: embedded,
    cwd: dir,
  }).catch((e: { code: number; stderr: string }) => ({ stdout: "", stderr: `exit ${e.code}: ${e.stderr}` }));
  expect(drill.stdout, drill.stderr).not.toBe("");
  expect(JSON.parse(drill.stdout)).toMatchObject({ kind: "rollgate.drill", scenario: "safe", passed: true });

  const svc = await makeService({ policy: { rollbackWindowSeconds: 10, requireFlagFull: true } });
  const env = {
    PATH: process.env.PATH!,
    ROLLGATE_URL: test.info().project.use.baseURL!,
    ROLLGATE_TOKEN: svc.token,
    ROLLGATE_SECRET: svc.secret,
    ROLLGATE_SERVICE: svc.slug,
    ROLLGATE_ENVIRONMENT: "staging",
    ROLLGATE_RELEASE: "r1",
  };
  const rollgate = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await exec(bin, args, { env, cwd: dir });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const write = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return name;
  };

  const contract = "SET lock_timeout = '3s';\nALTER TABLE users DROP COLUMN IF EXISTS email;\n";
  const lint = await rollgate("lint", write("contract.sql", contract), "--phase", "expand", "--format", "github");
  expect(lint.code).toBe(1);
  expect(lint.stdout).toContain("::error file=contract.sql,line=2,col=1,title=rollgate drop-column (expand)::");
  expect((await rollgate("lint", write("expand.sql", EXPAND), "--phase", "expand")).code).toBe(0);

  // backfill is in the bundle: its parser refuses a smuggled statement before any database is asked.
  const smuggled = await rollgate(
    "backfill",
    "--database-url",
    "postgres://nobody@127.0.0.1:1/none",
    "--table",
    "users",
    "--set",
    "email = lower(email); DROP TABLE users",
  );
  expect(smuggled.code, smuggled.stderr).toBe(2);
  expect(smuggled.stderr).toContain("it reads as more than one statement. Nothing was written.");

  const send = (type: string, data: unknown) =>
    rollgate("send", type, "--data", write(`${type}.json`, JSON.stringify(data)));
  for (const [type, data] of [
    [
      "release.created",
      {
        title: "Drop users.email",
        author: "dev@example.com",
        app_version: "2.0.0",
        expand_sql: EXPAND,
        contract_sql: contract,
      },
    ],
    ["migration.started", { phase: "expand", name: "expand.sql", checksum: sha(EXPAND) }],
    ["migration.succeeded", { phase: "expand", name: "expand.sql", checksum: sha(EXPAND) }],
    ["backup.verified", { backup_id: "b-1", restore_tested: true }],
    ["app.deployed", { version: "2.0.0" }],
    ["flag.changed", { flag: "f", percent: 100 }],
    ["slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 }],
  ] as const) {
    const sent = await send(type, data);
    expect(sent.code, `${type}: ${sent.stderr}`).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ duplicate: false });
  }

  // The window (10 s: each send above starts a process, seconds on a busy machine) is still open:
  // gate --wait waits it out, then takes the lease.
  const started = Date.now();
  const gate = await rollgate("gate", "--wait", "--timeout", "60s", "--interval", "1s");
  expect(gate.code, gate.stderr).toBe(0);
  expect(gate.stderr).toContain("waiting on rollback_window");
  expect(Date.now() - started).toBeGreaterThan(1000);
  const { lease_id } = JSON.parse(gate.stdout);
  const [lease] = await query<{ holder: string }>("select holder from leases where id = $1", [lease_id]);
  expect(lease?.holder).toMatch(/rollgate gate/);
});
