import { openEdgeDb } from "@/server/api/edge";
import { now } from "@/server/clock";
import { errorResponse } from "@/server/errors";
import { githubPollMs } from "@/server/integrations/github/poll-job";
import { receiveGithubWebhook } from "@/server/integrations/github/receive-protection-rule";
import { metrics } from "@/server/metrics";
import { inRequest } from "@/server/request";

export const dynamic = "force-dynamic";

// POST /api/v1/integrations/github — GitHub App webhook (deployment_protection_rule), authenticated by X-Hub-Signature-256 only
export const POST = inRequest("github", async (request: Request): Promise<Response> => {
  const m = metrics();
  const stop = m.apiDuration.startTimer({ route: "github" });
  let response: Response;
  try {
    const db = await openEdgeDb("GitHub redelivers later");
    const received = await receiveGithubWebhook({ db, request, now: now(), pollMs: githubPollMs() });
    response = Response.json(received.body, { status: received.status });
  } catch (error) {
    response = errorResponse(error);
  }
  m.apiRequests.inc({ route: "github", status: String(response.status) });
  stop();
  return response;
});
