import "server-only";
import type { API } from "@rollgate/core/contract/endpoints";
import type { Db } from "@rollgate/db/client";
import { parseQuery } from "../api/query";
import { assertScope, type ApiToken } from "../api/serve";
import { checkEligibility, type EligibilityReport } from "@rollgate/app/eligibility/check-eligibility";

/**
 * The rollback question as the machine routes ask it (`/api/v1/rollback-eligibility`, Argo's
 * rollback metric): service, environment and an optional version from the query, within the
 * token's scope.
 */
export function eligibilityFromQuery(
  { db, token, request }: { db: Db; token: ApiToken; request: Request },
  endpoint: typeof API.eligibility | typeof API.argoRollback,
): Promise<EligibilityReport> {
  const parsed = parseQuery(
    request,
    endpoint.query,
    "Give service and environment (and optionally version) as query parameters.",
  );
  assertScope(token, parsed.service, parsed.environment);
  return checkEligibility(db, parsed);
}
