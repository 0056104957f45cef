type Content = (ref: string) => unknown;
type ErrorDoc = (description: string) => unknown;

// The integration endpoints' part of the OpenAPI document (openapi.ts merges it in).

const q = (name: string, required = true, description?: string) => ({
  name,
  in: "query",
  required,
  schema: { type: "string" },
  ...(description ? { description } : {}),
});

export function integrationPaths(json: Content, error: ErrorDoc, argoError: ErrorDoc) {
  return {
    "/api/v1/integrations/argo/gate": {
      get: {
        summary: "Argo Rollouts web metric: is the contract gate open?",
        description:
          'Scope gate:read. Use `jsonPath: "{$.result}"` and `successCondition: result.allowed == true` (`failureCondition: result.verdict == "DENIED"`; WAITING is neither). Errors keep their status and also carry `result` with `allowed: false, verdict: "UNKNOWN"`.',
        parameters: [q("service"), q("environment"), q("release")],
        responses: {
          "200": { description: "The gate as a metric result, and the whole gate", content: json("ArgoGate") },
          "400": argoError("Missing parameters"),
          "401": argoError("Bad token"),
          "403": argoError("Scope"),
          "404": argoError("No such rollout"),
          "429": argoError("Rate limited"),
        },
      },
    },
    "/api/v1/integrations/argo/rollback": {
      get: {
        summary: "Argo Rollouts web metric: is rolling back to a version data-safe?",
        description:
          'Scope gate:read. Use `jsonPath: "{$.result}"`, `successCondition: result.verdict == "SAFE"`, `failureCondition: result.verdict == "UNSAFE"` (UNKNOWN is inconclusive). Errors as for the gate metric.',
        parameters: [
          q("service"),
          q("environment"),
          q("version", false, "Default: the version deployed before the current one"),
        ],
        responses: {
          "200": { description: "SAFE, UNSAFE or UNKNOWN", content: json("ArgoRollback") },
          "400": argoError("Missing parameters"),
          "401": argoError("Bad token"),
          "403": argoError("Scope"),
          "404": argoError("Unknown service or environment, or nothing to roll back to"),
          "429": argoError("Rate limited"),
        },
      },
    },
    "/api/v1/integrations/flagger/{hook}": {
      post: {
        summary: "Flagger webhook: 200 proceeds, 403 holds",
        description:
          "Scope gate:read; the token in `Authorization: Bearer` or, since Flagger webhooks cannot send headers, in `metadata.token`. pre-rollout: proceed once the expand succeeded and no no-go stands. confirm-promotion: proceed unless a check fails against the release (expand, rollback, SLO, no-go). rollback: 200 asks Flagger to roll back, only on an SLO breach or no-go and never into an UNSAFE version. Reads only.",
        parameters: [
          {
            name: "hook",
            in: "path",
            required: true,
            schema: { type: "string", enum: ["pre-rollout", "confirm-promotion", "rollback"] },
          },
        ],
        requestBody: { required: true, content: json("FlaggerPayload") },
        responses: {
          "200": { description: "Proceed", content: json("FlaggerDecision") },
          "403": {
            description: "Hold (the same shape, with the reason), or a token outside its scope (Error)",
            content: json("FlaggerDecision"),
          },
          "400": error("Not JSON, or metadata lacks service, environment or release"),
          "401": error("Bad token"),
          "404": error("Unknown hook or rollout"),
          "413": error("Body over 64 KiB"),
          "429": error("Rate limited"),
        },
      },
    },
    "/api/v1/integrations/github": {
      post: {
        summary: "GitHub App webhook: deployment protection rules",
        description:
          "Authenticated by `X-Hub-Signature-256` (HMAC-SHA256 with the App's webhook secret) only; no bearer token. A `deployment_protection_rule` (action `requested`) for a linked repository environment is matched to a release by the deployment's sha, short sha or ref, stored, and answered through its `deployment_callback_url` (`approved` when the contract gate is open, `rejected` with the failing checks) at once or when the gate decides; GitHub's other events are acknowledged and ignored. A redelivery (same `X-GitHub-Delivery`) is answered as a duplicate.",
        security: [],
        parameters: ["X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256"].map((name) => ({
          name,
          in: "header",
          required: true,
          schema: { type: "string" },
        })),
        responses: {
          "200": { description: "A ping" },
          "202": {
            description: "Stored (state pending, approved, rejected or failed), a duplicate, or an ignored event",
          },
          "400": error(
            "Not JSON, not a protection-rule payload, no X-GitHub-Delivery, or text PostgreSQL cannot store",
          ),
          "401": error("The signature does not verify"),
          "404": error("No GitHub App is configured (admin → integrations)"),
          "413": error("Body over 1 MiB"),
        },
      },
    },
  };
}
