import type { Policy } from "@rollgate/core/policy";
import { openDatabase } from "@rollgate/db/client";
import { createIntegrationEndpoint } from "@rollgate/db/queries/integrations";
import { query, SECRET_KEY, type TestService } from "./api";

/** A policy's Prometheus source over the test exporter's availability gauge. */
export function prometheusSource(
  url: string,
  intervalSeconds: number,
  maxGapSeconds = intervalSeconds * 3,
): NonNullable<Policy["sloSource"]> {
  const availability = 'rollgate_test_availability{service="{service}"}';
  return {
    kind: "prometheus",
    url,
    auth: "none",
    timeoutSeconds: 2,
    intervalSeconds,
    maxGapSeconds,
    queries: {
      availability,
      errorBudgetRemaining: `clamp_min((${availability} - 99) / 1, -10)`,
      burnRate: `(100 - ${availability}) / 1`,
    },
  };
}

/** An alerting receiver for the service, straight in the database; returns its id and (Alertmanager) token. */
export async function makeEndpoint(svc: TestService, kind: "alertmanager" | "pagerduty", pagerdutySecret?: string) {
  const [service] = await query<{ id: string }>("select id from services where slug = $1", [svc.slug]);
  const handle = await openDatabase({ url: process.env.DATABASE_URL!, max: 1 });
  try {
    return await createIntegrationEndpoint(handle.db, {
      serviceId: service!.id,
      environmentId: null,
      kind,
      name: `${kind} e2e`,
      createdBy: "e2e",
      secretKey: SECRET_KEY,
      pagerdutySecret,
    });
  } finally {
    await handle.close();
  }
}

export interface CheckAnswer {
  id: string;
  status: "pass" | "fail" | "pending";
  message: string;
  links?: Array<{ label: string; href: string }>;
}

/** One check of the staging r1 gate, as the API answers it. */
export async function gateCheck(baseUrl: string, svc: TestService, id: string): Promise<CheckAnswer> {
  const response = await fetch(`${baseUrl}/api/v1/rollouts/${svc.slug}/staging/r1/gate`, {
    headers: { authorization: `Bearer ${svc.token}` },
  });
  const body = (await response.json()) as { checks: CheckAnswer[] };
  return body.checks.find((c) => c.id === id)!;
}

/** Polls the check until `until` holds; returns it and how long that took. */
export async function waitForCheck(
  baseUrl: string,
  svc: TestService,
  id: string,
  until: (c: CheckAnswer) => boolean,
  timeoutMs: number,
): Promise<{ check: CheckAnswer; ms: number }> {
  const start = Date.now();
  let last: CheckAnswer | undefined;
  while (Date.now() - start < timeoutMs) {
    last = await gateCheck(baseUrl, svc, id);
    if (until(last)) return { check: last, ms: Date.now() - start };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`check ${id} did not reach the expected state within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}
