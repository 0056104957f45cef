import { defaultPolicy, proposedProductionLike } from "@rollgate/core/policy";
import type { Db } from "../src/client.ts";
import { environments, releases, rollouts, services } from "../src/schema/index.ts";
import { uniqueSlug } from "./harness.ts";

/** A service with staging and production, created as Rollgate creates them (the production-like flag proposed from the name). */
export async function makeService(db: Db, slug = uniqueSlug("svc"), name = "Test service") {
  const [service] = await db.insert(services).values({ slug, name }).returning();
  const envs = await db
    .insert(environments)
    .values(
      ["staging", "production"].map((environment, position) => ({
        serviceId: service!.id,
        name: environment,
        position,
        productionLike: proposedProductionLike(environment),
        policy: defaultPolicy(environment),
      })),
    )
    .returning();
  return {
    service: service!,
    environments: envs,
    staging: envs.find((e) => e.name === "staging")!,
    production: envs.find((e) => e.name === "production")!,
  };
}

/** A service with staging and production, one release and its two rollouts. */
export async function makeRelease(db: Db) {
  const { service, environments: envs } = await makeService(db);
  const [release] = await db
    .insert(releases)
    .values({
      serviceId: service.id,
      key: uniqueSlug("rel"),
      title: "Rename email",
      author: "dev@example.com",
      appVersion: "2.0.0",
    })
    .returning({ id: releases.id, key: releases.key });
  const outs = await db
    .insert(rollouts)
    .values(envs.map((e) => ({ releaseId: release!.id, environmentId: e.id, releaseVersion: "2.0.0" })))
    .returning({ id: rollouts.id, environmentId: rollouts.environmentId });
  return {
    service: { id: service.id, slug: service.slug },
    environments: envs.map((e) => ({ id: e.id, name: e.name })),
    release: release!,
    rollouts: outs,
  };
}
