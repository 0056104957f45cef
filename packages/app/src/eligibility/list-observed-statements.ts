import type { ObservedStatementsResponse } from "@rollgate/core/contract/rehearsal";
import type { Db } from "@rollgate/db/client";
import { findObservedWorkload } from "@rollgate/db/queries/inspections";
import { findEnvironment } from "@rollgate/db/queries/rollouts";
import { AppError } from "../errors";

/**
 * The statements Rollgate's inspections observed an app version run in one environment, as
 * `GET /api/v1/services/{service}/environments/{environment}/versions/{version}/statements`
 * answers them (what `rollgate rehearse --version` replays): learned between two consecutive
 * inspections while that version alone was deployed, most-called first, each with its calls in
 * those intervals and the role that ran it. A version never observed is a 404 saying how to observe it.
 */
export async function listObservedStatements(options: {
  db: Db;
  params: { service: string; environment: string; version: string };
}): Promise<ObservedStatementsResponse> {
  const { db, params } = options;
  const env = await findEnvironment(db, params.service, params.environment);
  if (!env) throw new AppError("not_found", `Service ${params.service} has no environment ${params.environment}.`);
  const observed = await findObservedWorkload(db, env.environmentId, params.version);
  if (!observed)
    throw new AppError(
      "not_found",
      `Rollgate has observed no statements of version ${params.version} of ${params.service} in ${params.environment}: they are learned between two consecutive \`rollgate inspect\` runs (a CLI that sends the workload, pg_stat_statements available) while that version alone is deployed. Run rollgate inspect twice with it deployed, or give the statements with --statements FILE.`,
    );
  return {
    service: params.service,
    environment: params.environment,
    version: observed.version,
    from: observed.from.toISOString(),
    to: observed.to.toISOString(),
    complete: observed.complete,
    statements: observed.statements.map((s) => ({
      id: s.id,
      text: s.text,
      calls: s.calls,
      ...(s.role ? { role: s.role } : {}),
    })),
  };
}
