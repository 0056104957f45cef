import { randomUUID } from "node:crypto";
import { listJobStatus } from "@rollgate/db/queries/jobs";
import { describe, expect, it } from "vitest";
import { target, testDatabase } from "../../db/test/harness.ts";
import { startWorker, type JobDefinition } from "../src/index.ts";

const handle = await testDatabase();

describe(`the worker (${target === "postgres" ? "graphile-worker" : "the embedded loop"})`, () => {
  it("runs the jobs it is given, a host's own among them, every period, and none after it stopped", async () => {
    const runs: number[] = [];
    const job: JobDefinition = {
      name: `host_job_${randomUUID().slice(0, 8)}`,
      cron: null,
      everySeconds: () => 1,
      run: async () => {
        runs.push(Date.now());
        return "checked";
      },
    };
    const worker = await startWorker({ handle, secretKey: "test-secret-key-0123456789", jobs: [job] });
    const deadline = Date.now() + 20_000;
    while (runs.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await worker.stop();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(900);
    const status = (await listJobStatus(handle.db)).find((s) => s.job === job.name);
    expect(status).toMatchObject({ lastSummary: "checked", consecutiveFailures: 0 });
    const stoppedAt = runs.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(runs).toHaveLength(stoppedAt);
  });
});
