import { metrics } from "@/server/metrics";

export const dynamic = "force-dynamic";

// GET /api/metrics — Prometheus text exposition format.
export async function GET() {
  const { registry } = metrics();
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
}
