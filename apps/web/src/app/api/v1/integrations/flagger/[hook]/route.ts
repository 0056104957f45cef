import { API } from "@rollgate/core/contract/endpoints";
import {
  flaggerHookSchema as flaggerHook,
  flaggerPayloadSchema as flaggerPayload,
} from "@rollgate/core/contract/integrations";
import { flaggerDecision } from "@rollgate/core/integrations/progressive-delivery";
import { assertScope, reply, serve } from "@/server/api/serve";
import { assertStorableText } from "@/server/api/storable-text";
import { checkEligibility } from "@rollgate/app/eligibility/check-eligibility";
import { AppError } from "@/server/errors";
import { evaluateRolloutGate, gateJson, rolloutOr404 } from "@rollgate/app/gate/evaluate-rollout-gate";
import { withMetadataToken } from "@/server/integrations/flagger-request";

export const dynamic = "force-dynamic";

// POST /api/v1/integrations/flagger/{hook} — Flagger webhooks: 200 proceeds, 403 holds (pre-rollout, confirm-promotion, rollback)
export const POST = serve(
  API.flagger,
  async ({ db, token, now, request, params }) => {
    const hook = flaggerHook.safeParse(params.hook);
    if (!hook.success)
      throw new AppError(
        "not_found",
        `Rollgate answers the Flagger hooks ${flaggerHook.options.join(", ")}, not ${params.hook}.`,
      );
    let json: unknown;
    try {
      json = JSON.parse(await request.text());
    } catch {
      throw new AppError("invalid_request", "The body must be Flagger's JSON webhook payload.");
    }
    assertStorableText(json, "body");
    const body = flaggerPayload.safeParse(json);
    if (!body.success)
      throw new AppError(
        "invalid_request",
        "Put service, environment and release in the webhook's metadata.",
        body.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      );
    const { service, environment, release } = body.data.metadata;
    const keys = { service, environment, release };
    assertScope(token, keys.service, keys.environment);
    const gate = gateJson(keys, await evaluateRolloutGate(db, await rolloutOr404(db, keys), now));
    let rollback: Parameters<typeof flaggerDecision>[2];
    if (hook.data === "rollback") {
      const report = await checkEligibility(db, { ...keys, version: body.data.metadata.version }).catch(
        (error: unknown) => {
          if (error instanceof AppError && error.code === "not_found") return null;
          throw error;
        },
      );
      if (report)
        rollback = {
          verdict: report.verdict,
          version: report.targetVersion,
          reason: report.reasons.map((r) => r.message).join(" "),
        };
    }
    const decision = flaggerDecision(hook.data, gate, rollback);
    return reply(
      API.flagger,
      decision.allow ? 200 : 403,
      { hook: hook.data, allowed: decision.allow, reason: decision.reason, state: gate.state },
      { "cache-control": "no-store" },
    );
  },
  { prepare: withMetadataToken },
);
