import { authorizeRead } from "@/server/auth/reading";
import { errorResponse } from "@/server/errors";
import { exportEvidence } from "@rollgate/app/rollouts/export-evidence";
import { evidenceMarkdown } from "@/server/rollouts/evidence-markdown";
import { useCaseDeps } from "@/server/use-case-deps";
import { pathKeys } from "@/server/rollouts/rollout-keys";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";

export const dynamic = "force-dynamic";
type Params = RolloutKey;

// GET /rollouts/{service}/{environment}/{release}/evidence?format=json|md — the evidence bundle, for a role on the service
export async function GET(request: Request, { params }: { params: Promise<Params> }) {
  try {
    const keys = pathKeys(await params);
    const reader = await authorizeRead({ kind: "overview" });
    const evidence = await exportEvidence(await useCaseDeps(), keys, (serviceId) =>
      authorizeRead({ kind: "evidence", serviceId }, reader),
    );
    const name = `rollgate-${keys.service}-${keys.environment}-${keys.release}`;
    if (new URL(request.url).searchParams.get("format") === "md")
      return new Response(evidenceMarkdown(evidence), {
        headers: {
          "content-type": "text/markdown; charset=utf-8",
          "content-disposition": `inline; filename="${name}.md"`,
        },
      });
    return new Response(JSON.stringify(evidence, null, 2), {
      headers: { "content-type": "application/json", "content-disposition": `attachment; filename="${name}.json"` },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
