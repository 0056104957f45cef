import { withApiToken } from "@/server/api/with-api-token";
import { eligibilityFromQuery } from "@/server/eligibility/eligibility-route";

export const dynamic = "force-dynamic";

// GET /api/v1/rollback-eligibility?service=&environment=&version= — is an app rollback data-safe?
export const GET = withApiToken("eligibility", "gate:read", async (context, request) => {
  const report = await eligibilityFromQuery(context, request);
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
