import { z } from "zod";

// What a policy says about the facts `rollgate inspect` reads from the application's
// database, and how `rollgate run --database-url` takes locks. Every field is optional, so
// policies stored before these checks existed stay valid and get the defaults below.

export const databasePolicySchema = z.object({
  /**
   * Whether "nothing still uses what the contract removes" and "expand is live" block the
   * contract: always, never (shown only), or "auto" — from the first inspection the
   * environment sends (default), so pipelines that do not inspect are not blocked.
   */
  checks: z.enum(["auto", "blocking", "informational"]).optional(),
  /** Lock risk is shown; "blocking" makes sessions that would block the contract's locks fail the gate. */
  lockRisk: z.enum(["informational", "blocking"]).optional(),
  /** The "recent" inspection must be at most this old. */
  inspectionMaxAgeSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .optional(),
  /** "Data is carried over": each data check's newest run must be at most this old (a check is a
   * moment's truth; the old version may write again after it). */
  dataCheckMaxAgeSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .optional(),
  /** The executor's `lock_timeout` per statement. */
  lockTimeoutMs: z.number().int().min(50).max(600_000).optional(),
  /** The executor's `statement_timeout` per statement (0: none). */
  statementTimeoutMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600_000)
    .optional(),
  /** Attempts after a lock timeout (55P03) before giving up. */
  lockRetries: z.number().int().min(0).max(100).optional(),
  /** Before a contract: wait for blocking sessions to end (up to `blockerWaitSeconds`), or stop. */
  blockers: z.enum(["wait", "stop"]).optional(),
  blockerWaitSeconds: z.number().int().min(0).max(3600).optional(),
});

export type DatabasePolicy = Required<z.infer<typeof databasePolicySchema>>;

export const DATABASE_POLICY_DEFAULTS: Readonly<DatabasePolicy> = Object.freeze({
  checks: "auto",
  lockRisk: "informational",
  inspectionMaxAgeSeconds: 3600,
  dataCheckMaxAgeSeconds: 3600,
  lockTimeoutMs: 3000,
  statementTimeoutMs: 0,
  lockRetries: 10,
  blockers: "wait",
  blockerWaitSeconds: 300,
});

// Filled in once per policy object: a gate evaluation asks five times, and the overview evaluates hundreds.
const filled = new WeakMap<object, Readonly<DatabasePolicy>>();

/** The policy's database settings with defaults filled in (a policy is a value: it is not changed once parsed). */
export function databasePolicy(policy: { database?: z.infer<typeof databasePolicySchema> }): Readonly<DatabasePolicy> {
  const own = policy.database;
  if (!own) return DATABASE_POLICY_DEFAULTS;
  let settings = filled.get(own);
  if (!settings) {
    settings = Object.freeze({ ...DATABASE_POLICY_DEFAULTS, ...stripUndefined(own) });
    filled.set(own, settings);
  }
  return settings;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
