import { captureLogs } from "@rollgate/log/testing/capture";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORKER_CONFIG, type JobContext } from "./context.ts";
import { runRecorded } from "./record.ts";

// No database: recording the outcome fails, which runRecorded tolerates; the log line still comes.
const ctx = {
  db: {} as JobContext["db"],
  now: () => new Date("2026-11-26T12:00:00Z"),
  secretKey: "k",
  config: DEFAULT_WORKER_CONFIG,
} satisfies JobContext;

describe("job outcomes in the log", () => {
  it("logs a failed run as one error line naming the job, without the quoted values of its error", async () => {
    const logs = captureLogs("info");
    try {
      const job = {
        name: "prune",
        cron: null,
        everySeconds: () => 60,
        run: () => Promise.reject(new Error('duplicate key value "rg_SECRET-VALUE"')),
      };
      const outcome = await runRecorded(job, ctx);
      expect(outcome.ok).toBe(false);
      expect(logs.records()).toEqual([
        expect.objectContaining({ level: "error", msg: "job failed", job: "prune", ok: false }),
      ]);
      expect(logs.text()).not.toContain("SECRET-VALUE");
    } finally {
      logs.restore();
    }
  });

  it("logs a successful run at debug only, so routine runs stay out of an info log", async () => {
    const logs = captureLogs("info");
    try {
      await runRecorded(
        { name: "sample_slos", cron: null, everySeconds: () => 5, run: async () => "nothing due" },
        ctx,
      );
      expect(logs.lines).toEqual([]);
    } finally {
      logs.restore();
    }
  });
});
