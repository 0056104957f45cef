import { z } from "zod";
import { ROLES } from "../types.ts";
import { sloSourceSchema } from "./slo-source.ts";
import { databasePolicySchema } from "./database.ts";
import { isProductionLike, proposedProductionLike, type EnvironmentKind } from "./production-like.ts";

// A policy per environment. Durations are whole seconds, so a policy reads the same in
// JSON, in the database and in a form.

const HOUR = 3600;
const role = z.enum(ROLES);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time as HH:MM (24-hour)");
const timeZone = z.string().refine(isTimeZone, "an IANA time zone such as Europe/Berlin");

const explicitFreeze = z
  .object({
    kind: z.literal("range"),
    reason: z.string().min(1).max(200),
    from: z.iso.datetime({ offset: true }),
    until: z.iso.datetime({ offset: true }),
  })
  .refine((f) => Date.parse(f.until) > Date.parse(f.from), { message: "must end after it starts", path: ["until"] });

const weeklyFreeze = z.object({
  kind: z.literal("weekly"),
  reason: z.string().min(1).max(200),
  /** 0 = Sunday … 6 = Saturday, in `timeZone`. */
  days: z.array(z.number().int().min(0).max(6)).min(1),
  start: hhmm,
  /** May be earlier than `start`: the freeze then runs past midnight into the next day. */
  end: hhmm,
  timeZone,
});

export const policySchema = z.object({
  rollbackWindowSeconds: z
    .number()
    .int()
    .min(1)
    .max(90 * 24 * HOUR),
  approvals: z.object({
    required: z.number().int().min(0).max(10),
    expirySeconds: z
      .number()
      .int()
      .min(300)
      .max(90 * 24 * HOUR),
    allowedRoles: z.array(role).min(1),
    /** When the release's author matches nobody Rollgate knows: refuse the contract, or ask one approval more (default). */
    unknownAuthor: z.enum(["refuse", "extra_approval"]).optional(),
  }),
  breakGlass: z.object({
    allowedRoles: z.array(role),
    maxDurationSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * HOUR),
    /** An override takes effect only once a second allowed person confirms it (default: production only). */
    requireConfirmation: z.boolean().optional(),
  }),
  slo: z.object({
    minAvailability: z.number().min(0).max(100),
    minErrorBudgetRemaining: z.number().min(-10).max(1),
    maxBurnRate: z.number().positive(),
  }),
  /** Pull SLOs from Prometheus while a rollout verifies (optional; CI may push `slo.snapshot` instead). */
  sloSource: sloSourceSchema.optional(),
  backupMaxAgeSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * HOUR),
  requireFlagFull: z.boolean(),
  freezes: z.array(z.discriminatedUnion("kind", [explicitFreeze, weeklyFreeze])).max(50),
  noGo: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9_-]{1,40}$/),
        description: z.string().min(1).max(300),
        active: z.boolean(),
      }),
    )
    .max(50),
  leaseTtlSeconds: z
    .number()
    .int()
    .min(5)
    .max(24 * HOUR),
  lockingIsError: z.boolean(),
  /**
   * The gate's "rehearsal" check blocks the contract until the previous version was rehearsed
   * against this release's contract script (`rollgate rehearse`) with no proof. Default false:
   * the check is then shown but informational.
   */
  requireRehearsal: z.boolean().optional(),
  /** Facts from the application's database (`rollgate inspect`) and the lock-safe executor. */
  database: databasePolicySchema.optional(),
});

export type Policy = z.infer<typeof policySchema>;
export type FreezeWindow = Policy["freezes"][number];

export type PolicyResult =
  { ok: true; policy: Policy } | { ok: false; errors: Array<{ path: string; message: string }> };

/** Validates a policy; field errors carry dotted paths a form can put beside its inputs. */
export function parsePolicy(input: unknown): PolicyResult {
  const parsed = policySchema.safeParse(input);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) };
}

/**
 * Production-like: 72 h window, 2 approvers, strict SLOs. Anything else is staging-like: 1 h, 1 approver.
 * Give the environment's flag; a bare name is a new environment's, and stands for the flag it proposes.
 */
export function defaultPolicy(environment: EnvironmentKind | string): Policy {
  const production =
    typeof environment === "string" ? proposedProductionLike(environment) : isProductionLike(environment);
  return {
    rollbackWindowSeconds: production ? 72 * HOUR : 1 * HOUR,
    approvals: {
      required: production ? 2 : 1,
      expirySeconds: 7 * 24 * HOUR,
      allowedRoles: ["approver", "release_manager", "admin"],
    },
    breakGlass: { allowedRoles: ["release_manager", "admin"], maxDurationSeconds: 4 * HOUR },
    slo: production
      ? { minAvailability: 99.9, minErrorBudgetRemaining: 0.25, maxBurnRate: 2 }
      : { minAvailability: 99, minErrorBudgetRemaining: 0, maxBurnRate: 10 },
    backupMaxAgeSeconds: production ? 24 * HOUR : 7 * 24 * HOUR,
    requireFlagFull: true,
    freezes: [],
    noGo: [],
    leaseTtlSeconds: 30 * 60,
    lockingIsError: production,
  };
}

/** What a new environment of this name starts with: the proposed flag and the defaults for it. */
export function newEnvironment(name: string): { productionLike: boolean; policy: Policy } {
  const productionLike = proposedProductionLike(name);
  return { productionLike, policy: defaultPolicy({ productionLike }) };
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
