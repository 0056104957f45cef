import { z } from "zod";
import { assertScope, withApiToken } from "@/server/api/with-api-token";
import { checkEligibility } from "@/server/eligibility/check-eligibility";
import { AppError } from "@/server/errors";

export const dynamic = "force-dynamic";

const query = z.object({
  service: z.string().min(1),
  environment: z.string().min(1),
  version: z.string().min(1).optional(),
});

// GET /api/v1/rollback-eligibility?service=&environment=&version= — is an app rollback data-safe?
export const GET = withApiToken("eligibility", "gate:read", async ({ db, token }, request) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success)
    throw new AppError(
      "invalid_request",
      "Give service and environment (and optionally version) as query parameters.",
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  assertScope(token, parsed.data.service, parsed.data.environment);
  const report = await checkEligibility(db, parsed.data);
  return Response.json({
    verdict: report.verdict,
    version: report.targetVersion,
    current_version: report.currentVersion,
    manifest: report.manifest
      ? {
          source: report.manifest.source,
          ...(report.manifest.source === "observed"
            ? { from: report.manifest.from.toISOString(), to: report.manifest.to.toISOString() }
            : {}),
        }
      : null,
    reasons: report.reasons.map((r) => ({
      kind: r.kind,
      message: r.message,
      release: r.release ?? null,
      migration: r.migration ?? null,
      object: r.object ?? null,
      at: r.at?.toISOString() ?? null,
    })),
    versions: report.versions.map((v) => ({
      version: v.version,
      last_deployed_at: v.lastDeployedAt.toISOString(),
      verdict: v.verdict,
    })),
  });
});
