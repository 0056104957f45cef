import { checkReadiness } from "@/server/readiness";

export const dynamic = "force-dynamic";

// GET /api/ready — 200 while the database answers, 503 with the reason while it does not.
export async function GET() {
  const result = await checkReadiness();
  const headers = { "cache-control": "no-store" };
  if (result.ready) return Response.json({ status: "ready", database: result.database }, { headers });
  return Response.json({ status: "unavailable", reason: result.reason }, { status: 503, headers });
}
