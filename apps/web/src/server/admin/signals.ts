import "server-only";
import { parsePolicy, renderQuery, type SloObjective } from "@rollgate/core/policy";
import { listEnvironmentsWithPolicy, listServices } from "@rollgate/db/queries/admin";
import { appendAudit } from "@rollgate/db/queries/audit";
import { createIntegrationEndpoint, listEndpoints, serviceEnvironments } from "@rollgate/db/queries/integrations";
import { listJobStatus } from "@rollgate/db/queries/jobs";
import { loadSloSourceSecrets, saveSloSourceSecret } from "@rollgate/db/queries/slo-sources";
import { database } from "@rollgate/db/runtime";
import { decryptSecret, encryptSecret } from "@rollgate/db/secrets";
import { outboundFetch } from "@rollgate/worker/outbound";
import { instantQuery } from "@rollgate/worker/prometheus";
import type { CurrentUser } from "../auth/current-user";
import { now } from "../clock";
import { adminAudit } from "./admin-audit";
import { env } from "../env";
import { AppError } from "../errors";

// Admin use cases for pulled signals: the jobs' health, alerting receivers, the Prometheus
// credential and "test this query now".

const audit = adminAudit;

export async function getJobsView() {
  const { db } = await database();
  return listJobStatus(db);
}

export async function getIntegrationsView() {
  const { db } = await database();
  const [endpoints, services] = await Promise.all([listEndpoints(db), listServices(db)]);
  return { endpoints, services };
}

export async function createReceiver(
  admin: CurrentUser,
  params: {
    service: string;
    environment?: string;
    kind: "alertmanager" | "pagerduty";
    name: string;
    pagerdutySecret?: string;
  },
) {
  if (params.kind === "pagerduty" && !params.pagerdutySecret)
    throw new AppError(
      "invalid_request",
      "Paste the signing secret PagerDuty showed when you created the webhook subscription.",
      [{ path: "secret", message: "required for PagerDuty" }],
    );
  const { db } = await database();
  const service = (await listServices(db)).find((s) => s.slug === params.service);
  if (!service) throw new AppError("not_found", `There is no service ${params.service}.`);
  return db.transaction(async (tx) => {
    let environmentId: string | null = null;
    if (params.environment) {
      environmentId =
        (await serviceEnvironments(tx, service.id)).find((e) => e.name === params.environment)?.id ?? null;
      if (!environmentId)
        throw new AppError("not_found", `Service ${params.service} has no environment ${params.environment}.`);
    }
    const created = await createIntegrationEndpoint(tx, {
      serviceId: service.id,
      environmentId,
      kind: params.kind,
      name: params.name,
      createdBy: admin.email,
      secretKey: env().secretKey,
      pagerdutySecret: params.pagerdutySecret,
    });
    await appendAudit(
      tx,
      audit(admin, "integration.created", "integration_endpoint", created.id, {
        kind: params.kind,
        service: params.service,
        environment: params.environment ?? null,
        name: params.name,
      }),
    );
    return created;
  });
}

export async function setPrometheusSecret(admin: CurrentUser, params: { environmentId: string; secret: string }) {
  const { db } = await database();
  await db.transaction(async (tx) => {
    await saveSloSourceSecret(tx, {
      environmentId: params.environmentId,
      secretCiphertext: encryptSecret(params.secret, env().secretKey),
      updatedBy: admin.email,
      at: now(),
    });
    await appendAudit(tx, audit(admin, "slo_source.secret_set", "environment", params.environmentId, {}));
  });
}

/** Runs one objective's query of an environment's saved policy now, as the worker would; the value or why not. */
export async function testSloQuery(params: { environmentId: string; objective: SloObjective }): Promise<string> {
  const { db } = await database();
  const environment = (await listEnvironmentsWithPolicy(db)).find((e) => e.id === params.environmentId);
  if (!environment) throw new AppError("not_found", "There is no such environment.");
  const parsed = parsePolicy(environment.policy);
  const source = parsed.ok ? parsed.policy.sloSource : undefined;
  if (!source)
    throw new AppError(
      "conflict",
      "This environment's saved policy names no SLO source; add `sloSource` and save first.",
    );
  const template = source.queries[params.objective];
  if (!template) throw new AppError("conflict", `The policy has no ${params.objective} query.`);
  const sealed = (await loadSloSourceSecrets(db, [environment.id])).get(environment.id);
  const secret = sealed ? decryptSecret(sealed, env().secretKey) : null;
  const promql = renderQuery(template, { service: environment.serviceSlug, environment: environment.name });
  const at = now();
  const result = await instantQuery(
    { url: source.url, auth: source.auth, username: source.username, secret, timeoutSeconds: source.timeoutSeconds },
    promql,
    at,
    outboundFetch({ allowPrivate: env().allowPrivateDestinations }),
  );
  if (!result.ok) throw new AppError("conflict", `${promql} → ${result.error}.`);
  return `${promql} = ${result.value} at ${at.toISOString()}`;
}
