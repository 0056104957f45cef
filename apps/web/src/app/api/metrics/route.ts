import { refreshJobGauges } from "@/server/jobs/job-metrics";
import { metrics } from "@/server/metrics";

export const dynamic = "force-dynamic";

// GET /api/metrics — Prometheus text exposition format.
export async function GET() {
  const { registry } = metrics();
  await refreshJobGauges();
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
}
