import { API } from "@rollgate/core/contract/endpoints";
import { serve } from "@/server/api/serve";
import { json } from "@/server/api/bodies";
import { githubDeps } from "@/server/use-case-deps";
import { receiveGithubWebhook } from "@rollgate/app/github/receive-protection-rule";

export const dynamic = "force-dynamic";

// POST /api/v1/integrations/github — GitHub App webhook (deployment_protection_rule), authenticated by X-Hub-Signature-256 only
export const POST = serve(
  API.github,
  async ({ db, request, now }) => {
    const received = await receiveGithubWebhook({ db, request, now, ...githubDeps() });
    return json(received.body, { status: received.status });
  },
  { retry: "GitHub redelivers later" },
);
