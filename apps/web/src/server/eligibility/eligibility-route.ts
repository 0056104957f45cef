import "server-only";
import { z } from "zod";
import { parseQuery } from "../api/query";
import { assertScope, type ApiContext } from "../api/with-api-token";
import { checkEligibility, type EligibilityReport } from "@rollgate/app/eligibility/check-eligibility";

const query = z.object({
  service: z.string().min(1),
  environment: z.string().min(1),
  version: z.string().min(1).optional(),
});

/**
 * The rollback question as the machine routes ask it (`/api/v1/rollback-eligibility`, Argo's
 * rollback metric): service, environment and an optional version from the query, within the
 * token's scope.
 */
export function eligibilityFromQuery({ db, token }: ApiContext, request: Request): Promise<EligibilityReport> {
  const parsed = parseQuery(
    request,
    query,
    "Give service and environment (and optionally version) as query parameters.",
  );
  assertScope(token, parsed.service, parsed.environment);
  return checkEligibility(db, parsed);
}
