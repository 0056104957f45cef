import { z } from "zod";
import { assertScope, withApiToken } from "@/server/api/with-api-token";
import { checkEligibility } from "@/server/eligibility/check-eligibility";
import { AppError } from "@/server/errors";
import { withArgoResult } from "@/server/integrations/argo-result";

export const dynamic = "force-dynamic";

const query = z.object({
  service: z.string().min(1),
  environment: z.string().min(1),
  version: z.string().min(1).optional(),
});

const handler = withApiToken("argo_rollback", "gate:read", async ({ db, token }, request) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success)
    throw new AppError(
      "invalid_request",
      "Give service and environment (and optionally version) as query parameters.",
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  assertScope(token, parsed.data.service, parsed.data.environment);
  const report = await checkEligibility(db, parsed.data);
  const result = {
    verdict: report.verdict,
    version: report.targetVersion,
    current_version: report.currentVersion,
    reason: report.reasons.map((r) => r.message).join(" "),
  };
  return Response.json({ result }, { headers: { "cache-control": "no-store" } });
});

// GET /api/v1/integrations/argo/rollback?service=&environment=&version= — Argo Rollouts web metric: is rolling back data-safe?
export const GET = async (request: Request, context: { params: Promise<Record<string, never>> }) =>
  withArgoResult(await handler(request, context));
