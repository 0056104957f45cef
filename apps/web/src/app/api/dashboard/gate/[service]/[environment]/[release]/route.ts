import { dashboardGate } from "@/server/gate/dashboard-gate";

export const dynamic = "force-dynamic";
type Params = { service: string; environment: string; release: string };

// GET /api/dashboard/gate/{service}/{environment}/{release} — the gate panel's live data
export async function GET(_request: Request, { params }: { params: Promise<Params> }) {
  const body = await dashboardGate(await params);
  if (!body) return Response.json({ error: { code: "not_found", message: "No such rollout." } }, { status: 404 });
  return Response.json(body, { headers: { "cache-control": "no-store" } });
}
