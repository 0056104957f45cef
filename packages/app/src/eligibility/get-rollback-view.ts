import { listEnvironmentsWithPolicy } from "@rollgate/db/queries/admin";
import type { Db } from "@rollgate/db/client";
import { AppError } from "../errors";
import { checkEligibility, type EligibilityReport } from "./check-eligibility";

/**
 * The on-call page: every service/environment to choose from, and the answer for the chosen
 * one; null when `target` names a service/environment that does not exist (the page's 404).
 */
export async function getRollbackView(db: Db, params: { target?: string; version?: string }) {
  const [service, environment] = (params.target ?? "").split("/");
  const environments = await listEnvironmentsWithPolicy(db);
  const targets = environments.map((e) => ({ service: e.serviceSlug, environment: e.name }));
  if (service && environment && !targets.some((t) => t.service === service && t.environment === environment))
    return null;
  const chosen =
    service && environment
      ? { service, environment }
      : (targets[environments.findIndex((e) => e.productionLike)] ?? targets[0]);
  let report: EligibilityReport | null = null;
  let problem: string | null = null;
  if (chosen) {
    try {
      report = await checkEligibility(db, { ...chosen, version: params.version || undefined });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      problem = error.message;
    }
  }
  return { targets, chosen: chosen ?? null, report, problem };
}
