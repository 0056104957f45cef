import { describe, expect, it } from "vitest";
import { DEFAULT_WORKER_CONFIG, type JobContext } from "../context.ts";
import { readWorkerEnv } from "../env.ts";
import { JOBS } from "./index.ts";

// The GitHub poll is one of the worker's jobs, so `rollgate worker` runs it as the web server's worker does.
describe("github_poll", () => {
  it("is in JOBS, every ROLLGATE_GITHUB_POLL_SECONDS", () => {
    const job = JOBS.find((j) => j.name === "github_poll");
    expect(job).toBeDefined();
    const { config } = readWorkerEnv({ ROLLGATE_GITHUB_POLL_SECONDS: "3" });
    const ctx = { config: { ...DEFAULT_WORKER_CONFIG, ...config } } as JobContext;
    expect(job!.everySeconds(ctx)).toBe(3);
    expect(readWorkerEnv({}).config.githubPollSeconds).toBe(15);
  });
});
