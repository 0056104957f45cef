import { openApiDocument } from "@rollgate/core/contract/openapi";

// GET /api/v1/openapi.json — the OpenAPI 3.1 description, generated from the zod schemas
export function GET() {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
