import { API } from "@rollgate/core/contract/endpoints";
import { serve } from "@/server/api/serve";
import { AppError } from "@/server/errors";

export const dynamic = "force-dynamic";

// Any other /api path — a JSON 404 for machines, not the HTML not-found page
const notFound = serve(API.unknown, async ({ request }) => {
  const path = new URL(request.url).pathname;
  throw new AppError("not_found", `There is no ${request.method} ${path.slice(0, 200)}; see /api/v1/openapi.json.`);
});

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
