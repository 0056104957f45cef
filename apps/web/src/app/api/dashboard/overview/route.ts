import { authorizeRead } from "@/server/auth/reading";
import { errorResponse } from "@/server/errors";
import { getOverview } from "@/server/overview/get-overview";

export const dynamic = "force-dynamic";

// GET /api/dashboard/overview — the overview's live data: signed in, or anyone on a public wallboard
export async function GET() {
  try {
    await authorizeRead({ kind: "overview" });
    return Response.json(await getOverview(), { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
