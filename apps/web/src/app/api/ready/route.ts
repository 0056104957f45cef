import { API } from "@rollgate/core/contract/endpoints";
import { reply, serve } from "@/server/api/serve";
import { checkReadiness } from "@/server/readiness";

export const dynamic = "force-dynamic";

// GET /api/ready — 200 while the database answers, 503 with the reason while it does not.
export const GET = serve(API.ready, async () => {
  const result = await checkReadiness();
  const headers = { "cache-control": "no-store" };
  if (result.ready) return reply(API.ready, 200, { status: "ready", database: result.database }, headers);
  return reply(API.ready, 503, { status: "unavailable", reason: result.reason }, headers);
});
