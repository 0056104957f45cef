import { getOverview } from "@/server/overview/get-overview";

export const dynamic = "force-dynamic";

// GET /api/dashboard/overview — the overview's live data, for the signed-in user if any
export async function GET() {
  return Response.json(await getOverview(), { headers: { "cache-control": "no-store" } });
}
