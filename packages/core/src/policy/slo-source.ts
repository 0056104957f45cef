import { z } from "zod";

// Where the worker pulls an environment's SLOs from, instead of waiting for CI to push
// `slo.snapshot`. The credential (bearer token or basic-auth password) is not part of the
// policy: it is stored encrypted beside it and never shown again.

/** The shortest sampling interval a policy may ask for (tests use it; production wants 60 s). */
export const MIN_SAMPLING_INTERVAL_SECONDS = 2;

const promql = z.string().trim().min(1).max(4000);

export const sloSourceSchema = z
  .object({
    kind: z.literal("prometheus"),
    /** The Prometheus server, e.g. `https://prometheus.example.com` (queries go to `/api/v1/query`). */
    url: z.url({ protocol: /^https?$/, message: "an http(s) URL such as https://prometheus.example.com" }),
    auth: z.enum(["none", "bearer", "basic"]),
    /** The basic-auth user; the password (or bearer token) is stored encrypted, apart from the policy. */
    username: z.string().min(1).max(200).optional(),
    timeoutSeconds: z.number().int().min(1).max(60),
    intervalSeconds: z.number().int().min(MIN_SAMPLING_INTERVAL_SECONDS).max(3600),
    /** How long without a good sample the SLO check tolerates before it is pending. */
    maxGapSeconds: z
      .number()
      .int()
      .min(MIN_SAMPLING_INTERVAL_SECONDS)
      .max(24 * 3600),
    /** PromQL per objective; `{service}` and `{environment}` are replaced by the rollout's. Each must return one series. */
    queries: z.object({
      availability: promql,
      errorBudgetRemaining: promql,
      burnRate: promql,
      latencyP99Ms: promql.optional(),
    }),
  })
  .refine((s) => s.maxGapSeconds >= s.intervalSeconds, {
    message: "must be at least the sampling interval",
    path: ["maxGapSeconds"],
  })
  .refine((s) => s.auth !== "basic" || s.username !== undefined, {
    message: "basic auth needs a username",
    path: ["username"],
  });

export type SloSource = z.infer<typeof sloSourceSchema>;
export type SloObjective = keyof SloSource["queries"];

/** A policy's PromQL with the rollout's service and environment filled in (escaped as PromQL string content). */
export function renderQuery(template: string, vars: { service: string; environment: string }): string {
  const escape = (v: string) => v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("'", "\\'");
  return template.replaceAll("{service}", escape(vars.service)).replaceAll("{environment}", escape(vars.environment));
}

/** The sampling slot `at` falls in: slots are aligned to the epoch, so every worker agrees on them. */
export function samplingSlot(at: Date, intervalSeconds: number): Date {
  const ms = intervalSeconds * 1000;
  return new Date(Math.floor(at.getTime() / ms) * ms);
}
