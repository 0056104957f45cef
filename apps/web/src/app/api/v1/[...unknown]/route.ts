export const dynamic = "force-dynamic";

// Any other /api/v1 path — a JSON 404 for machines, not the HTML not-found page
function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return Response.json({ error: { code: "not_found", message: `There is no ${request.method} ${path.slice(0, 200)}; see /api/v1/openapi.json.` } }, { status: 404 });
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
