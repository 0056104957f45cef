import type { DeclaredDataCheck } from "@rollgate/core/contract/data-checks";
import type { RolloutKeys } from "@rollgate/db/queries/rollouts";
import type { Db } from "@rollgate/db/client";
import { listDataChecks as listDeclared } from "@rollgate/db/queries/data-checks";
import { rolloutOr404 } from "../gate/evaluate-rollout-gate";

/** The data checks a rollout declares, as `GET …/data-checks` answers them (what `rollgate inspect` runs). */
export async function listDataChecks(options: { db: Db; keys: RolloutKeys }): Promise<{ checks: DeclaredDataCheck[] }> {
  const row = await rolloutOr404(options.db, options.keys);
  const checks = await listDeclared(options.db, row.rollout.id);
  return {
    checks: checks.map((c) => ({
      name: c.name,
      sql: c.sql,
      checksum: c.checksum,
      source: c.source,
      declared_at: c.declaredAt.toISOString(),
    })),
  };
}
