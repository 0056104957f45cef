import { API } from "@rollgate/core/contract/endpoints";
import { reply, serve } from "@/server/api/serve";

// GET /api/health — the process is up (liveness); touches nothing else.
export const GET = serve(API.health, async () =>
  reply(API.health, 200, { status: "ok" }, { "cache-control": "no-store" }),
);
