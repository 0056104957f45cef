import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { query } from "../../support/api";
import { passwordSignIn, randomAddress } from "../../support/session";
import { DEMO_PASSWORD } from "../../support/sign-in";

const exec = promisify(execFile);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = path.join(root, "packages", "cli", "bin", "rollgate.js");
const dir = mkdtempSync(path.join(tmpdir(), "rollgate-cli-"));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

test("a whole release through the rollgate CLI: refused destructive expand, refused contract without lease, then contracted", async () => {
  test.setTimeout(90_000);
  const service = `cli-${Date.now().toString(36)}`;
  const base = {
    ...process.env,
    ROLLGATE_URL: test.info().project.use.baseURL!,
    ROLLGATE_SERVICE: service,
    ROLLGATE_ENVIRONMENT: "staging",
    ROLLGATE_RELEASE: "2026.11.9",
  };
  const rollgate = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await exec(process.execPath, [bin, ...args], { env: env(), cwd: root });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  let credentials: Record<string, string> = {};
  const env = () => ({ ...base, ...credentials });

  const created = await rollgate(
    "token",
    "create",
    "--service",
    service,
    "--environments",
    "staging,production",
    "--json",
  );
  expect(created.code, created.stderr).toBe(0);
  const { token, secret } = JSON.parse(created.stdout);
  credentials = { ROLLGATE_TOKEN: token, ROLLGATE_SECRET: secret };
  // Short windows and no approvers, so the release completes inside a test.
  await query(
    `update environments set policy = jsonb_set(jsonb_set(policy, '{rollbackWindowSeconds}', '2'), '{approvals,required}', '0') where service_id = (select id from services where slug = $1)`,
    [service],
  );

  const expandSql = "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text;\n";
  const contractSql = "SET lock_timeout = '3s';\nALTER TABLE users DROP COLUMN IF EXISTS email;\n";
  const release = write(
    "release.json",
    JSON.stringify({
      title: "Rename email",
      author: "dev@example.com",
      app_version: "2.0.0",
      expand_sql: expandSql,
      contract_sql: contractSql,
    }),
  );
  expect((await rollgate("send", "release.created", "--data", release)).code).toBe(0);

  // A destructive expand is refused before anything runs.
  const destructive = await rollgate(
    "run",
    "--phase",
    "expand",
    "--file",
    write("bad.sql", contractSql),
    "--",
    process.execPath,
    "-e",
    "console.log('should not run')",
  );
  expect(destructive.code).toBe(1);
  expect(destructive.stderr).toContain("drop-column");
  expect(destructive.stdout).not.toContain("should not run");

  const expand = await rollgate(
    "run",
    "--phase",
    "expand",
    "--file",
    write("expand.sql", expandSql),
    "--",
    process.execPath,
    "-e",
    "console.log('expand applied')",
  );
  expect(expand.code, expand.stderr).toBe(0);
  expect(expand.stdout).toContain("expand applied");

  expect(
    (
      await rollgate(
        "send",
        "app.deployed",
        "--data",
        write("deploy.json", JSON.stringify({ version: "2.0.0", manifest: ["users.id", "users.email_address"] })),
      )
    ).code,
  ).toBe(0);
  for (const percent of [10, 50, 100])
    expect(
      (
        await rollgate(
          "send",
          "flag.changed",
          "--data",
          write(`flag-${percent}.json`, JSON.stringify({ flag: "email_address", percent })),
        )
      ).code,
    ).toBe(0);
  expect(
    (
      await rollgate(
        "send",
        "slo.snapshot",
        "--data",
        write("slo.json", JSON.stringify({ availability: 99.97, error_budget_remaining: 0.9, burn_rate: 0.4 })),
      )
    ).code,
  ).toBe(0);
  expect(
    (
      await rollgate(
        "send",
        "backup.verified",
        "--data",
        write("backup.json", JSON.stringify({ backup_id: "b-1", restore_tested: true })),
      )
    ).code,
  ).toBe(0);

  // A contract reported without a lease is refused by the server.
  const sneaky = await rollgate(
    "send",
    "migration.started",
    "--data",
    write("sneaky.json", JSON.stringify({ phase: "contract", name: "contract.sql", checksum: "0".repeat(64) })),
  );
  expect(sneaky.code).toBe(1);
  expect(sneaky.stderr).toMatch(/409 conflict/);

  const gate = await rollgate("gate", "--wait", "--timeout", "30s", "--interval", "1s");
  expect(gate.code, gate.stderr).toBe(0);
  const { lease_id } = JSON.parse(gate.stdout);

  const contract = await rollgate(
    "run",
    "--phase",
    "contract",
    "--lease",
    lease_id,
    "--file",
    write("contract.sql", contractSql),
    "--",
    process.execPath,
    "-e",
    "console.log('contract applied')",
  );
  expect(contract.code, contract.stderr).toBe(0);

  const [rollout] = await query<{ state: string }>(
    `select r.state from rollouts r join releases l on l.id = r.release_id join services s on s.id = l.service_id join environments e on e.id = r.environment_id where s.slug = $1 and e.name = 'staging'`,
    [service],
  );
  expect(rollout).toEqual({ state: "contracted" });
  const [lease] = await query<{ outcome: string }>(`select outcome from leases where id = $1`, [lease_id]);
  expect(lease).toEqual({ outcome: "succeeded" });

  // The rollout's evidence bundle, for a signed-in viewer: the whole story, with the gate's checks at the lease and the audit hashes.
  const { cookie } = await passwordSignIn(base.ROLLGATE_URL, "dev.author@example.com", DEMO_PASSWORD, randomAddress());
  const headers = { cookie: cookie! };
  const evidence = await (
    await fetch(`${base.ROLLGATE_URL}/rollouts/${service}/staging/2026.11.9/evidence`, { headers })
  ).json();
  expect(evidence).toMatchObject({
    kind: "rollgate.rollout-evidence",
    rollout: { state: "contracted" },
    audit: { chain: { intact: true } },
  });
  expect(evidence.events.map((e: { type: string }) => e.type)).toEqual(
    expect.arrayContaining(["release.created", "migration.started", "app.deployed", "migration.succeeded"]),
  );
  // Informational checks (the database facts this pipeline never sends) do not hold a lease back.
  expect(
    evidence.gateAtEachLease[0].checks.every(
      (c: { status: string; blocking: boolean }) => c.status === "pass" || !c.blocking,
    ),
  ).toBe(true);
  expect(evidence.audit.entries.every((a: { hash: string }) => /^[a-f0-9]{64}$/.test(a.hash))).toBe(true);
  const printable = await (
    await fetch(`${base.ROLLGATE_URL}/rollouts/${service}/staging/2026.11.9/evidence?format=md`, { headers })
  ).text();
  expect(printable).toContain("## Timeline (UTC)");
  expect(printable).toContain("Audit chain: intact");
});
