import "server-only";
import { ARGO_ERROR_RESULT } from "@rollgate/core/integrations/progressive-delivery";

/**
 * Argo Rollouts' `web` metric reads one JSON document per measurement. An error answer keeps
 * its status and `{ error }` and also carries `result: { allowed: false, verdict: "UNKNOWN" }`,
 * so a `jsonPath` of `{$.result}` always finds an object and every documented success
 * condition is false: a misconfigured token can never pass an analysis.
 */
export async function withArgoResult(response: Response): Promise<Response> {
  if (response.ok) return response;
  const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  const error = body?.error ?? { code: "internal", message: "Rollgate could not answer." };
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return Response.json(
    { error, result: { ...ARGO_ERROR_RESULT, reason: error.message } },
    { status: response.status, headers },
  );
}
