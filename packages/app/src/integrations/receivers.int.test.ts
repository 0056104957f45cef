import { createHmac, randomUUID } from "node:crypto";
import { openDatabase } from "@rollgate/db/client";
import { readDbEnv } from "@rollgate/db/env";
import { migrateDatabase } from "@rollgate/db/migrate";
import { createIntegrationEndpoint, findEndpointById } from "@rollgate/db/queries/integrations";
import { environments, incidents, services } from "@rollgate/db/schema";
import { defaultPolicy } from "@rollgate/core/policy";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { authenticateAlertmanager, receiveAlertmanager } from "./receive-alertmanager";
import { authenticatePagerDuty, checkPagerDutySignature, receivePagerDuty } from "./receive-pagerduty";

// The key the routes decrypt PagerDuty secrets with (web's env.ts), for authenticatePagerDuty.
// The server's key as every other database test reads it: on PostgreSQL the test files share one
// database and one audit chain, and an entry keyed with another key would break the chain for them all.
const SERVER_KEY = readDbEnv().ROLLGATE_SECRET_KEY;

const handle = await openDatabase(
  process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, max: 2 } : { dataDir: "memory://" },
);
await migrateDatabase(handle);
afterAll(() => handle.close());
const { db } = handle;
const KEY = "receivers-test-secret-key";

async function service() {
  const slug = `svc-${randomUUID().slice(0, 8)}`;
  const [s] = await db.insert(services).values({ slug, name: slug }).returning({ id: services.id });
  const envs = await db
    .insert(environments)
    .values(
      ["staging", "production"].map((name, position) => ({
        serviceId: s!.id,
        name,
        position,
        policy: defaultPolicy(name),
      })),
    )
    .returning({ id: environments.id, name: environments.name });
  return { id: s!.id, slug, envs };
}
const openOf = (environmentId: string) =>
  db
    .select({ title: incidents.title, source: incidents.source, url: incidents.url })
    .from(incidents)
    .where(and(eq(incidents.environmentId, environmentId), isNull(incidents.closedAt)));

/** PagerDuty's documented v3 payload for an incident event (trimmed of fields Rollgate ignores). */
function pagerDutyEvent(type: string, incidentId: string, occurredAt: Date, eventId = randomUUID()) {
  return {
    event: {
      id: eventId,
      event_type: type,
      resource_type: "incident",
      occurred_at: occurredAt.toISOString(),
      agent: {
        html_url: "https://acme.pagerduty.com/users/PLH1HKV",
        id: "PLH1HKV",
        self: "https://api.pagerduty.com/users/PLH1HKV",
        summary: "Tenex Engineer",
        type: "user_reference",
      },
      client: null,
      data: {
        id: incidentId,
        type: "incident",
        self: `https://api.pagerduty.com/incidents/${incidentId}`,
        html_url: `https://acme.pagerduty.com/incidents/${incidentId}`,
        number: 2,
        status: type === "incident.resolved" ? "resolved" : "triggered",
        incident_key: "d3640fbd41094207a1c11e58e46b1662",
        created_at: "2020-04-09T15:16:27Z",
        title: "A little bump in the road",
        service: {
          html_url: "https://acme.pagerduty.com/services/PF9KMXH",
          id: "PF9KMXH",
          self: "https://api.pagerduty.com/services/PF9KMXH",
          summary: "API Service",
          type: "service_reference",
        },
        urgency: "high",
      },
    },
  };
}
const sign = (raw: Buffer, secret: string) => `v1=${createHmac("sha256", secret).update(raw).digest("hex")}`;

