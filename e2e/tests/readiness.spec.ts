import { expect, test } from "@playwright/test";
import { AppServer, waitFor } from "../support/app-server";
import { freePort } from "../support/free-port";
import { PostgresCluster } from "@rollgate/db/testing/postgres-cluster";

// Runs its own PostgreSQL server, so stopping it disturbs no other test.
test("readiness goes 503 while PostgreSQL is down and 200 once it is back, without a restart", async () => {
  test.setTimeout(120_000);
  const cluster = new PostgresCluster(await freePort()).init();
  cluster.start();
  const app = new AppServer(0, { DATABASE_URL: cluster.url });
  try {
    await app.start();
    const status = async () => (await fetch(`${app.url}/api/ready`)).status;
    await waitFor(async () => (await status()) === 200, 30_000);

    cluster.stop("fast");
    await waitFor(async () => (await status()) === 503, 15_000);
    const down = await (await fetch(`${app.url}/api/ready`)).json();
    expect(down.reason).toMatch(/database is unreachable/i);
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);

    cluster.start();
    await waitFor(async () => (await status()) === 200, 30_000);

    // A crash (SIGKILL of the postmaster) and recovery, too.
    cluster.kill();
    await waitFor(async () => (await status()) === 503, 15_000);
    cluster.start();
    await waitFor(async () => (await status()) === 200, 30_000);
  } finally {
    await app.stop();
    cluster.destroy();
  }
});

test("a setting that does not parse stops the server at start, with the reason, instead of serving errors", async () => {
  const app = new AppServer(0, { NEXTAUTH_SECRET: "too-short" });
  expect(await app.exitCode(30_000)).toBe(1);
  const output = app.output.join("");
  expect(output).toMatch(/invalid configuration, not starting/);
  expect(output).toMatch(/NEXTAUTH_SECRET/);
  expect(output).not.toContain("too-short"); // the value itself may be a secret
});
