import "server-only";
import { listUnreviewedOverrides } from "@rollgate/db/queries/overrides";
import { listOverview, type OverviewRow } from "@rollgate/db/queries/overview";
import { database } from "@rollgate/db/runtime";

export interface ServiceOverview {
  slug: string;
  name: string;
  environments: OverviewRow[];
}

/** Break-glass overrides that still wait for someone to review them. */
export async function getUnreviewedOverrides() {
  const { db } = await database();
  return listUnreviewedOverrides(db);
}

/** Services with their environments in promotion order, each with its latest rollout. */
export async function getOverview(): Promise<ServiceOverview[]> {
  const { db } = await database();
  const rows = await listOverview(db);
  const bySlug = new Map<string, ServiceOverview>();
  for (const row of rows) {
    const service = bySlug.get(row.serviceSlug) ?? { slug: row.serviceSlug, name: row.serviceName, environments: [] };
    service.environments.push(row);
    bySlug.set(row.serviceSlug, service);
  }
  return [...bySlug.values()];
}
