import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { makeService, query, startWindow } from "../../support/api";

// `rollgate gate --wait` long-polls the gate (GET …/gate/wait) and returns when it opens; of
// two pipelines waiting on one rollout, one takes the lease and the other exits 3 with the reason:
// the closed gate naming the holder (the server hands an open gate to one waiter first), or the
// lease's 409 when both asked.

const exec = promisify(execFile);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = path.join(root, "packages", "cli", "bin", "rollgate.js");

test("two waiting pipelines: the gate opens when the window ends, one gets the lease, the other exits 3 naming the holder", async () => {
  test.setTimeout(60_000);
  const baseURL = test.info().project.use.baseURL!;
  const svc = await makeService({ policy: { rollbackWindowSeconds: 8 } });
  await startWindow(baseURL, svc, { evidence: true });
  const [rollout] = await query<{ ends: Date }>(
    `select r.window_started_at + interval '8 seconds' as ends from rollouts r join releases l on l.id = r.release_id join services s on s.id = l.service_id join environments e on e.id = r.environment_id where s.slug = $1 and e.name = 'staging'`,
    [svc.slug],
  );
  const env = {
    ...process.env,
    ROLLGATE_URL: baseURL,
    ROLLGATE_TOKEN: svc.token,
    ROLLGATE_SECRET: svc.secret,
    ROLLGATE_SERVICE: svc.slug,
    ROLLGATE_ENVIRONMENT: "staging",
    ROLLGATE_RELEASE: "r1",
  };
  const pipeline = async () => {
    try {
      const { stdout, stderr } = await exec(process.execPath, [bin, "gate", "--wait", "--timeout", "45s"], {
        env,
        cwd: root,
      });
      return { code: 0, stdout, stderr, at: Date.now() };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr, at: Date.now() };
    }
  };
  const results = await Promise.all([pipeline(), pipeline()]);
  const winner = results.find((r) => r.code === 0);
  const loser = results.find((r) => r.code !== 0);
  expect(winner, JSON.stringify(results)).toBeDefined();
  expect(JSON.parse(winner!.stdout)).toMatchObject({ lease_id: expect.any(String), kind: "gate" });
  expect(winner!.at).toBeGreaterThanOrEqual(rollout!.ends.getTime());
  expect(winner!.stderr).toMatch(/waiting on rollback_window/);
  expect(loser, JSON.stringify(results)).toMatchObject({ code: 3 });
  expect(loser!.stderr).toMatch(/FAIL lease: .*holds the contract lease until|409 conflict: .*already holds the lease/);
  const requests = await query<{ n: number }>(
    `select count(*)::int as n from leases l join rollouts r on r.id = l.rollout_id join releases x on x.id = r.release_id join services s on s.id = x.service_id where s.slug = $1`,
    [svc.slug],
  );
  expect(requests[0]!.n).toBe(1);
});
