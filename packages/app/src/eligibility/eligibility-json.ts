import type { EligibilityResponse } from "@rollgate/core/contract/responses";
import type { EligibilityBasis } from "@rollgate/core/eligibility";
import type { EligibilityReport } from "./check-eligibility";

/** "Can I roll back?" on the wire (`GET /api/v1/rollback-eligibility`): snake_case, ISO times, nulls for absent. */
export function eligibilityJson(report: EligibilityReport): EligibilityResponse {
  return {
    verdict: report.verdict,
    version: report.targetVersion,
    current_version: report.currentVersion,
    basis: basisJson(report.basis),
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
      proof: r.proof
        ? {
            statement: r.proof.statement,
            error: r.proof.error,
            sqlstate: r.proof.sqlstate ?? null,
            step: r.proof.step,
            calls: r.proof.calls ?? null,
          }
        : null,
    })),
    versions: report.versions.map((v) => ({
      version: v.version,
      last_deployed_at: v.lastDeployedAt.toISOString(),
      verdict: v.verdict,
      basis: basisJson(v.basis),
    })),
  };
}

function basisJson(basis: EligibilityBasis | undefined): EligibilityResponse["basis"] {
  if (!basis) return null;
  return basis.source === "observed"
    ? { source: "observed", from: basis.from.toISOString(), to: basis.to.toISOString() }
    : basis;
}
