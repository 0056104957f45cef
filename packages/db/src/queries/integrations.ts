import { randomBytes } from "node:crypto";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { environments, incidents, integrationDeliveries, integrationEndpoints, services } from "../schema/index.ts";
import { encryptSecret, sha256Hex } from "../secrets.ts";

export type EndpointKind = "alertmanager" | "pagerduty";

/**
 * An alerting receiver for one service (optionally one environment). Alertmanager gets a
 * bearer token of its own (returned once, stored as SHA-256); PagerDuty's signing secret,
 * which PagerDuty generates, is stored encrypted.
 */
export async function createIntegrationEndpoint(
  db: Db,
  params: {
    serviceId: string;
    environmentId: string | null;
    kind: EndpointKind;
    name: string;
    createdBy: string;
    secretKey: string;
    pagerdutySecret?: string;
  },
) {
  const token = params.kind === "alertmanager" ? `rga_${randomBytes(32).toString("base64url")}` : null;
  const [row] = await db
    .insert(integrationEndpoints)
    .values({
      serviceId: params.serviceId,
      environmentId: params.environmentId,
      kind: params.kind,
      name: params.name,
      tokenPrefix: token ? token.slice(0, 8) : null,
      tokenHash: token ? sha256Hex(token) : null,
      secretCiphertext: params.pagerdutySecret ? encryptSecret(params.pagerdutySecret, params.secretKey) : null,
      createdBy: params.createdBy,
    })
    .returning({ id: integrationEndpoints.id });
  return { id: row!.id, token };
}

const endpointColumns = {
  id: integrationEndpoints.id,
  kind: integrationEndpoints.kind,
  name: integrationEndpoints.name,
  serviceId: integrationEndpoints.serviceId,
  serviceSlug: services.slug,
  environmentId: integrationEndpoints.environmentId,
  secretCiphertext: integrationEndpoints.secretCiphertext,
  lastUsedAt: integrationEndpoints.lastUsedAt,
};

export async function findEndpointByToken(db: Db, token: string) {
  const [row] = await db
    .select(endpointColumns)
    .from(integrationEndpoints)
    .innerJoin(services, eq(services.id, integrationEndpoints.serviceId))
    .where(
      and(
        eq(integrationEndpoints.tokenHash, sha256Hex(token)),
        eq(integrationEndpoints.kind, "alertmanager"),
        isNull(integrationEndpoints.revokedAt),
      ),
    );
  return row ?? null;
}

export async function findEndpointById(db: Db, id: string, kind: EndpointKind) {
  const [row] = await db
    .select(endpointColumns)
    .from(integrationEndpoints)
    .innerJoin(services, eq(services.id, integrationEndpoints.serviceId))
    .where(
      and(eq(integrationEndpoints.id, id), eq(integrationEndpoints.kind, kind), isNull(integrationEndpoints.revokedAt)),
    );
  return row ?? null;
}

export type IntegrationEndpoint = NonNullable<Awaited<ReturnType<typeof findEndpointById>>>;

export async function touchEndpoint(db: Db, id: string, at: Date): Promise<void> {
  await db.update(integrationEndpoints).set({ lastUsedAt: at }).where(eq(integrationEndpoints.id, id));
}

export async function listEndpoints(db: Db) {
  return db
    .select({
      id: integrationEndpoints.id,
      kind: integrationEndpoints.kind,
      name: integrationEndpoints.name,
      service: services.slug,
      environmentId: integrationEndpoints.environmentId,
      tokenPrefix: integrationEndpoints.tokenPrefix,
      createdAt: integrationEndpoints.createdAt,
      lastUsedAt: integrationEndpoints.lastUsedAt,
      revokedAt: integrationEndpoints.revokedAt,
    })
    .from(integrationEndpoints)
    .innerJoin(services, eq(services.id, integrationEndpoints.serviceId))
    .orderBy(asc(services.slug), asc(integrationEndpoints.createdAt));
}