describe("PagerDuty v3 receiver", () => {
  it("accepts a delivery signed as PagerDuty documents it, and refuses a wrong signature, a stale event and a replay, changing nothing", async () => {
    const svc = await service();
    const secret = `pd-${randomUUID()}`;
    const created = await createIntegrationEndpoint(db, {
      serviceId: svc.id,
      environmentId: null,
      kind: "pagerduty",
      name: "pd",
      createdBy: "test",
      secretKey: KEY,
      pagerdutySecret: secret,
    });
    const endpoint = (await findEndpointById(db, created.id, "pagerduty"))!;
    const now = new Date();
    const payload = pagerDutyEvent("incident.triggered", "PGR0VU2", new Date(now.getTime() - 5000));
    const raw = Buffer.from(JSON.stringify(payload));

    // Wrong signature (signed with another secret; several signatures, none valid).
    expect(() => checkPagerDutySignature(endpoint, raw, `${sign(raw, "other")},v1=00`, KEY)).toThrow(/does not match/);
    expect(() => checkPagerDutySignature(endpoint, raw, null, KEY)).toThrow(/does not match/);
    // Stale: occurred 20 minutes ago, correctly signed.
    const stale = pagerDutyEvent("incident.triggered", "PSTALE1", new Date(now.getTime() - 20 * 60_000));
    const staleRaw = Buffer.from(JSON.stringify(stale));
    expect(() => checkPagerDutySignature(endpoint, staleRaw, sign(staleRaw, secret), KEY)).not.toThrow();
    await expect(receivePagerDuty({ db, endpoint, now, payload: stale })).rejects.toMatchObject({
      code: "unauthenticated",
    });
    expect(await openOf(svc.envs[0]!.id)).toEqual([]);

    // Accepted: a rotation header with the right signature among others.
    expect(() =>
      checkPagerDutySignature(endpoint, raw, `v1=${"ab".repeat(32)}, ${sign(raw, secret)}`, KEY),
    ).not.toThrow();
    expect(await receivePagerDuty({ db, endpoint, now, payload })).toEqual({
      action: "opened",
      eventType: "incident.triggered",
    });
    for (const env of svc.envs)
      expect(await openOf(env.id)).toEqual([
        {
          title: "PagerDuty #2: A little bump in the road",
          source: "pagerduty",
          url: "https://acme.pagerduty.com/incidents/PGR0VU2",
        },
      ]);

    // Replay of the same event id: refused. A resolve replayed after resolving changes nothing either.
    await expect(receivePagerDuty({ db, endpoint, now, payload })).rejects.toMatchObject({ code: "conflict" });
    const resolved = pagerDutyEvent("incident.resolved", "PGR0VU2", now);
    expect((await receivePagerDuty({ db, endpoint, now, payload: resolved })).action).toBe("resolved");
    expect(await openOf(svc.envs[0]!.id)).toEqual([]);
    await expect(receivePagerDuty({ db, endpoint, now, payload: payload })).rejects.toMatchObject({ code: "conflict" });
    expect(await openOf(svc.envs[0]!.id)).toEqual([]);
  });
});

