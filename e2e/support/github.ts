import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { defaultPolicy } from "@rollgate/core/policy";
import { openDatabase } from "@rollgate/db/client";
import { saveGithubApp, upsertGithubLink } from "@rollgate/db/queries/github";
import { createApiToken } from "@rollgate/db/queries/tokens";
import { encryptSecret } from "@rollgate/db/secrets";
import { environments, services } from "@rollgate/db/schema";
import { Webhooks } from "@octokit/webhooks";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { SECRET_KEY, type TestService } from "./api";

const require = createRequire(import.meta.url);

/** An App private key as GitHub hands it out (PKCS#1 PEM). */
export const appKey = () =>
  generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();

/**
 * A `deployment_protection_rule` (action `requested`) built from GitHub's published example
 * payloads (@octokit/webhooks-examples): that package has no example of this event, so its
 * `deployment` example lends the deployment and sender, a `check_run` example the same
 * repository (Codertocat/Hello-World) in the current shape the schema requires, and the
 * result is checked against the event's published JSON schema (@octokit/webhooks-schemas).
 */
export function protectionRulePayload(options: {
  runId: number;
  installationId: number;
  environment?: string;
  sha?: string;
}) {
  const examples = require("@octokit/webhooks-examples") as Array<{
    name: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- GitHub's payloads, read as they are
    examples: Array<Record<string, any>>;
  }>;
  const deployment = structuredClone(examples.find((e) => e.name === "deployment")!.examples[0]!);
  const repository = structuredClone(
    examples
      .find((e) => e.name === "check_run")!
      .examples.find(
        (x) => x.repository?.full_name === deployment.repository.full_name && "custom_properties" in x.repository,
      )!.repository,
  );
  if (options.sha) deployment.deployment.sha = options.sha;
  const payload = {
    action: "requested",
    environment: options.environment ?? deployment.deployment.environment,
    event: "workflow_dispatch",
    deployment_callback_url: `https://api.github.com/repos/${repository.full_name}/actions/runs/${options.runId}/deployment_protection_rule`,
    deployment: deployment.deployment,
    pull_requests: [],
    repository,
    sender: deployment.sender,
    installation: { id: options.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" },
  };
  const validate = (validator ??= compileRuleSchema());
  if (!validate(payload))
    throw new Error(`the assembled payload does not match GitHub's schema: ${JSON.stringify(validate.errors)}`);
  return payload;
}

let validator: ReturnType<typeof compileRuleSchema> | undefined;
function compileRuleSchema() {
  const schema = require("@octokit/webhooks-schemas") as { definitions: Record<string, unknown> };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(schema as never, "webhooks");
  return ajv.getSchema("webhooks#/definitions/deployment_protection_rule$requested")!;
}

/** Delivers a webhook the way GitHub does: X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256. */
export async function deliver(
  baseUrl: string,
  secret: string,
  payload: unknown,
  options: { event?: string; delivery?: string } = {},
) {
  const body = JSON.stringify(payload);
  const signature = await new Webhooks({ secret }).sign(body);
  const headers = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/e2e",
    "x-github-event": options.event ?? "deployment_protection_rule",
    "x-github-delivery": options.delivery ?? randomUUID(),
    "x-hub-signature-256": signature,
  };
  const send = () => fetch(`${baseUrl}/api/v1/integrations/github`, { method: "POST", body, headers });
  // A pooled connection the server closed while idle fails before the request is sent; GitHub redelivers, so do we, once.
  const response = await send().catch((error: Error & { cause?: { code?: string } }) => {
    if (error.cause?.code === "UND_ERR_SOCKET") return send();
    throw error;
  });
  return { status: response.status, json: await response.json().catch(() => null) };
}

/** In the database at `url`: a service with staging (window `windowSeconds`, no approvals), a token, the GitHub App, and a link to staging. */
export async function githubWorld(
  url: string,
  options: {
    appId: number;
    privateKey: string;
    webhookSecret: string;
    apiBaseUrl: string;
    repository: string;
    githubEnvironment: string;
    windowSeconds: number;
  },
): Promise<TestService> {
  const handle = await openDatabase({ url, max: 1 });
  try {
    const slug = `gh-${randomUUID().slice(0, 8)}`;
    const [service] = await handle.db.insert(services).values({ slug, name: slug }).returning({ id: services.id });
    const base = defaultPolicy("staging");
    const [env] = await handle.db
      .insert(environments)
      .values({
        serviceId: service!.id,
        name: "staging",
        position: 0,
        policy: {
          ...base,
          rollbackWindowSeconds: options.windowSeconds,
          approvals: { ...base.approvals, required: 0 },
        },
      })
      .returning({ id: environments.id });
    const created = await createApiToken(handle.db, {
      serviceId: service!.id,
      name: "e2e",
      environments: ["staging"],
      scopes: ["events:write", "gate:read", "gate:lease"],
      createdBy: "e2e",
      secretKey: SECRET_KEY,
    });
    await saveGithubApp(handle.db, {
      appId: options.appId,
      privateKeyCiphertext: encryptSecret(options.privateKey, SECRET_KEY),
      webhookSecretCiphertext: encryptSecret(options.webhookSecret, SECRET_KEY),
      apiBaseUrl: options.apiBaseUrl,
      updatedBy: "e2e",
      updatedAt: new Date(),
    });
    await upsertGithubLink(handle.db, {
      repository: options.repository,
      githubEnvironment: options.githubEnvironment,
      environmentId: env!.id,
      createdBy: "e2e",
    });
    return { slug, token: created.token, secret: created.secret, tokenId: created.id };
  } finally {
    await handle.close();
  }
}
