import { createHash, timingSafeEqual } from "node:crypto";
import { API } from "@rollgate/core/contract/endpoints";
import { serve } from "@/server/api/serve";
import { authorizeRead } from "@/server/auth/reading";
import { env } from "@/server/env";
import { refreshJobGauges } from "@/server/jobs/job-metrics";
import { metrics } from "@/server/metrics";

export const dynamic = "force-dynamic";

const digest = (s: string) => createHash("sha256").update(s).digest();

// GET /api/metrics — Prometheus text exposition format, for a signed-in user or the bearer ROLLGATE_METRICS_TOKEN
export const GET = serve(API.metrics, async ({ request }) => {
  const bearer = /^Bearer (.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const expected = env().ROLLGATE_METRICS_TOKEN;
  const status = !bearer
    ? "absent"
    : expected && timingSafeEqual(digest(bearer), digest(expected))
      ? "valid"
      : "invalid";
  await authorizeRead({ kind: "metrics", bearer: status }, status === "absent" ? undefined : null);
  const { registry } = metrics();
  await refreshJobGauges();
  return new Response(await registry.metrics(), {
    headers: { "content-type": registry.contentType, "cache-control": "no-store" },
  });
});