describe("Alertmanager receiver", () => {
  // Alertmanager sends one firing's start unchanged in every notification about it, resolves included.
  const FIRED_AT = new Date().toISOString();
  const alert = (
    service: string,
    status: "firing" | "resolved",
    extra: Record<string, string> = {},
    startsAt = FIRED_AT,
  ) => ({
    status,
    labels: { alertname: "HighErrorRate", service, severity: "page", ...extra },
    annotations: { summary: "5xx above 1 %" },
    startsAt,
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example:9090/graph?g0.expr=x",
    fingerprint: `fp-${service}-${extra.environment ?? "all"}`,
  });
  const body = (...alerts: unknown[]) => ({
    version: "4",
    status: "firing",
    receiver: "rollgate",
    groupKey: "{}:{}",
    alerts,
  });

  it("opens a no-go for the alert's service only, in the labelled environment, and closes it when resolved", async () => {
    const a = await service();
    const b = await service();
    const created = await createIntegrationEndpoint(db, {
      serviceId: a.id,
      environmentId: null,
      kind: "alertmanager",
      name: "am",
      createdBy: "test",
      secretKey: KEY,
    });
    const endpoint = (await findEndpointById(db, created.id, "alertmanager"))!;
    const now = new Date();
    const staging = a.envs.find((e) => e.name === "staging")!;
    const production = a.envs.find((e) => e.name === "production")!;
    const summary = await receiveAlertmanager({
      db,
      endpoint,
      now,
      payload: body(alert(a.slug, "firing", { environment: "staging" }), alert(b.slug, "firing")),
    });
    expect(summary).toEqual({ opened: 1, resolved: 0, ignored: 1 });
    expect(await openOf(staging.id)).toEqual([
      {
        title: "HighErrorRate: 5xx above 1 %",
        source: "alertmanager",
        url: "http://prometheus.example:9090/graph?g0.expr=x",
      },
    ]);
    expect(await openOf(production.id)).toEqual([]);
    for (const env of b.envs) expect(await openOf(env.id)).toEqual([]);
    // Alertmanager repeats firing notifications: still one incident.
    await receiveAlertmanager({
      db,
      endpoint,
      now,
      payload: body(alert(a.slug, "firing", { environment: "staging" })),
    });
    expect(await openOf(staging.id)).toHaveLength(1);
    expect(
      await receiveAlertmanager({
        db,
        endpoint,
        now,
        payload: body(alert(a.slug, "resolved", { environment: "staging" })),
      }),
    ).toEqual({ opened: 0, resolved: 1, ignored: 0 });
    expect(await openOf(staging.id)).toEqual([]);
  });

  const receiver = async (serviceId: string, environmentId: string | null, name = "am") => {
    const created = await createIntegrationEndpoint(db, {
      serviceId,
      environmentId,
      kind: "alertmanager",
      name,
      createdBy: "test",
      secretKey: KEY,
    });
    return (await findEndpointById(db, created.id, "alertmanager"))!;
  };

  it("finding 7: a resolve with another start time (yesterday's firing) leaves today's firing alert open", async () => {
    const a = await service();
    const endpoint = await receiver(a.id, null);
    const staging = a.envs.find((e) => e.name === "staging")!;
    const now = new Date();
    const today = new Date(now.getTime() - 10 * 60_000).toISOString();
    const yesterday = new Date(now.getTime() - 24 * 3_600_000).toISOString();
    const labels = { environment: "staging" };
    await receiveAlertmanager({ db, endpoint, now, payload: body(alert(a.slug, "firing", labels, today)) });
    expect(
      await receiveAlertmanager({ db, endpoint, now, payload: body(alert(a.slug, "resolved", labels, yesterday)) }),
    ).toEqual({ opened: 0, resolved: 0, ignored: 1 });
    expect(await openOf(staging.id)).toHaveLength(1);
    // A resolve without a start is not about this firing either; the one with today's start is.
    const { startsAt: _dropped, ...noStart } = alert(a.slug, "resolved", labels, today);
    expect((await receiveAlertmanager({ db, endpoint, now, payload: body(noStart) })).ignored).toBe(1);
    expect(
      await receiveAlertmanager({ db, endpoint, now, payload: body(alert(a.slug, "resolved", labels, today)) }),
    ).toEqual({ opened: 0, resolved: 1, ignored: 0 });
    expect(await openOf(staging.id)).toEqual([]);
  });

  it("finding 7: an alert that fires again (a later start) while still open is resolved by its new start, not the old one", async () => {
    const a = await service();
    const endpoint = await receiver(a.id, null);
    const staging = a.envs.find((e) => e.name === "staging")!;
    const now = new Date();
    const first = new Date(now.getTime() - 3_600_000).toISOString();
    const second = new Date(now.getTime() - 60_000).toISOString();
    const labels = { environment: "staging" };
    await receiveAlertmanager({ db, endpoint, now, payload: body(alert(a.slug, "firing", labels, first)) });
    await receiveAlertmanager({ db, endpoint, now, payload: body(alert(a.slug, "firing", labels, second)) });
    // A late delivery of the first firing does not move the start back.
    await receiveAlertmanager({ db, endpoint, now, payload: body(alert(a.slug, "firing", labels, first)) });
    expect(
      (await receiveAlertmanager({ db, endpoint, now, payload: body(alert(a.slug, "resolved", labels, first)) }))
        .ignored,
    ).toBe(1);
    expect(await openOf(staging.id)).toHaveLength(1);
    expect(
      (await receiveAlertmanager({ db, endpoint, now, payload: body(alert(a.slug, "resolved", labels, second)) }))
        .resolved,
    ).toBe(1);
    expect(await openOf(staging.id)).toEqual([]);
  });

  it("finding 7: a receiver scoped to staging does not close an incident the all-environments receiver opened", async () => {
    const a = await service();
    const staging = a.envs.find((e) => e.name === "staging")!;
    const production = a.envs.find((e) => e.name === "production")!;
    const everywhere = await receiver(a.id, null, "am-all");
    const stagingOnly = await receiver(a.id, staging.id, "am-staging");
    const now = new Date();
    expect(
      await receiveAlertmanager({ db, endpoint: everywhere, now, payload: body(alert(a.slug, "firing")) }),
    ).toEqual({ opened: 2, resolved: 0, ignored: 0 });
    expect(
      await receiveAlertmanager({ db, endpoint: stagingOnly, now, payload: body(alert(a.slug, "resolved")) }),
    ).toEqual({ opened: 0, resolved: 0, ignored: 1 });
    expect(await openOf(staging.id)).toHaveLength(1);
    expect(await openOf(production.id)).toHaveLength(1);
    // What the staging receiver opened, it closes itself; and the all-environments receiver closes its own.
    const other = { ...alert(a.slug, "firing", { environment: "staging" }), fingerprint: "fp-staging-own" };
    await receiveAlertmanager({ db, endpoint: stagingOnly, now, payload: body(other) });
    expect(
      (await receiveAlertmanager({ db, endpoint: stagingOnly, now, payload: body({ ...other, status: "resolved" }) }))
        .resolved,
    ).toBe(1);
    expect(
      await receiveAlertmanager({ db, endpoint: everywhere, now, payload: body(alert(a.slug, "resolved")) }),
    ).toEqual({ opened: 0, resolved: 2, ignored: 0 });
    expect(await openOf(staging.id)).toEqual([]);
    expect(await openOf(production.id)).toEqual([]);
  });

  it("refuses what is not an Alertmanager payload as a 400, and drops a link that is not http(s)", async () => {
    const a = await service();
    const created = await createIntegrationEndpoint(db, {
      serviceId: a.id,
      environmentId: null,
      kind: "alertmanager",
      name: "am",
      createdBy: "test",
      secretKey: KEY,
    });
    const endpoint = (await findEndpointById(db, created.id, "alertmanager"))!;
    await expect(
      receiveAlertmanager({ db, endpoint, now: new Date(), payload: { alerts: "x" } }),
    ).rejects.toMatchObject({ code: "invalid_request" });
    await receiveAlertmanager({
      db,
      endpoint,
      now: new Date(),
      payload: body({ ...alert(a.slug, "firing"), generatorURL: "javascript:alert(1)" }),
    });
    expect((await openOf(a.envs[0]!.id))[0]!.url).toBeNull();
  });
});

