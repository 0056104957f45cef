import { z } from "zod";
import { parseQuery } from "@/server/api/query";
import { assertScope, withApiToken } from "@/server/api/with-api-token";
import { checkEligibility } from "@/server/eligibility/check-eligibility";

export const dynamic = "force-dynamic";

const query = z.object({
  service: z.string().min(1),
  environment: z.string().min(1),
  version: z.string().min(1).optional(),
});

// GET /api/v1/rollback-eligibility?service=&environment=&version= — is an app rollback data-safe?
export const GET = withApiToken("eligibility", "gate:read", async ({ db, token }, request) => {
  const parsed = parseQuery(
    request,
    query,
    "Give service and environment (and optionally version) as query parameters.",
  );
  assertScope(token, parsed.service, parsed.environment);
  const report = await checkEligibility(db, parsed);
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
