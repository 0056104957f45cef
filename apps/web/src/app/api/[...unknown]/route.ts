import { AppError, errorResponse } from "@/server/errors";

export const dynamic = "force-dynamic";

// Any other /api path — a JSON 404 for machines, not the HTML not-found page
function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return errorResponse(
    new AppError("not_found", `There is no ${request.method} ${path.slice(0, 200)}; see /api/v1/openapi.json.`),
  );
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
