import { createHash, randomUUID } from "node:crypto";
import { defaultPolicy } from "@rollgate/core/policy";
import type { Db } from "@rollgate/db/client";
import { readDbEnv } from "@rollgate/db/env";
import { createApiToken } from "@rollgate/db/queries/tokens";
import { environments, services } from "@rollgate/db/schema";
import { Webhook } from "standardwebhooks";

// For database tests of the integration endpoints: a service with a token, and a pipeline
// that sends signed events through the real events route. Import it after `vi.mock`.

export const sum = (s: string) => createHash("sha256").update(s).digest("hex");
export const EXPAND = "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text;\n";
export const CONTRACT = "SET lock_timeout = '3s';\nALTER TABLE users DROP COLUMN IF EXISTS email;\n";

export interface TestService {
  slug: string;
  serviceId: string;
  environmentId: string;
  token: string;
  secret: string;
}

/** A service with a staging environment (60 s window, no approvals) and a token with every scope. */
export async function testService(db: Db, prefix: string, policy: Record<string, unknown> = {}): Promise<TestService> {
  const slug = `${prefix}-${randomUUID().slice(0, 8)}`;
  const [service] = await db.insert(services).values({ slug, name: slug }).returning({ id: services.id });
  const base = defaultPolicy("staging");
  const [environment] = await db
    .insert(environments)
    .values({
      serviceId: service!.id,
      name: "staging",
      position: 0,
      policy: { ...base, rollbackWindowSeconds: 60, approvals: { ...base.approvals, required: 0 }, ...policy },
    })
    .returning({ id: environments.id });
  const created = await createApiToken(db, {
    serviceId: service!.id,
    name: prefix,
    environments: ["staging"],
    scopes: ["events:write", "gate:read", "gate:lease"],
    createdBy: "test",
    secretKey: readDbEnv().ROLLGATE_SECRET_KEY,
  });
  return { slug, serviceId: service!.id, environmentId: environment!.id, token: created.token, secret: created.secret };
}

/** A POST signed like an event (Standard Webhooks, the real time: the library checks it); `id` is its webhook-id. */
export function signed(
  svc: TestService,
  url: string,
  body: string,
  headers: Record<string, string> = {},
  id = `msg_${randomUUID()}`,
): Request {
  const at = new Date();
  const signature = new Webhook(svc.secret).sign(id, at, body);
  return new Request(url, {
    method: "POST",
    body,
    headers: {
      authorization: `Bearer ${svc.token}`,
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signature,
      ...headers,
    },
  });
}

/** Sends one event to staging through `POST /api/v1/events`; throws unless it is accepted. */
export async function send(
  svc: TestService,
  release: string,
  type: string,
  data: Record<string, unknown>,
  occurredAt = new Date(),
): Promise<void> {
  const events = await import("@/app/api/v1/events/route");
  const body = JSON.stringify({
    type,
    service: svc.slug,
    environment: "staging",
    release,
    occurred_at: occurredAt.toISOString(),
    data,
  });
  const response = await events.POST(signed(svc, "http://rollgate.test/api/v1/events", body), {
    params: Promise.resolve({}),
  });
  if (response.status !== 202) throw new Error(`${type}: ${response.status} ${await response.text()}`);
}

/** Release `release` from release.created to a running window (expand done, deployed, flag at 100 %, backup, one good SLO snapshot). */
export async function startWindow(
  svc: TestService,
  release: string,
  version: string,
  at: Date,
  manifest?: string[],
): Promise<void> {
  await send(
    svc,
    release,
    "release.created",
    { title: release, author: "dev@example.com", app_version: version, expand_sql: EXPAND, contract_sql: CONTRACT },
    at,
  );
  await send(svc, release, "migration.started", { phase: "expand", name: "e", checksum: sum(EXPAND) }, at);
  await send(svc, release, "migration.succeeded", { phase: "expand", name: "e", checksum: sum(EXPAND) }, at);
  await send(svc, release, "backup.verified", { backup_id: "b", restore_tested: true }, at);
  await send(svc, release, "app.deployed", { version, ...(manifest ? { manifest } : {}) }, at);
  await send(svc, release, "flag.changed", { flag: "f", percent: 100 }, at);
  await send(svc, release, "slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 }, at);
}
