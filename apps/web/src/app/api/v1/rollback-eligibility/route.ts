import { API } from "@rollgate/core/contract/endpoints";
import { reply, serve } from "@/server/api/serve";
import { eligibilityFromQuery } from "@/server/eligibility/eligibility-route";

export const dynamic = "force-dynamic";

// GET /api/v1/rollback-eligibility?service=&environment=&version= — is an app rollback data-safe?
export const GET = serve(API.eligibility, async (ctx) => {
  const report = await eligibilityFromQuery(ctx, API.eligibility);
  return reply(API.eligibility, 200, {
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