describe("the receivers' own credentials (what the routes call before anything else)", () => {
  const request = (headers: Record<string, string>) =>
    new Request("http://rollgate.test/api/v1/integrations/x", { method: "POST", headers });

  it("finds the Alertmanager receiver by its bearer token and refuses anything else with a 401", async () => {
    const a = await service();
    const created = await createIntegrationEndpoint(db, {
      serviceId: a.id,
      environmentId: null,
      kind: "alertmanager",
      name: "am",
      createdBy: "test",
      secretKey: KEY,
    });
    expect((await authenticateAlertmanager(db, request({ authorization: `Bearer ${created.token}` }))).id).toBe(
      created.id,
    );
    for (const headers of [
      {},
      { authorization: "Bearer rga_wrong" },
      { authorization: `Basic ${created.token}` },
    ] as Array<Record<string, string>>)
      await expect(authenticateAlertmanager(db, request(headers))).rejects.toMatchObject({
        code: "unauthenticated",
        headers: { "www-authenticate": "Bearer" },
      });
  });

  it("finds the PagerDuty receiver by its address and its signature, and refuses an unknown address or a bad signature with a 401", async () => {
    const a = await service();
    const secret = `pd-${randomUUID()}`;
    const created = await createIntegrationEndpoint(db, {
      serviceId: a.id,
      environmentId: null,
      kind: "pagerduty",
      name: "pd",
      createdBy: "test",
      secretKey: SERVER_KEY,
      pagerdutySecret: secret,
    });
    const raw = Buffer.from(JSON.stringify(pagerDutyEvent("incident.triggered", "PAUTH01", new Date())));
    expect(
      (
        await authenticatePagerDuty(
          db,
          created.id,
          raw,
          request({ "x-pagerduty-signature": sign(raw, secret) }),
          SERVER_KEY,
        )
      ).id,
    ).toBe(created.id);
    await expect(
      authenticatePagerDuty(db, created.id, raw, request({ "x-pagerduty-signature": sign(raw, "other") }), SERVER_KEY),
    ).rejects.toMatchObject({ code: "unauthenticated" });
    for (const address of ["not-a-uuid", randomUUID()])
      await expect(
        authenticatePagerDuty(db, address, raw, request({ "x-pagerduty-signature": sign(raw, secret) }), SERVER_KEY),
      ).rejects.toMatchObject({ code: "unauthenticated", message: "No PagerDuty receiver has this address." });
  });
});
