import { authorizeRead } from "@/server/auth/reading";
import { errorResponse } from "@/server/errors";
import { dashboardGate } from "@/server/gate/dashboard-gate";

export const dynamic = "force-dynamic";
type Params = { service: string; environment: string; release: string };

// GET /api/dashboard/gate/{service}/{environment}/{release} — the gate panel's live data, for a role on the service
export async function GET(_request: Request, { params }: { params: Promise<Params> }) {
  try {
    const reader = await authorizeRead({ kind: "overview" });
    const body = await dashboardGate(await params, (serviceId) =>
      authorizeRead({ kind: "rollout", serviceId }, reader),
    );
    if (!body) return Response.json({ error: { code: "not_found", message: "No such rollout." } }, { status: 404 });
    return Response.json(body, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