/** The environments of a service, by name (an alert's `environment` label picks one). */
export async function serviceEnvironments(db: Db, serviceId: string) {
  return db
    .select({ id: environments.id, name: environments.name })
    .from(environments)
    .where(eq(environments.serviceId, serviceId));
}

/**
 * Remembers a delivery by the sender's event id; false when it was seen before (a replay).
 * Call in the transaction that acts on it, so a rolled-back delivery can be retried.
 */
export async function claimIntegrationDelivery(
  db: Db,
  endpointId: string,
  deliveryId: string,
  at: Date,
  outcome: string,
): Promise<boolean> {
  const rows = await db
    .insert(integrationDeliveries)
    .values({ endpointId, deliveryId, receivedAt: at, outcome })
    .onConflictDoNothing()
    .returning({ id: integrationDeliveries.deliveryId });
  return rows.length === 1;
}

/** Opens an incident that blocks contract, once per (environment, source, key) while open. Returns whether it was new. */
export async function openExternalIncident(
  db: Db,
  params: {
    environmentId: string;
    source: string;
    key: string;
    title: string;
    url: string | null;
    severity?: string;
    endpointId: string | null;
    at: Date;
    /** Alertmanager: the firing's `startsAt`. */
    alertStartsAt?: Date | null;
  },
): Promise<boolean> {
  const rows = await db
    .insert(incidents)
    .values({
      environmentId: params.environmentId,
      source: params.source,
      externalKey: params.key,
      title: params.title.slice(0, 300),
      url: params.url,
      severity: params.severity ?? "sev2",
      endpointId: params.endpointId,
      openedAt: params.at,
      alertStartsAt: params.alertStartsAt ?? null,
    })
    .onConflictDoNothing({
      target: [incidents.environmentId, incidents.source, incidents.externalKey],
      where: sql`${incidents.closedAt} is null and ${incidents.externalKey} is not null`,
    })
    .returning({ id: incidents.id });
  return rows.length === 1;
}

/** Closes the open incident of (environment, source, key); returns whether one was open. */
export async function closeExternalIncident(
  db: Db,
  params: { environmentId: string; source: string; key: string; at: Date },
): Promise<boolean> {
  const rows = await db
    .update(incidents)
    .set({ closedAt: params.at })
    .where(
      and(
        eq(incidents.environmentId, params.environmentId),
        eq(incidents.source, params.source),
        eq(incidents.externalKey, params.key),
        isNull(incidents.closedAt),
      ),
    )
    .returning({ id: incidents.id });
  return rows.length > 0;
}

/** The open incident of (environment, source, key), with the scope of the receiver that opened it (undefined: gone). */
export async function findOpenExternalIncident(db: Db, params: { environmentId: string; source: string; key: string }) {
  const [row] = await db
    .select({
      id: incidents.id,
      alertStartsAt: incidents.alertStartsAt,
      openerId: integrationEndpoints.id,
      openerEnvironmentId: integrationEndpoints.environmentId,
    })
    .from(incidents)
    .leftJoin(integrationEndpoints, eq(integrationEndpoints.id, incidents.endpointId))
    .where(
      and(
        eq(incidents.environmentId, params.environmentId),
        eq(incidents.source, params.source),
        eq(incidents.externalKey, params.key),
        isNull(incidents.closedAt),
      ),
    );
  if (!row) return null;
  return {
    id: row.id,
    alertStartsAt: row.alertStartsAt,
    openerScope: row.openerId === null ? undefined : row.openerEnvironmentId,
  };
}

/** Closes one incident if it is still open; returns whether it was. */
export async function closeIncidentById(db: Db, id: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(incidents)
    .set({ closedAt: at })
    .where(and(eq(incidents.id, id), isNull(incidents.closedAt)))
    .returning({ id: incidents.id });
  return rows.length > 0;
}

/** The firing an open alert incident stands for. */
export async function setIncidentAlertStart(db: Db, id: string, alertStartsAt: Date | null): Promise<void> {
  await db.update(incidents).set({ alertStartsAt }).where(eq(incidents.id, id));
}
