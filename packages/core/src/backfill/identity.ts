import { createHash } from "node:crypto";
import type { BackfillPlan } from "./catalog.ts";

// A run's identity: the same table, assignments, predicate and key on the same rollout is the
// same backfill, and a second run resumes it from its checkpoint.

export function runIdentity(
  plan: Pick<BackfillPlan, "schema" | "table" | "targets" | "where" | "key">,
  rollout: { service: string; environment: string; release: string },
): string {
  const definition = JSON.stringify([
    plan.schema,
    plan.table,
    plan.targets.map((t) => [t.column, t.expression]),
    plan.where,
    plan.key.map((k) => k.column),
    rollout.service,
    rollout.environment,
    rollout.release,
  ]);
  return createHash("sha256").update(definition).digest("hex");
}
