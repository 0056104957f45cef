import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { notificationPayload } from "@rollgate/core/integrations/notifications";
import { openDatabase, type DbHandle } from "@rollgate/db/client";
import { createSubscription, enqueueNotification } from "@rollgate/db/queries/notifications";
import { jobStatus, notificationDeliveries } from "@rollgate/db/schema";
import { encryptSecret, newSigningSecret } from "@rollgate/db/secrets";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { makeRelease } from "../../db/test/fixtures.ts";
import { emptyPostgresDatabase, target } from "../../db/test/harness.ts";

// `rollgate worker` as a process: SIGTERM lets the job running finish and exits 0, and a crontab
// period that passed while no worker ran is caught up on the next start. A database of its own,
// so this worker delivers no other test's notifications.

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "bin", "rollgate.js");
const SECRET_KEY = "worker-shutdown-test-secret-key";

// A webhook receiver that holds its answer: the delivery job is running while it waits.
const HOLD_MS = 2500;
const arrived: number[] = [];
const answered: number[] = [];
const receiver = createServer((req, res) => {
  req.resume();
  arrived.push(Date.now());
  setTimeout(() => {
    answered.push(Date.now());
    res.writeHead(200).end("ok");
  }, HOLD_MS);
});

function worker(url: string): { child: ChildProcess; output: string[]; exited: Promise<number | null> } {
  const output: string[] = [];
  const child = spawn(process.execPath, [bin, "worker"], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      ROLLGATE_SECRET_KEY: SECRET_KEY,
      ROLLGATE_ALLOW_PRIVATE_DESTINATIONS: "1",
      ROLLGATE_WORKER_TICK_SECONDS: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

describe.skipIf(target !== "postgres")("rollgate worker on SIGTERM", () => {
  let database: { url: string; drop(): Promise<void> };
  let handle: DbHandle | undefined;
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
    receiver.close();
  });

  it("finishes the job running and exits 0; a crontab period missed while stopped runs on the next start", async () => {
    database = await emptyPostgresDatabase();
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const port = (receiver.address() as AddressInfo).port;

    const first = worker(database.url);
    await until(() => first.output.join("").includes("rollgate worker: running"), 60_000, "the worker started");
    handle = await openDatabase({ url: database.url, max: 2 });
    const { db } = handle;

    // A notification to deliver; the receiver holds the answer, and SIGTERM arrives meanwhile.
    const made = await makeRelease(db);
    const sub = await createSubscription(db, {
      serviceId: made.service.id,
      environmentId: null,
      kind: "webhook",
      url: `http://127.0.0.1:${port}/hook`,
      secretCiphertext: encryptSecret(newSigningSecret(), SECRET_KEY),
      eventTypes: ["lease.taken"],
      createdBy: "admin@example.com",
    });
    const staging = made.environments.find((e) => e.name === "staging")!;
    const at = new Date();
    await db.transaction((tx) =>
      enqueueNotification(tx, {
        serviceId: made.service.id,
        environmentId: staging.id,
        type: "lease.taken",
        key: "lease:shutdown",
        now: at,
        payload: notificationPayload({
          type: "lease.taken",
          service: made.service.slug,
          environment: "staging",
          release: "rel-1",
          summary: "ci-7 took the contract lease.",
          at,
        }) as unknown as Record<string, unknown>,
      }),
    );
    await until(() => arrived.length > 0, 30_000, "the delivery reached the receiver");
    first.child.kill("SIGTERM");
    const code = await first.exited;
    const exitedAt = Date.now();
    expect(code, first.output.join("")).toBe(0);
    // It waited for the answer, and recorded it: the delivery is done, not left claimed.
    expect(answered).toHaveLength(1);
    expect(exitedAt).toBeGreaterThanOrEqual(answered[0]!);
    const [delivery] = await db
      .select({ status: notificationDeliveries.status, attempts: notificationDeliveries.attempts })
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.subscriptionId, sub.id));
    expect(delivery).toEqual({ status: "delivered", attempts: 1 });

    // Stopped through a minute boundary: graphile-worker's crontab last ran expire_leases two
    // minutes ago. Started well before the next boundary, the missed period runs at once.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 25_000) await new Promise((r) => setTimeout(r, left + 500));
    await db.execute(
      sql`update graphile_worker._private_known_crontabs set last_execution = now() - interval '2 minutes' where identifier = 'expire_leases'`,
    );
    const restartedAt = new Date();
    const nextBoundary = Math.ceil(restartedAt.getTime() / 60_000) * 60_000;
    const second = worker(database.url);
    try {
      const ran = async () => {
        const [row] = await db
          .select({ at: jobStatus.lastStartedAt })
          .from(jobStatus)
          .where(eq(jobStatus.job, "expire_leases"));
        return row?.at != null && row.at.getTime() >= restartedAt.getTime();
      };
      await until(ran, nextBoundary - Date.now() - 1000, "expire_leases caught up before the next minute");
    } finally {
      second.child.kill("SIGTERM");
      expect(await second.exited, second.output.join("")).toBe(0);
    }
  });
});
