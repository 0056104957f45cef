import { API } from "@rollgate/core/contract/endpoints";
import { openApiDocument } from "@rollgate/core/contract/openapi";
import { json } from "@/server/api/bodies";
import { serve } from "@/server/api/serve";

// GET /api/v1/openapi.json — the OpenAPI 3.1 description, generated from the endpoint descriptions
export const GET = serve(API.openapi, async () =>
  json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } }),
);
